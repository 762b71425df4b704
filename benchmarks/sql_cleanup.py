"""Benchmark: the clean-up module against raw set-based SQL and a row-by-row loop, and its memory.

Measures on a private PostgreSQL server (psqlODBC + pyodbc, the module run as a real process):

1. scrub N e-mail addresses (default 10 000 000) with ``fo_database_cleanup steps=[email_addresses]``
   versus one raw ``UPDATE ... WHERE LOCATOR LIKE '%@%'`` run directly in PostgreSQL on an identical copy
   (target ratio <= 1.3);
2. hold M batch jobs (default 1 000 000) with ``fo_batch_job state=held`` versus one raw UPDATE;
3. the module on 100 000 addresses versus a row-by-row Python loop (one UPDATE per row) on 100 000 rows;
4. the module process's peak RSS at 10^5, 10^6 and 10^7 rows (target: flat, under 150 MB).

Usage: ``python benchmarks/sql_cleanup.py [--emails N] [--jobs M] [--batch-size B]``; ``--quick`` uses
1/100 of the sizes. Takes several minutes at full size; not part of ``make test``.
"""

from __future__ import annotations

import argparse
import json
import os
import signal
import subprocess
import sys
import tempfile
import time
from pathlib import Path

REPO = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(REPO))

import psycopg  # noqa: E402
import pyodbc  # noqa: E402

from devtools.collection import ensure_collection_tree  # noqa: E402
from devtools.pgserver import PgServer  # noqa: E402
from emulator import fodb  # noqa: E402

MODULES = REPO / "plugins" / "modules"
SCRUB = "UPDATE LOGISTICSELECTRONICADDRESS SET LOCATOR = '', RECVERSION = RECVERSION + 1 WHERE LOCATOR LIKE '%@%'"
HOLD = "UPDATE BATCHJOB SET STATUS = 0, RECVERSION = RECVERSION + 1 WHERE STATUS IN (1, 2, 5, 7, 9)"


def progress(message: str) -> None:
    print(f"[{time.strftime('%H:%M:%S')}] {message}", file=sys.stderr, flush=True)


def run_module(name: str, args: dict) -> tuple[float, float, dict]:
    """Run a module file as Ansible would (args file), return (seconds, peak RSS MB, result)."""
    with tempfile.NamedTemporaryFile("w", suffix=".json", delete=False) as handle:
        json.dump({"ANSIBLE_MODULE_ARGS": args}, handle)
        args_file = handle.name
    env = dict(os.environ, PYTHONPATH=str(ensure_collection_tree()))
    progress(f"running {name}")
    # Output goes to files: a pipe would block the module once its result outgrows the pipe buffer.
    with tempfile.TemporaryFile() as out_file, tempfile.TemporaryFile() as err_file:
        started = time.perf_counter()
        proc = subprocess.Popen([sys.executable, str(MODULES / f"{name}.py"), args_file], env=env,
                                stdout=out_file, stderr=err_file)
        # wait4 gives this child's own resource usage, including its peak resident set size.
        _pid, status, usage = os.wait4(proc.pid, 0)
        elapsed = time.perf_counter() - started
        proc.returncode = os.waitstatus_to_exitcode(status)
        out_file.seek(0)
        err_file.seek(0)
        out, err = out_file.read().decode(), err_file.read().decode()
    os.unlink(args_file)
    if os.waitstatus_to_exitcode(status) != 0:
        raise RuntimeError(f"{name} failed: {out[-2000:]} {err[-2000:]}")
    return elapsed, usage.ru_maxrss / 1024.0, json.loads(out)


def raw_update(pg: PgServer, db: str, sql: str) -> tuple[float, int]:
    with psycopg.connect(fodb.database_dsn(pg.admin_dsn, db)) as conn:
        started = time.perf_counter()
        rows = conn.execute(sql).rowcount
        conn.commit()
        return time.perf_counter() - started, rows


def row_by_row(pg: PgServer, db: str) -> tuple[float, int]:
    """What a naive tool does: read the keys into Python and update one row at a time."""
    conn = pyodbc.connect(fodb.odbc_connection_string(pg.admin_dsn, db), autocommit=False)
    started = time.perf_counter()
    cursor = conn.cursor()
    keys = [r[0] for r in cursor.execute("SELECT RECID FROM LOGISTICSELECTRONICADDRESS WHERE LOCATOR LIKE '%@%'")]
    for recid in keys:
        cursor.execute("UPDATE LOGISTICSELECTRONICADDRESS SET LOCATOR = '', RECVERSION = RECVERSION + 1 "
                       "WHERE RECID = ?", recid)
    conn.commit()
    elapsed = time.perf_counter() - started
    conn.close()
    return elapsed, len(keys)


def vacuum(pg: PgServer, db: str) -> None:
    with psycopg.connect(fodb.database_dsn(pg.admin_dsn, db), autocommit=True) as conn:
        conn.execute("VACUUM ANALYZE")


def prepared_pair(pg: PgServer, name: str, **seed) -> tuple[str, str]:
    progress(f"seeding {name} {seed}")
    fodb.create_environment_database(pg.admin_dsn, name, scale=0, **seed)
    vacuum(pg, name)
    fodb.copy_database(pg.admin_dsn, name, name + "_raw")
    return name, name + "_raw"


def sql_args(pg: PgServer, db: str, **extra) -> dict:
    return dict(connection_string=fodb.odbc_connection_string(pg.admin_dsn, db), environment_type="Sandbox", **extra)


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--emails", type=int, default=10_000_000)
    parser.add_argument("--jobs", type=int, default=1_000_000, help="batch jobs to hold (twice as many are seeded)")
    parser.add_argument("--batch-size", type=int, default=50_000)
    parser.add_argument("--quick", action="store_true", help="1/100 of the sizes")
    opts = parser.parse_args()
    if opts.quick:
        opts.emails //= 100
        opts.jobs //= 100
    memory_sizes = sorted({100_000, 1_000_000, opts.emails}) if not opts.quick else [10_000, opts.emails]
    # Turn a termination signal into a normal exit so the private server is stopped and removed.
    signal.signal(signal.SIGTERM, lambda signum, frame: sys.exit(128 + signum))
    pg = PgServer().start()
    report = []
    try:
        # 1. e-mail scrub at full size, module versus one raw UPDATE on an identical copy
        db, raw_db = prepared_pair(pg, "bench_mail", addresses=opts.emails, batch_jobs=0)
        secs, rss, result = run_module("fo_database_cleanup", sql_args(pg, db, steps=["email_addresses"],
                                                                       batch_size=opts.batch_size))
        rows = result["steps"][0]["rows"]
        raw_secs, raw_rows = raw_update(pg, raw_db, SCRUB)
        assert rows == raw_rows == opts.emails, (rows, raw_rows)
        report.append(("scrub e-mail addresses", rows, secs, raw_secs))
        peak = {opts.emails: rss}
        for name in (db, raw_db):
            fodb.drop_database(pg.admin_dsn, name)

        # 2. hold batch jobs
        # Half of the generated jobs are in a status that is held (statuses cycle through 0-9).
        db, raw_db = prepared_pair(pg, "bench_jobs", addresses=0, batch_jobs=2 * opts.jobs)
        secs, _rss, result = run_module("fo_batch_job", sql_args(pg, db, state="held", batch_size=opts.batch_size))
        raw_secs, raw_rows = raw_update(pg, raw_db, HOLD)
        assert result["count"] == raw_rows, (result["count"], raw_rows)
        report.append(("hold batch jobs", raw_rows, secs, raw_secs))
        for name in (db, raw_db):
            fodb.drop_database(pg.admin_dsn, name)

        # 3. and 4. smaller sizes: memory, and the row-by-row comparison at 100 000 rows
        loop = None
        for size in memory_sizes:
            if size in peak:
                continue
            db, raw_db = prepared_pair(pg, f"bench_mem_{size}", addresses=size, batch_jobs=0)
            secs, rss, _result = run_module("fo_database_cleanup", sql_args(pg, db, steps=["email_addresses"],
                                                                            batch_size=opts.batch_size))
            peak[size] = rss
            if size == min(memory_sizes):
                loop_secs, loop_rows = row_by_row(pg, raw_db)
                loop = (loop_rows, secs, loop_secs)
            for name in (db, raw_db):
                fodb.drop_database(pg.admin_dsn, name)
    finally:
        pg.remove()

    print(f"PostgreSQL via psqlODBC, batch_size {opts.batch_size}")
    print(f"{'scenario':28} {'rows':>11} {'module s':>9} {'raw SQL s':>9} {'ratio':>6}  (target <= 1.3)")
    for label, rows, secs, raw_secs in report:
        print(f"{label:28} {rows:>11,} {secs:>9.2f} {raw_secs:>9.2f} {secs / raw_secs:>6.2f}")
    if loop:
        rows, secs, loop_secs = loop
        print(f"row-by-row Python loop on {rows:,} rows: {loop_secs:.2f} s; module on the same size: {secs:.2f} s "
              f"({loop_secs / secs:.1f}x faster)")
    print("module peak RSS (MB): " + ", ".join(f"{size:,} rows: {mb:.1f}" for size, mb in sorted(peak.items()))
          + "  (target: flat, < 150)")
    return 0


if __name__ == "__main__":
    sys.exit(main())
