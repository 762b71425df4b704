"""Issue 9 items 13 and 8: no poller outlives its controller; export names LCS would refuse never reach it.

Only the ansible-playbook process itself is SIGKILLed (as an OOM killer or a CI agent's timeout does);
its forked worker and the module process survive it. Before the fix they kept polling fetchstatus
until the operation ended (up to wait_timeout).
"""

from __future__ import annotations

import contextlib
import os
import signal
import time

from tests.integration.lcs_support import PROD, UAT, movement_count, mutating, play, start_play


def status_polls(emu):
    requests = emu.counters()["requests"]
    return sum(sum(statuses.values()) for route, statuses in requests.items() if "fetchstatus" in route)


def test_poller_stops_when_the_controller_is_killed(tmp_path, lcs_emu):
    lcs_emu.set_speed(1)  # the refresh would take hours: only the controller's death can end the wait
    task = {"d365fo.dataalm.lcs_database_refresh": {"source_environment_id": PROD, "target_environment_id": UAT,
                                                    "poll_interval": 1},
            "register": "r"}
    proc, _results = start_play(tmp_path, lcs_emu, [task], name="orphaned.yml")
    try:
        deadline = time.monotonic() + 120
        while movement_count(lcs_emu) == 0 or status_polls(lcs_emu) < 3:
            assert proc.poll() is None, proc.stdout.read()
            assert time.monotonic() < deadline, "the refresh never started or was never polled"
            time.sleep(0.5)
        os.kill(proc.pid, signal.SIGKILL)  # the controller only; its worker and module live on
        proc.wait(30)
        time.sleep(5)  # a poll in flight or a last sleep may still finish
        settled = status_polls(lcs_emu)
        time.sleep(10)  # ten poll intervals
        assert status_polls(lcs_emu) == settled, "the orphaned poller kept polling LCS"
    finally:
        with contextlib.suppress(ProcessLookupError):
            os.killpg(proc.pid, signal.SIGKILL)


def test_export_names_lcs_would_refuse_are_refused_before_any_call(tmp_path, lcs_emu):
    """Issue 9 item 8: names with spaces or over 100 characters used to reach LCS."""
    names = {"with_spaces": "uat copy 2026", "too_long": "u" * 101}
    tasks = [{"name": key, "d365fo.dataalm.lcs_database_export": {"environment_id": UAT, "backup_name": value},
              "register": key} for key, value in names.items()]
    _proc, r = play(tmp_path, lcs_emu, tasks)
    assert r["with_spaces"]["failed"] and "no spaces" in r["with_spaces"]["msg"]
    assert "uat-copy-2026" in r["with_spaces"]["msg"]  # a name that would be accepted
    assert r["too_long"]["failed"] and "at most 100" in r["too_long"]["msg"]
    assert mutating(lcs_emu) == 0
