"""How quickly and how cheaply does a long LCS refresh get noticed? (real HTTPS emulator, virtual time)

For a 6-hour and a 24-hour refresh this drives three waiting strategies against the running
emulator, with the emulator's virtual clock as the clock and "advance the emulator clock" as the
sleep, so a 24-hour wait takes seconds while every status read is a real HTTPS call with a real
msal token (which expires every virtual hour):

- ours: the collection's Waiter with its defaults (poll_interval 60, quick first polls);
- fixed 300 s: one status read every 300 s (the d365fo.tools / Azure DevOps task default);
- until 10 s: an Ansible ``until`` loop around lcs_operation_info with ``delay: 10``; each iteration
  is a fresh module run, i.e. a new token, one history read and one status read.

Printed per strategy: LCS API calls, token requests, failed polls, and the delay between the
operation's completion (LCS CompletionDate) and the moment the waiter noticed it.
Target for ours: noticed within one poll_interval, at most duration/poll_interval + 10 calls, zero failures.

    .venv/bin/python benchmarks/lcs_wait.py            # 6 h and 24 h
    .venv/bin/python benchmarks/lcs_wait.py --hours 6  # one scenario
"""

from __future__ import annotations

import argparse
import datetime
import sys
import tempfile
from pathlib import Path

import yaml

REPO = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(REPO))

from devtools.collection import ensure_collection_tree  # noqa: E402

sys.path.insert(0, str(ensure_collection_tree()))

from ansible_collections.d365fo.dataalm.plugins.module_utils._auth import build_token_provider, lcs_scope  # noqa: E402
from ansible_collections.d365fo.dataalm.plugins.module_utils._http import HttpClient, RetryPolicy  # noqa: E402
from ansible_collections.d365fo.dataalm.plugins.module_utils._lcs.client import LcsClient, parse_datetime  # noqa: E402
from ansible_collections.d365fo.dataalm.plugins.module_utils._lcs.history import status_to_operation  # noqa: E402
from ansible_collections.d365fo.dataalm.plugins.module_utils._movement.waiter import Waiter  # noqa: E402

from devtools.emulator import DEFAULT_WORLD, EmulatorProcess  # noqa: E402

PROD = "11111111-1111-4111-8111-111111111111"
UAT = "22222222-2222-4222-8222-222222222222"


class VirtualTime:
    """The emulator's clock as the waiter's clock, and advancing it as the waiter's sleep."""

    def __init__(self, emu):
        self.emu = emu
        self.now = datetime.datetime.fromisoformat(emu.advance(0)["now"])

    def clock(self):
        return self.now.timestamp()

    def sleep(self, seconds):
        self.now = datetime.datetime.fromisoformat(self.emu.advance(seconds)["now"])


def make_client(emu, vt):
    params = emu.lcs_module_args()
    auth = build_token_provider(params, lcs_scope(params["lcs_api_url"]), clock=vt.clock)
    http = HttpClient(params["lcs_api_url"], ca_path=params["ca_path"], auth=auth, clock=vt.clock, sleep=vt.sleep,
                      retry=RetryPolicy())
    return LcsClient(http, params["project_id"]), http, auth


def start_refresh(emu):
    vt = VirtualTime(emu)
    client, _http, _auth = make_client(emu, vt)
    return client.start_refresh(PROD, UAT), vt


def tokens_issued(emu):
    return emu.counters()["tokens_issued"].get("total", 0)


def run_ours(emu, operation_id, vt):
    client, http, _auth = make_client(emu, vt)
    before = tokens_issued(emu)
    result = Waiter(lambda: status_to_operation(client.fetch_status(UAT, operation_id), operation_id, UAT),
                    timeout=90000, poll_interval=60, clock=vt.clock, sleep=vt.sleep).wait()
    return result.operation, http.calls, tokens_issued(emu) - before, result.transient_errors


def run_fixed(emu, operation_id, vt, interval=300):
    client, http, _auth = make_client(emu, vt)
    before = tokens_issued(emu)
    while True:
        operation = status_to_operation(client.fetch_status(UAT, operation_id), operation_id, UAT)
        if operation.done:
            return operation, http.calls, tokens_issued(emu) - before, 0
        vt.sleep(interval)


def run_until(emu, operation_id, vt, delay=10):
    calls = 0
    before = tokens_issued(emu)
    while True:
        # each until iteration is a new module process: new token, one history read, one status read
        client, http, _auth = make_client(emu, vt)
        client.history(UAT)
        operation = status_to_operation(client.fetch_status(UAT, operation_id), operation_id, UAT)
        calls += http.calls
        if operation.done:
            return operation, calls, tokens_issued(emu) - before, 0
        vt.sleep(delay)


STRATEGIES = [("ours (poll 60 s)", run_ours, 60), ("fixed 300 s poll", run_fixed, 300),
              ("until loop, 10 s", run_until, 10)]


def world_file(hours, directory):
    world = yaml.safe_load(DEFAULT_WORLD.read_text())
    for env in world["projects"][0]["environments"]:
        if env["name"] == "contoso-uat":
            # completion at an arbitrary second, as in real life (not a multiple of any poll interval)
            env["durations"] = {"queue": 60, "refresh": hours * 3600 - 60 + 97}
    path = Path(directory) / ("world-%dh.yml" % hours)
    path.write_text(yaml.safe_dump(world, sort_keys=False))
    return path


def scenario(hours, directory, strategies):
    process = EmulatorProcess(world_file(hours, directory), pg_admin_dsn=None, speed=0.001).start()
    rows = []
    try:
        for label, runner, interval in strategies:
            emu = process.client()
            emu.reset(databases=False)
            emu.set_speed(0.001)  # only the waiters' sleeps move time
            operation_id, vt = start_refresh(emu)
            operation, calls, tokens, failures = runner(emu, operation_id, vt)
            completed = parse_datetime(operation.completed_at.isoformat()) if operation.completed_at else None
            noticed = vt.now
            delay = (noticed - completed).total_seconds() if completed else float("nan")
            duration = hours * 3600
            budget = duration / interval + 10
            rows.append((label, calls, tokens, failures, delay, interval, budget, operation.status))
    finally:
        process.stop()
    return rows


def main(argv=None):
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--hours", type=int, action="append", help="refresh length(s) in hours (default 6 and 24)")
    parser.add_argument("--skip-until", action="store_true", help="leave out the (slow) 10-second until loop")
    args = parser.parse_args(argv)
    strategies = [s for s in STRATEGIES if not (args.skip_until and s[2] == 10)]
    ok = True
    with tempfile.TemporaryDirectory() as directory:
        for hours in args.hours or [6, 24]:
            print("\n%d-hour refresh (virtual time, real HTTPS emulator)" % hours)
            print("%-20s %9s %7s %9s %18s %s" % ("strategy", "API calls", "tokens", "failures", "noticed after (s)",
                                                 "status"))
            rows = scenario(hours, directory, strategies)
            for label, calls, tokens, failures, delay, interval, budget, status in rows:
                print("%-20s %9d %7d %9d %18.0f %s" % (label, calls, tokens, failures, delay, status))
                if label.startswith("ours"):
                    target = delay <= interval and calls <= budget and failures == 0 and status == "Completed"
                    ok = ok and target
                    print("%-20s target: noticed <= %d s, calls <= %d, 0 failures -> %s"
                          % ("", interval, budget, "met" if target else "MISSED"))
    return 0 if ok else 1


if __name__ == "__main__":
    sys.exit(main())
