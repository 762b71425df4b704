"""Download throughput of lcs_database_backup_download against ansible.builtin.get_url, same file, same run.

Against the running emulator (real HTTPS on loopback) a generated backup (default 1 GiB) is
downloaded in alternating rounds by:

- get_url: ``ansible.builtin.get_url`` on the backup's signed link (the way the collection's docs
  used to suggest), with its defaults;
- ours: ``lcs_database_backup_download`` by name, with everything on: resumable partial file, the
  SHA-256 computed while streaming, the size check, the record, the action plugin's live progress,
  plus its LCS call (token and backup listing) that get_url does not need;
- ours, 3 drops: the same with the connection cut three times mid-transfer (resumed with Range).

Each task is timed inside the playbook (``now()`` before and after the task), so ansible-playbook's
own start-up is not counted for either. Printed: MiB/s per round, the medians, and ours/get_url.
Target: ours within 10 % of get_url (ratio >= 0.90).

    .venv/bin/python benchmarks/backup_download.py [--size-mib 1024] [--rounds 3]
"""

from __future__ import annotations

import argparse
import json
import statistics
import sys
import tempfile
from pathlib import Path

import requests
import yaml

REPO = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(REPO))

from devtools.ansible_runner import run_playbook  # noqa: E402
from devtools.emulator import DEFAULT_WORLD, EmulatorProcess  # noqa: E402

MIB = 1024 * 1024


def timed_play(directory, name, task, defaults, ca_file):
    """A playbook that times one task between two now() facts and writes the seconds and result."""
    out = Path(directory) / (name + ".json")
    tasks = [
        {"name": "Start", "ansible.builtin.set_fact": {"t0": "{{ now().timestamp() }}"}},
        dict(task, register="result", no_log=True),
        {"name": "Stop", "ansible.builtin.set_fact": {"t1": "{{ now().timestamp() }}"}},
        {"name": "Write", "no_log": True, "ansible.builtin.copy": {
            "dest": str(out), "mode": "0600",
            "content": "{{ {'seconds': t1 | float - t0 | float, 'result': result} | to_json }}"}},
    ]
    play = [{"name": name, "hosts": "localhost", "connection": "local", "gather_facts": False,
             "module_defaults": {"group/d365fo.dataalm.lcs": defaults}, "tasks": tasks}]
    path = Path(directory) / (name + ".yml")
    path.write_text(yaml.safe_dump(play, sort_keys=False))
    # get_url has no ca_path: both runs trust the emulator's CA through the environment
    proc = run_playbook(path, timeout=1800, env={"SSL_CERT_FILE": ca_file})
    if proc.returncode != 0:
        raise SystemExit("%s failed:\n%s" % (name, proc.stdout[-3000:]))
    data = json.loads(out.read_text())
    out.unlink()
    return data["seconds"], data["result"]


def signed_link(emu, name):
    """The link get_url gets: the backup listing's FileLocation, read with a real token."""
    project = emu.lcs_module_args()["project_id"]
    response = requests.get("%s/databasemovement/v1/databases/project/%s" % (emu.base_url, project),
                            headers={"Authorization": "Bearer " + emu.token()}, verify=emu.ca_file, timeout=60)
    response.raise_for_status()
    return next(a["FileLocation"] for a in response.json()["DatabaseAssets"] if a["Name"] == name)


def main():
    parser = argparse.ArgumentParser(description=__doc__.split("\n", 1)[0])
    parser.add_argument("--size-mib", type=int, default=1024)
    parser.add_argument("--rounds", type=int, default=3)
    args = parser.parse_args()
    size = args.size_mib * MIB
    process = EmulatorProcess(DEFAULT_WORLD, pg_admin_dsn=None).start()
    try:
        emu = process.client()
        emu.reset(databases=False)
        generated = requests.post(emu.admin_url + "/downloads/generated", verify=emu.ca_file, timeout=600,
                                  json={"name": "bench-backup", "size_bytes": size, "seed": 3})
        generated.raise_for_status()
        expected = generated.json()["sha256"]
        defaults = emu.lcs_module_args()
        with tempfile.TemporaryDirectory(prefix="bench-download-") as directory:
            rates = run_rounds(emu, directory, defaults, size, expected, args.rounds)
    finally:
        process.stop()
    report(rates, args.size_mib)


def run_rounds(emu, directory, defaults, size, expected, rounds):
    dest = Path(directory) / "bench.bacpac"
    rates = {"get_url": [], "ours": [], "ours, 3 drops": []}
    for round_number in range(1, rounds + 1):
        for label in rates:
            for leftover in Path(directory).glob("bench.bacpac*"):
                leftover.unlink()
            emu.clear_faults()
            if label == "get_url":
                task = {"ansible.builtin.get_url": {"url": signed_link(emu, "bench-backup"), "dest": str(dest),
                                                    "mode": "0600", "timeout": 60}}
            else:
                if "drops" in label:
                    emu.set_faults({"kind": "download_cut", "after_bytes": size // 4, "count": 3})
                task = {"d365fo.dataalm.lcs_database_backup_download": {"name": "bench-backup", "dest": str(dest)}}
            seconds, result = timed_play(directory, label.replace(" ", "_").replace(",", ""), task, defaults,
                                         emu.ca_file)
            if dest.stat().st_size != size or (label != "get_url" and result["sha256"] != expected):
                raise SystemExit("%s produced a wrong file" % label)
            rates[label].append(size / MIB / seconds)
            print("round %d  %-14s %7.1f MiB/s  (%.2f s)" % (round_number, label, size / MIB / seconds, seconds),
                  flush=True)
    return rates


def report(rates, size_mib):
    print()
    print("%d MiB over HTTPS from the emulator, median of %d rounds:" % (size_mib, len(rates["get_url"])))
    baseline = statistics.median(rates["get_url"])
    for label, values in rates.items():
        median = statistics.median(values)
        print("  %-14s %7.1f MiB/s   ratio to get_url %.2f" % (label, median, median / baseline))
    verdict = "met" if statistics.median(rates["ours"]) / baseline >= 0.90 else "NOT met"
    print("target (ours >= 0.90 x get_url, resume and checksum on): %s" % verdict)


if __name__ == "__main__":
    main()
