"""Live progress of a long SQL step on the controller, at default verbosity.

fo_database_cleanup runs through its action plugin against a real PostgreSQL database. Once the
module's batched UPDATE has committed some batches, a second session locks the table for a few
seconds, so the step is provably still running while the controller prints its progress lines:
rows done so far and how much of the RECID range is walked, read from the module's progress file.
"""

from __future__ import annotations

import re
import threading
import time

import psycopg

from emulator import fodb
from tests.integration.fo_support import new_db, play, scalar, sql_task

HOLD_SECONDS = 4
LINE = re.compile(
    r"^fo_database_cleanup: LOGISTICSELECTRONICADDRESS ([\d,]+) rows \(([\d.]+)%\), elapsed \d+:\d\d:\d\d$",
    re.MULTILINE)


def _hold_the_table_once_batches_committed(admin_dsn, database, held):
    deadline = time.monotonic() + 300
    with psycopg.connect(fodb.database_dsn(admin_dsn, database), autocommit=True) as admin:
        while time.monotonic() < deadline:
            running = admin.execute(
                "SELECT count(*) FROM pg_stat_activity WHERE datname = %s AND pid <> pg_backend_pid() "
                "AND query LIKE 'UPDATE LOGISTICSELECTRONICADDRESS%%'", (database,)).fetchone()[0]
            if running:
                break
            time.sleep(0.005)
        time.sleep(0.5)  # let a few batches commit first
        with admin.transaction():
            admin.execute("LOCK TABLE LOGISTICSELECTRONICADDRESS IN EXCLUSIVE MODE")
            held.append(time.monotonic())
            time.sleep(HOLD_SECONDS)


def test_cleanup_prints_rows_done_and_range_walked_while_it_runs(pg_server, tmp_path):
    database = "fo_progress"
    conn_str = new_db(pg_server, database, scale=0, addresses=100_000)
    held = []
    try:
        locker = threading.Thread(target=_hold_the_table_once_batches_committed,
                                  args=(pg_server.admin_dsn, database, held))
        locker.start()
        task = sql_task("fo_database_cleanup", conn_str, register="r_cleanup", environment_type="Sandbox",
                        steps=["email_addresses"], batch_size=200)
        task["vars"] = {"d365fo_dataalm_progress_interval": 1}
        proc, results = play(tmp_path, [task])
        locker.join()
        assert proc.returncode == 0, proc.stdout[-3000:]
        assert held, "the module's UPDATE was never seen running"
        lines = LINE.findall(proc.stdout)
        assert len(lines) >= 2, proc.stdout[-3000:]  # at least one line a second while the table was held
        total = results["r_cleanup"]["steps"][0]["rows"]
        done = [int(rows.replace(",", "")) for rows, _percent in lines]
        assert 0 < done[0] < total and done == sorted(done)
        assert all(0 < float(percent) < 100 for _rows, percent in lines), lines
        assert "{" not in "".join(line for line in proc.stdout.splitlines() if line.startswith("fo_database_cleanup:"))
        changed = "SELECT count(*) FROM LOGISTICSELECTRONICADDRESS WHERE RECVERSION = 2"
        assert scalar(pg_server, database, changed) == total
    finally:
        fodb.drop_database(pg_server.admin_dsn, database)


def test_async_tasks_still_run_through_the_progress_action(pg_server, tmp_path):
    """async/poll (for several long steps at once) keeps working: the module runs wrapped, no live lines."""
    database = "fo_progress_async"
    conn_str = new_db(pg_server, database, scale=0)
    try:
        fired = sql_task("fo_sql", conn_str, register="r_fired", environment_type="Sandbox",
                         statements=["SELECT COUNT(*) FROM USERINFO"], transaction=False)
        fired.update({"async": 120, "poll": 0})
        waited = {"name": "wait", "ansible.builtin.async_status": {"jid": "{{ r_fired.ansible_job_id }}"},
                  "register": "r_done", "until": "r_done.finished", "retries": 60, "delay": 1}
        polled = sql_task("fo_sql", conn_str, register="r_polled", environment_type="Sandbox",
                          statements=["SELECT COUNT(*) FROM USERINFO"], transaction=False)
        polled.update({"async": 120, "poll": 1})
        proc, results = play(tmp_path, [fired, waited, polled])
        assert proc.returncode == 0, proc.stdout[-3000:]
        assert results["r_done"]["results"][0]["rows"] == results["r_polled"]["results"][0]["rows"]
    finally:
        fodb.drop_database(pg_server.admin_dsn, database)
