"""Disabling 10,000 users through fo_entity: how many requests, and how long? (real HTTPS emulator + PostgreSQL)

One real ``ansible-playbook`` run of d365fo.dataalm.fo_entity (filter ``Enabled eq true and UserID ne 'Admin'``,
values ``Enabled: false``) against the emulator's F&O OData endpoint, whose SystemUsers rows live in the
environment's PostgreSQL database. It runs twice: plainly, and with the emulator's latency fault on every
F&O request. Printed per run: records changed, F&O requests by kind, the target
(records / batch_size change requests + the read pages + 1 token-free check of nothing) and the wall time.

    .venv/bin/python benchmarks/fo_entity_bulk.py [--users 10000] [--batch-size 100] [--latency 0.05]
"""

from __future__ import annotations

import argparse
import json
import math
import sys
import tempfile
import time
from pathlib import Path

import psycopg
import yaml

REPO = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(REPO))

from devtools.ansible_runner import run_playbook  # noqa: E402
from devtools.emulator import DEFAULT_WORLD, EmulatorProcess  # noqa: E402
from devtools.pgserver import PgServer  # noqa: E402
from emulator import fodb  # noqa: E402

ENV = "contoso-uat"
APP = {"client_id": "6c9f3a4b-8d52-4eaf-c3b7-2a1f4e5d6c7b", "client_secret": "emu-app-secret",
       "tenant_id": "8f2c1a7e-0d4b-4c2e-9a51-3e6b7c8d9e0f"}
PAGE_SIZE = 10000  # F&O's page size for an entity set


def prepare(emu, pg, users):
    """Fresh databases, ``users`` enabled users and the benchmark's application registered."""
    emu.reset(databases=True)
    database = emu.env(ENV)["database"]
    with psycopg.connect(fodb.database_dsn(pg.admin_dsn, database)) as conn:
        conn.execute("INSERT INTO USERINFO (RECID, ID, NAME, ENABLE) SELECT 7000000000 + i, 'bench' || i, "
                     "'Benchmark user ' || i, 1 FROM generate_series(1, %s) AS i", (users,))
        conn.execute("UPDATE USERINFO SET ENABLE = 1")
        conn.execute("INSERT INTO SYSAADCLIENTTABLE (RECID, AADCLIENTID, USERID, NAME) VALUES "
                     "((SELECT MAX(RECID) + 1 FROM SYSAADCLIENTTABLE), %s, 'Admin', 'benchmark')",
                     (APP["client_id"],))
        return conn.execute("SELECT COUNT(*) FROM USERINFO WHERE ENABLE = 1 AND ID <> 'Admin'").fetchone()[0]


def run_once(emu, directory, batch_size):
    defaults = dict(APP, environment_url=f"{emu.base_url}/fo/{ENV}", authority_url=emu.base_url,
                    ca_path=emu.ca_file)
    out = directory / "result.json"
    play = [{"name": "bulk", "hosts": "localhost", "connection": "local", "gather_facts": False, "tasks": [
        {"d365fo.dataalm.fo_entity": dict(defaults, entity="SystemUsers", batch_size=batch_size,
                                          filter="Enabled eq true and UserID ne 'Admin'", values={"Enabled": False}),
         "register": "r"},
        {"ansible.builtin.copy": {"content": "{{ r | to_json }}", "dest": str(out), "mode": "0600"}}]}]
    playbook = directory / "bulk.yml"
    playbook.write_text(yaml.safe_dump(play, sort_keys=False))
    emu._admin("POST", "/fo/reset", json={})
    started = time.monotonic()
    process = run_playbook(playbook)
    elapsed = time.monotonic() - started
    if process.returncode != 0:
        raise SystemExit(process.stdout[-3000:] + process.stderr[-3000:])
    return json.loads(out.read_text()), emu._admin("GET", "/fo/counters")["requests"], elapsed


def report(label, changed, requests, elapsed, batch_size):
    pages = max(1, math.ceil((changed + 1) / PAGE_SIZE))
    target = math.ceil(changed / batch_size) + pages
    made = sum(requests.values())
    print(f"{label:<24} records {changed:>6}  requests {made:>4} (target <= {target}: "
          f"{math.ceil(changed / batch_size)} batches + {pages} page reads)  {json.dumps(requests, sort_keys=True)}"
          f"  wall {elapsed:6.1f} s  {'OK' if made <= target else 'OVER TARGET'}")


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--users", type=int, default=10000)
    parser.add_argument("--batch-size", type=int, default=100)
    parser.add_argument("--latency", type=float, default=0.05, help="seconds added to every F&O request")
    args = parser.parse_args()
    pg = PgServer().start()
    emulator = EmulatorProcess(DEFAULT_WORLD, pg_admin_dsn=pg.admin_dsn).start()
    try:
        emu = emulator.client()
        with tempfile.TemporaryDirectory() as tmp:
            for label, faults in (("plain", []), (f"latency {args.latency:.2f} s", [
                    {"kind": "latency", "route": "/fo/*", "seconds": args.latency}])):
                enabled = prepare(emu, pg, args.users)
                emu.set_faults(*faults) if faults else emu.clear_faults()
                result, requests, elapsed = run_once(emu, Path(tmp), args.batch_size)
                assert result["updated"] == enabled, (result["updated"], enabled)
                report(label, result["updated"], requests, elapsed, args.batch_size)
    finally:
        emulator.stop()
        pg.remove()


if __name__ == "__main__":
    main()
