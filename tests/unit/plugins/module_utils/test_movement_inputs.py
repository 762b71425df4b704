"""_movement.inputs and lifeline: the window a user writes, and stopping a wait whose controller is gone."""

from __future__ import annotations

import datetime
import os
import re
import shlex
import subprocess
import sys
import time

import pytest
from ansible_collections.d365fo.dataalm.plugins.module_utils._movement.errors import InputError
from ansible_collections.d365fo.dataalm.plugins.module_utils._movement.inputs import parse_not_before
from ansible_collections.d365fo.dataalm.plugins.module_utils._movement.lifeline import Lifeline

NOW = datetime.datetime(2026, 3, 10, 12, 0, tzinfo=datetime.UTC)


@pytest.mark.parametrize("value", ["2026-03-04Z", "2026-03-04", "2026-03-04+01:00", "2026-03-04T10:00:00",
                                   "2026-03-04 10:00"])
def test_time_zone_advice_suggests_only_values_that_are_accepted(value):
    """Issue 9 item 12: '2026-03-04Z' used to get the advice '2026-03-04ZZ', which is refused again."""
    with pytest.raises(InputError, match="time zone") as info:
        parse_not_before(value, NOW)
    message = str(info.value)
    assert "ZZ" not in message
    suggestions = re.findall(r"e\.g\. (\S+) or (\S+)$", message)[0]
    for suggestion in suggestions:
        assert parse_not_before(suggestion, NOW) is not None, suggestion


def test_aware_timestamps_are_accepted():
    assert parse_not_before("2026-03-04T10:00:00Z", NOW) == datetime.datetime(2026, 3, 4, 10, tzinfo=datetime.UTC)
    ten_utc = datetime.datetime(2026, 3, 4, 10, tzinfo=datetime.UTC)
    assert parse_not_before("2026-03-04T11:00:00+01:00", NOW) == ten_utc


def test_lifeline_notices_when_the_grandparent_dies(tmp_path):
    """The module under a worker whose controller was killed sees alive() turn False.

    controller (python, killed) -> worker (python, survives) -> /bin/sh -> module (python, watches).
    """
    marker = tmp_path / "verdict"
    child = (
        "import sys, time\n"
        "sys.path[:0] = %r\n"
        "from ansible_collections.d365fo.dataalm.plugins.module_utils._movement.lifeline import Lifeline\n"
        "line = Lifeline()\n"
        "assert line.alive()\n"
        "open(%r, 'w').write('ready')\n"
        "deadline = time.monotonic() + 20\n"
        "while line.alive() and time.monotonic() < deadline:\n"
        "    time.sleep(0.1)\n"
        "open(%r, 'w').write('stopped' if not line.alive() else 'still alive')\n"
    ) % (sys.path, str(marker), str(marker))
    module = "%s -c %s && sleep 0" % (sys.executable, shlex.quote(child))
    worker = "import subprocess, sys\nsubprocess.run(['/bin/sh', '-c', sys.argv[1]])\n"
    controller_code = "import subprocess, sys, time\nsubprocess.Popen([sys.executable, '-c', %r, sys.argv[1]])\n" \
                      "time.sleep(60)\n" % worker
    controller = subprocess.Popen([sys.executable, "-c", controller_code, module])
    deadline = time.monotonic() + 20
    while not (marker.exists() and marker.read_text() == "ready"):
        assert time.monotonic() < deadline, "the child never started"
        time.sleep(0.05)
    controller.kill()
    controller.wait()
    deadline = time.monotonic() + 20
    while marker.read_text() == "ready":
        assert time.monotonic() < deadline, "the child did not notice"
        time.sleep(0.05)
    assert marker.read_text() == "stopped"


def test_lifeline_sleep_returns_early_once_dead():
    line = Lifeline()
    line.chain = [(os.getpid(), -1)]  # a parent that can never match: the controller is gone
    started = time.monotonic()
    line.sleep(30)
    assert time.monotonic() - started < 1
    assert not line.alive()
