"""The whole refresh runbook for N targets of one LCS project at once (forks N), LCS calls and controller cost.

Operations complete (almost) instantly in the emulator's virtual time (clock x1,000,000). Without
``--real-limits`` the rate-limit windows run in that virtual time too, so the limits are never met and
the wall time is what the controller spends. With ``--real-limits`` the emulator keeps its rate-limit
windows in real time (``lcs.rate_limits_in_real_time``, emulator/README.md): the per-project LCS limits
(lcs-api.md §4.1) bind as they would in a real project, and the run cannot be faster than
``floor_s = 60 x ceil(2N / 6)`` (two history reads per target, 6 per project per minute).

Prints, per LCS route, the calls made and the 429s received; the module executions per target (every
module process the runbook started, divided by N); the controller CPU per target (ansible-playbook and
its module processes); the wall time; and as its last line

    fleet: targets=N wall_s=W floor_s=F ratio=R metadata_calls=M metadata_pages=P history_calls=H
           module_runs_per_target=K cpu_per_target_s=C          (one line)

where ``metadata_pages`` is the page count of one project-wide environment listing.

    .venv/bin/python benchmarks/runbook_fleet.py [--targets 10] [--real-limits]

``make bench`` runs the default (10 targets, virtual-time limits); the 30-target run with real limits
takes more than ten minutes and is run by hand.
"""

from __future__ import annotations

import argparse
import math
import resource
import shutil
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import yaml

REPO = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(REPO))

from devtools import services as background_services  # noqa: E402
from devtools.ansible_runner import ansible_env  # noqa: E402
from devtools.emulator import DEFAULT_WORLD, EmulatorClient  # noqa: E402

SPEED = 1_000_000
METADATA_ROUTE = "GET /environmentinfo/v1/detail/project/<projectId>/"
HISTORY_ROUTE = "GET /environmentinfo/v1/history/project/<projectId>/environment/<environmentId>/"


def fleet_world(path: Path, targets: int, real_limits: bool) -> int:
    """The default world's tenant and project with one production environment and N sandboxes; the
    page size of the environment listing."""
    world = yaml.safe_load(DEFAULT_WORLD.read_text())
    project = world["projects"][0]
    prod = dict(project["environments"][0], history=[], database={"name": "fleet_prod", "size_gb": 10})
    sandboxes = [
        {"id": "%08d-0000-4000-8000-%012d" % (90000000 + i, i), "name": "sandbox%02d" % i, "type": "Sandbox",
         "infrastructure": "MicrosoftManaged", "location": prod["location"],
         "database": {"name": "fleet_sb%02d" % i, "size_gb": 10}}
        for i in range(1, targets + 1)
    ]
    project["environments"] = [prod, *sandboxes]
    project.pop("backups", None)
    world["clock"]["speed"] = SPEED
    # Tokens expire in virtual time: keep them valid for the real minutes the benchmark takes.
    world["tokens"]["lifetime_seconds"] = 3600 * SPEED
    if real_limits:
        world.setdefault("lcs", {})["rate_limits_in_real_time"] = True
    path.write_text(yaml.safe_dump(world, sort_keys=False))
    return int((world.get("lcs") or {}).get("metadata_page_size", 5))


def inventory(path: Path, targets: int, interpreter: Path) -> None:
    hosts = {"sandbox%02d" % i: {} for i in range(1, targets + 1)}
    shared = yaml.safe_load((REPO / "extensions/molecule/shared/inventory.yml").read_text())
    shared["all"]["hosts"] = hosts
    shared["all"]["vars"].update(dataalm_source_name="contoso-prod", dataalm_keep_users=["Admin"],
                                 dataalm_max_age="1h", ansible_python_interpreter=str(interpreter))
    path.write_text(yaml.safe_dump(shared, sort_keys=False))


def counting_interpreter(work: Path) -> tuple[Path, Path]:
    """The virtualenv's Python behind a wrapper that appends one line per module process it starts."""
    log = work / "module-runs.log"
    log.touch()
    wrapper = work / "python"
    wrapper.write_text('#!/bin/sh\necho x >> "%s"\nexec "%s" "$@"\n' % (log, sys.executable))
    wrapper.chmod(0o755)
    return wrapper, log


def run(work: Path, services: dict, targets: int) -> tuple[float, float, dict]:
    """Wall and controller CPU seconds (ansible-playbook and its module processes), emulator counters."""
    client = EmulatorClient(services["base_url"], services["ca_file"], services["world"])
    client.reset(databases=True)
    snapshots = work / "snapshots"
    snapshots.mkdir()
    env = ansible_env({"DATAALM_SERVICES": str(work / "services" / "services.json"),
                       "DATAALM_SNAPSHOT_DIR": str(snapshots)})
    argv = [str(Path(sys.executable).parent / "ansible-playbook"), "-i", str(work / "inventory.yml"),
            str(REPO / "playbooks" / "refresh.yml"), "--forks", str(targets)]
    cpu_before = resource.getrusage(resource.RUSAGE_CHILDREN)
    started = time.monotonic()
    proc = subprocess.run(argv, env=env, capture_output=True, text=True, check=False)
    elapsed = time.monotonic() - started
    cpu_after = resource.getrusage(resource.RUSAGE_CHILDREN)
    cpu = (cpu_after.ru_utime - cpu_before.ru_utime) + (cpu_after.ru_stime - cpu_before.ru_stime)
    (work / "playbook.log").write_text(proc.stdout + proc.stderr)
    if proc.returncode != 0:
        print(proc.stdout[-6000:], proc.stderr[-2000:], sep="\n")
        raise SystemExit("runbook failed (rc %d): failed hosts" % proc.returncode)
    counters = client.counters()
    started_ops = counters["operations_started"]
    if sum(started_ops.values()) != targets:
        raise SystemExit("expected %d refreshes, emulator counted %s" % (targets, started_ops))
    return elapsed, cpu, counters


def print_routes(requests: dict) -> None:
    print("%-95s %6s %6s" % ("LCS route", "calls", "429s"))
    lcs_parts = ("environmentinfo", "databasemovement", "environment/")
    for route in sorted(requests):
        if "/_emulator" in route or not any(part in route for part in lcs_parts):
            continue
        statuses = requests[route]
        print("%-95s %6d %6d" % (route, sum(statuses.values()), statuses.get("429", 0)))


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--targets", type=int, default=10)
    parser.add_argument("--real-limits", action="store_true",
                        help="keep the emulator's rate-limit windows in real time (the per-project limits bind)")
    args = parser.parse_args()
    n = args.targets
    work = Path(tempfile.mkdtemp(prefix="runbook-fleet-"))
    try:
        page_size = fleet_world(work / "world.yml", n, args.real_limits)
        interpreter, module_log = counting_interpreter(work)
        inventory(work / "inventory.yml", n, interpreter)
        services = background_services.start(work / "services", work / "world.yml", speed=SPEED)
        try:
            wall, cpu, counters = run(work, services, n)
        finally:
            background_services.stop(work / "services")
        module_runs = len(module_log.read_text().splitlines())
    finally:
        shutil.rmtree(work, ignore_errors=True)
    requests = counters["requests"]
    metadata_calls = sum(requests.get(METADATA_ROUTE, {}).values())
    history_calls = sum(requests.get(HISTORY_ROUTE, {}).values())
    metadata_pages = math.ceil((n + 1) / page_size)  # the project holds N sandboxes and the source
    floor = 60 * math.ceil(2 * n / 6)
    print_routes(requests)
    print("limits in %s time; %d targets, forks %d" % ("real" if args.real_limits else "virtual", n, n))
    print("module executions: %d (%.1f per target)" % (module_runs, module_runs / n))
    print("controller CPU: %.1f s (%.2f s per target)" % (cpu, cpu / n))
    print("wall: %.1f s; floor the limits impose: %d s" % (wall, floor))
    print("fleet: targets=%d wall_s=%.1f floor_s=%d ratio=%.2f metadata_calls=%d metadata_pages=%d history_calls=%d "
          "module_runs_per_target=%.1f cpu_per_target_s=%.2f"
          % (n, wall, floor, wall / floor, metadata_calls, metadata_pages, history_calls, module_runs / n, cpu / n))
    return 0


if __name__ == "__main__":
    sys.exit(main())
