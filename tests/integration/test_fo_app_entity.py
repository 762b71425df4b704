"""fo_entity through real ansible-playbook against the emulator's F&O OData endpoint and its PostgreSQL."""

from __future__ import annotations

from tests.integration.fo_app_support import fo, play  # noqa: F401  (fixture)

DISABLE = {"d365fo.dataalm.fo_entity": {"entity": "SystemUsers", "filter": "Enabled eq true and UserID ne 'Admin'",
                                        "values": {"Enabled": False}}, "register": "r"}


def enabled_users(fo):
    return sorted(row[0] for row in fo.sql("SELECT ID FROM USERINFO WHERE ENABLE = 1"))


def test_check_run_check_run_disables_users(fo, tmp_path):
    before = enabled_users(fo)
    assert len(before) > 2
    proc, res = play(tmp_path, [dict(DISABLE)], fo.defaults(), check=True, diff=True)
    assert proc.returncode == 0, proc.stdout + proc.stderr
    assert res["r"]["changed"] and res["r"]["updated"] == len(before) - 1
    assert enabled_users(fo) == before  # check mode changed nothing
    proc, res = play(tmp_path, [dict(DISABLE)], fo.defaults(), diff=True)
    assert proc.returncode == 0, proc.stdout + proc.stderr
    assert res["r"]["changed"] and res["r"]["updated"] == len(before) - 1
    assert enabled_users(fo) == ["Admin"]
    assert "Enabled" in proc.stdout  # the diff is shown
    for check in (True, False):
        proc, res = play(tmp_path, [dict(DISABLE)], fo.defaults(), check=check)
        assert proc.returncode == 0 and res["r"]["changed"] is False and res["r"]["updated"] == 0
    counters = fo.counters()["requests"]
    # one $batch for all changes of the run (batch_size 100), none in check mode or on the second run
    assert counters.get("POST $batch") == 1, counters
