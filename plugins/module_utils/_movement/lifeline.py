# -*- coding: utf-8 -*-
# Copyright: (c) 2026, d365fo.dataalm contributors
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)
"""Is the controller that asked for a wait still there?

ansible-playbook forks a worker per task, and the worker runs the module through ``/bin/sh``. When the
controller is killed, the worker and the module are re-parented and would keep polling the service
until the operation ends (hours). A wait therefore remembers its ancestors up to the first Python
process (the worker) together with their parents, and stops as soon as any of them has a new parent.
The process tree is read from /proc (https://man7.org/linux/man-pages/man5/proc_pid_stat.5.html);
where there is no /proc only the direct parent is watched (``os.getppid``).
"""

from __future__ import annotations

import os
import time

_MAX_DEPTH = 6


def _parent_of(pid, proc):
    """The parent pid of ``pid`` from /proc, None when the process is gone or /proc is unreadable."""
    try:
        with open(os.path.join(proc, str(pid), "stat"), "rb") as handle:
            stat = handle.read().decode("utf-8", "replace")
    except OSError:
        return None
    # the command name (field 2) is in parentheses and may itself contain spaces or ')'
    return int(stat.rsplit(")", 1)[1].split()[1])


def _is_python(pid, proc):
    try:
        with open(os.path.join(proc, str(pid), "cmdline"), "rb") as handle:
            argv0 = handle.read().split(b"\0", 1)[0].decode("utf-8", "replace")
    except OSError:
        return False
    return os.path.basename(argv0).startswith("python") or "ansible" in argv0


class Lifeline:
    """``alive()`` stays True while every watched ancestor keeps its parent."""

    def __init__(self, proc="/proc", pid=None):
        self.proc = proc
        self.chain = self._ancestors(os.getpid() if pid is None else pid)

    def _ancestors(self, pid):
        parent = _parent_of(pid, self.proc)
        if parent is None:  # no /proc: watch the direct parent only
            return [(None, os.getppid())]
        chain = [(pid, parent)]
        for _level in range(_MAX_DEPTH):
            if parent <= 1 or _is_python(parent, self.proc):
                break
            pid, parent = parent, _parent_of(parent, self.proc)
            if parent is None:
                break
            chain.append((pid, parent))
        grandparent = _parent_of(parent, self.proc) if parent is not None and parent > 1 else None
        if grandparent is not None:
            chain.append((parent, grandparent))  # the worker and the controller it belongs to
        return chain

    def alive(self):
        for pid, parent in self.chain:
            now = os.getppid() if pid is None else _parent_of(pid, self.proc)
            if now != parent:
                return False
        return True

    def sleep(self, seconds, step=1.0):
        """Sleep up to ``seconds``, waking early once the controller is gone."""
        end = time.monotonic() + seconds
        while self.alive():
            left = end - time.monotonic()
            if left <= 0:
                return
            time.sleep(min(step, left))
