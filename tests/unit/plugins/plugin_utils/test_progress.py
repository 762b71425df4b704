"""Progress of long module steps: the module side writes whole states, the controller side prints lines."""

from __future__ import annotations

import json

from ansible.module_utils import _internal
from ansible_collections.d365fo.dataalm.plugins.module_utils import _progress

_WAS_CONTROLLER = _internal.is_controller  # see tests/unit/plugins/callback/test_report.py
from ansible_collections.d365fo.dataalm.plugins.plugin_utils import progress  # noqa: E402

_internal.is_controller = _WAS_CONTROLLER


def test_states_are_written_whole_and_at_most_once_per_interval(tmp_path):
    now = [0.0]
    writer = _progress.Progress(str(tmp_path / "state.json"), min_interval=1.0, clock=lambda: now[0])
    writer.update("USERINFO", done=10, total=100)
    now[0] = 0.5
    writer.update("USERINFO", done=20, total=100)  # too soon: dropped
    assert json.loads((tmp_path / "state.json").read_text())["done"] == 10
    writer.update("USERINFO", done=30, total=100, force=True)
    assert progress.read_state(str(tmp_path / "state.json"))["done"] == 30
    assert [p.name for p in tmp_path.iterdir()] == ["state.json"]  # no temporary file left behind


def test_without_a_reader_progress_is_a_no_op(monkeypatch):
    monkeypatch.delenv(_progress.PROGRESS_FILE_ENV, raising=False)
    assert isinstance(_progress.from_environment(), _progress.NoProgress)
    assert _progress.PROGRESS_FILE_ENV == progress.PROGRESS_FILE_ENV


def test_an_unwritable_progress_file_never_fails_the_step(tmp_path):
    _progress.Progress(str(tmp_path / "missing" / "state.json")).update("BATCHJOB", done=1)


def test_lines_say_step_rows_done_of_known_and_elapsed():
    line = progress.progress_line
    assert line("fo_user", {"step": "USERINFO", "done": 12000, "total": 48210}, 70) == (
        "fo_user: USERINFO 12,000 of 48,210 rows, elapsed 0:01:10")
    assert line("fo_database_cleanup", {"step": "BATCHJOB", "done": 5, "fraction": 0.25}, 3661) == (
        "fo_database_cleanup: BATCHJOB 5 rows (25%), elapsed 1:01:01")
    assert line("fo_sql", {"step": "BATCHJOB", "done": 400, "fraction": 0.004}, 1) == (
        "fo_sql: BATCHJOB 400 rows (0.4%), elapsed 0:00:01")
    assert line("fo_sql", {"step": "BATCHJOB", "done": 400, "fraction": 0.999}, 1) == (
        "fo_sql: BATCHJOB 400 rows (99%), elapsed 0:00:01")  # never "100%" before the end
    assert line("fo_entity", {"step": "CustomersV3", "done": 3, "unit": "pages", "status": "throttled"}, 5) == (
        "fo_entity: CustomersV3 3 pages throttled, elapsed 0:00:05")
    assert line("fo_sql", None, 9) == "fo_sql: running, elapsed 0:00:09"
    assert progress.read_state("/nonexistent/state.json") is None
