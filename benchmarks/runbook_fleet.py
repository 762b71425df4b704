"""The whole refresh runbook for 1 target and for 20 targets at once (forks 20), controller overhead only.

Operations complete (almost) instantly in the emulator's virtual time (clock x1,000,000), so the wall
time is what the controller spends: ansible-playbook, the roles, the modules, LCS calls and the SQL
clean-up against local PostgreSQL databases. Prints both wall times and their ratio; the fleet runs in
parallel, so the target is a ratio of at most 2.

    .venv/bin/python benchmarks/runbook_fleet.py [--targets 20]
"""

from __future__ import annotations

import argparse
import os
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


def fleet_world(path: Path, targets: int) -> None:
    """The default world's tenant and project with one production environment and N sandboxes."""
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
    path.write_text(yaml.safe_dump(world, sort_keys=False))


def inventory(path: Path, targets: int) -> None:
    hosts = {"sandbox%02d" % i: {} for i in range(1, targets + 1)}
    shared = yaml.safe_load((REPO / "extensions/molecule/shared/inventory.yml").read_text())
    shared["all"]["hosts"] = hosts
    shared["all"]["vars"].update(dataalm_source_name="contoso-prod", dataalm_keep_users=["Admin"],
                                 dataalm_max_age="1h")
    path.write_text(yaml.safe_dump(shared, sort_keys=False))


def run(work: Path, services: dict, limit: str, forks: int, expected: int) -> tuple[float, float]:
    """Wall and controller CPU seconds (ansible-playbook and its module processes) of one run."""
    client = EmulatorClient(services["base_url"], services["ca_file"], services["world"])
    client.reset(databases=True)
    snapshots = work / ("snapshots-" + limit.replace(":", "-"))
    shutil.rmtree(snapshots, ignore_errors=True)
    snapshots.mkdir()
    env = ansible_env({"DATAALM_SERVICES": str(work / "services" / "services.json"),
                       "DATAALM_SNAPSHOT_DIR": str(snapshots)})
    argv = [str(Path(sys.executable).parent / "ansible-playbook"), "-i", str(work / "inventory.yml"),
            str(REPO / "playbooks" / "refresh.yml"), "--limit", limit, "--forks", str(forks)]
    cpu_before = resource.getrusage(resource.RUSAGE_CHILDREN)
    started = time.monotonic()
    proc = subprocess.run(argv, env=env, capture_output=True, text=True, check=False)
    elapsed = time.monotonic() - started
    cpu_after = resource.getrusage(resource.RUSAGE_CHILDREN)
    cpu = (cpu_after.ru_utime - cpu_before.ru_utime) + (cpu_after.ru_stime - cpu_before.ru_stime)
    if proc.returncode != 0:
        print(proc.stdout[-4000:], proc.stderr[-2000:], sep="\n")
        raise SystemExit("runbook failed for %s (rc %d)" % (limit, proc.returncode))
    started_ops = client.counters()["operations_started"]
    if sum(started_ops.values()) != expected:
        raise SystemExit("expected %d refreshes, emulator counted %s" % (expected, started_ops))
    return elapsed, cpu


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--targets", type=int, default=20)
    args = parser.parse_args()
    work = Path(tempfile.mkdtemp(prefix="runbook-fleet-"))
    try:
        fleet_world(work / "world.yml", args.targets)
        inventory(work / "inventory.yml", args.targets)
        services = background_services.start(work / "services", work / "world.yml", speed=SPEED)
        try:
            one = run(work, services, "sandbox01", forks=args.targets, expected=1)
            fleet = run(work, services, "sandbox*", forks=args.targets, expected=args.targets)
        finally:
            background_services.stop(work / "services")
    finally:
        shutil.rmtree(work, ignore_errors=True)
    (one, one_cpu), (fleet, fleet_cpu) = one, fleet
    cores = len(os.sched_getaffinity(0))
    ratio = fleet / one
    # With every operation instant, the run is pure controller CPU: N targets cannot finish faster than
    # N x (CPU of one target) spread over the cores.
    bound = max(1.0, args.targets * one_cpu / cores / one)
    print("refresh runbook, 1 target:             %6.1f s wall, %6.1f s controller CPU" % (one, one_cpu))
    print("refresh runbook, %2d targets, forks %2d: %6.1f s wall, %6.1f s controller CPU"
          % (args.targets, args.targets, fleet, fleet_cpu))
    print("ratio %d targets / 1 target:            %6.2f (target <= 2)" % (args.targets, ratio))
    print("CPU-bound lower limit of the ratio on %d core(s): %.2f (%.2f s CPU per target)"
          % (cores, bound, one_cpu))
    return 0


if __name__ == "__main__":
    sys.exit(main())
