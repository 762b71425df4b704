"""sign_in.yml and the life of a signed-in cache, through real ansible-playbook against the emulator.

The MFA account cannot use the password grant; after one device-code sign-in every run signs in from
the cache. Virtual days are driven with the emulator clock; msal keeps access-token expiry in real
time, so each day's cache has its access tokens aged as a real day would (auth_support.age_access_tokens).
"""

from __future__ import annotations

import json
import os
import stat

from tests.integration.auth_support import (
    MFA_USER,
    age_access_tokens,
    cache_params,
    device_code_sign_in,
    emulator_admin,
    module_defaults,
    run_token_user,
)
from tests.integration.lcs_support import PROD, UAT, movement_count, mutating, play

DAY = 86400


def refresh_runbook(tmp_path, emu, cache, verbosity=0):
    """The scheduled refresh runbook's LCS part: start (or join) the refresh and wait for it."""
    defaults = module_defaults(emu, cache, MFA_USER)
    tasks = [{"name": "refresh", "register": "refresh", "d365fo.dataalm.lcs_database_refresh": {
        "source_environment_id": PROD, "target_environment_id": UAT, "max_age": "1h", "poll_interval": 5}}]
    return play(tmp_path, emu, tasks, defaults=defaults, verbosity=verbosity)


def vault_sign_in(tmp_path, emu):
    """sign_in.yml into a vault-encrypted cache; (the cache, the ansible-playbook options giving the vault secret)."""
    cache = tmp_path / "cache.vault"
    password_file = tmp_path / "vault-pass"
    password_file.write_text("correct horse battery staple\n")
    vault = ["--vault-password-file", str(password_file)]
    rc, output = device_code_sign_in(emu, cache, MFA_USER, args=vault, extra_vars={"dataalm_token_cache_vault": True})
    assert rc == 0, output[-3000:]
    return cache, vault


def test_mfa_account_signs_in_once_then_runs_sixty_days_without_a_password(tmp_path, lcs_emu, monkeypatch):
    cache = tmp_path / "cache.json"
    emulator_admin(lcs_emu, "policy", {"inactivity_seconds": 14 * DAY})
    rc, output = device_code_sign_in(lcs_emu, cache, MFA_USER, slow_downs=1)
    assert rc == 0, output[-3000:]
    assert "enter the code" in output and "signed in as %s" % MFA_USER in output
    assert stat.S_IMODE(os.stat(cache).st_mode) == 0o600
    secrets = set()
    for day in range(1, 61):
        lcs_emu.advance(DAY)
        age_access_tokens(cache)
        if day == 60:  # the last day also writes the run report, and runs at -vvvv
            monkeypatch.setenv("ANSIBLE_CALLBACKS_ENABLED", "d365fo.dataalm.report")
            monkeypatch.setenv("DATAALM_REPORT_DIR", str(tmp_path / "reports"))
        if day in (1, 60):
            # a 2-hour refresh takes about two real seconds; at that speed a 1-hour token lives one real second, so
            # the other days run at real speed (under load a token bought at speed 3600 can expire before its call)
            lcs_emu.set_speed(3600)
            proc, results = refresh_runbook(tmp_path, lcs_emu, cache, verbosity=4 if day == 60 else 0)
            lcs_emu.set_speed(1)
            assert not results["refresh"].get("failed"), results["refresh"]
            assert results["refresh"]["state"] == "succeeded"
            logged = proc.stdout + proc.stderr + json.dumps(results)
        else:
            code, out, err = run_token_user(cache_params(lcs_emu, cache, MFA_USER))
            assert code == 0, (day, out, err)
        data = json.loads(cache.read_text())
        secrets |= {v["secret"] for kind in ("AccessToken", "RefreshToken") for v in data[kind].values()}
    counters = lcs_emu.counters()
    assert counters["tokens_issued"].get("password", 0) == 0
    assert counters["tokens_issued"]["device_code"] == 1
    assert counters["tokens_issued"]["refresh_token"] >= 60
    assert movement_count(lcs_emu) == 2
    assert not [s for s in secrets if s in logged], "a token reached the -vvvv output or the results"
    reports = [path.read_text() for path in (tmp_path / "reports").rglob("*") if path.is_file()]
    assert reports, "the run report was not written"
    assert not [s for s in secrets for report in reports if s in report], "a token reached the run report"


def test_a_gap_longer_than_the_inactivity_window_or_a_revocation_starts_nothing(tmp_path, lcs_emu):
    cache = tmp_path / "cache.json"
    emulator_admin(lcs_emu, "policy", {"inactivity_seconds": 14 * DAY})
    rc, output = device_code_sign_in(lcs_emu, cache, MFA_USER)
    assert rc == 0, output[-3000:]
    snapshot = cache.read_text()
    lcs_emu.advance(15 * DAY)
    age_access_tokens(cache)
    _proc, results = refresh_runbook(tmp_path, lcs_emu, cache)
    message = results["refresh"]["msg"]
    assert results["refresh"]["failed"] and "AADSTS700082" in message, message
    assert "Run `sign_in.yml` again for %s" % MFA_USER in message
    assert mutating(lcs_emu) == 0

    cache.write_text(snapshot)  # a fresh sign-in's cache, then the administrator revokes the sessions
    rc, output = device_code_sign_in(lcs_emu, cache, MFA_USER, extra_vars={"dataalm_sign_in_force": True})
    assert rc == 0, output[-3000:]
    emulator_admin(lcs_emu, "revoke", {"username": MFA_USER})
    age_access_tokens(cache)
    _proc, results = refresh_runbook(tmp_path, lcs_emu, cache)
    message = results["refresh"]["msg"]
    assert results["refresh"]["failed"] and "AADSTS50173" in message, message
    assert "Run `sign_in.yml` again for %s" % MFA_USER in message
    assert mutating(lcs_emu) == 0


def test_sign_in_is_idempotent_and_the_password_grant_stays_refused(tmp_path, lcs_emu):
    cache = tmp_path / "cache.json"
    rc, output = device_code_sign_in(lcs_emu, cache, MFA_USER)
    assert rc == 0, output[-3000:]
    rc, output = device_code_sign_in(lcs_emu, cache, MFA_USER)
    assert rc == 0 and "already signed in as %s" % MFA_USER in output and "enter the code" not in output
    assert "changed=0" in output
    assert lcs_emu.counters()["tokens_issued"].get("password", 0) == 0


def test_a_vault_encrypted_cache_holds_no_token_in_clear_text_and_serves_the_runs(tmp_path, lcs_emu):
    from devtools.ansible_runner import run_playbook
    from tests.integration.lcs_support import write_play

    cache, vault = vault_sign_in(tmp_path, lcs_emu)
    raw = cache.read_text()
    assert raw.startswith("$ANSIBLE_VAULT;") and stat.S_IMODE(os.stat(cache).st_mode) == 0o600
    assert "RefreshToken" not in raw and "eyJ" not in raw
    assert not list(tmp_path.glob("**/token_cache.json"))

    lcs_emu.set_speed(3600)
    lcs_emu.advance(DAY)
    defaults = module_defaults(lcs_emu, cache, MFA_USER)
    tasks = [{"name": "refresh", "register": "refresh", "d365fo.dataalm.lcs_database_refresh": {
        "source_environment_id": PROD, "target_environment_id": UAT, "max_age": "1h", "poll_interval": 5}}]
    path, out = write_play(tmp_path, tasks, defaults)
    proc = run_playbook(path, args=vault, verbosity=4)
    results = json.loads(out.read_text())
    assert results["refresh"].get("state") == "succeeded", (results, proc.stdout[-3000:])
    renewed = cache.read_text()
    assert renewed.startswith("$ANSIBLE_VAULT;") and renewed != raw  # renewed tokens were encrypted back
    assert stat.S_IMODE(os.stat(cache).st_mode) == 0o600
    assert lcs_emu.counters()["tokens_issued"].get("password", 0) == 0
    assert "RefreshToken" not in proc.stdout


def test_browser_sign_in_with_pkce(tmp_path, lcs_emu):
    """Authorization code + PKCE through msal's localhost listener; the person is tests/integration/fake_browser.py."""
    import sys

    from devtools.ansible_runner import run_playbook
    from tests.integration.auth_support import REPO, sign_in_vars
    from tests.integration.lcs_support import PASSWORD

    cache = tmp_path / "cache.json"
    browser = tmp_path / "browser"  # webbrowser runs BROWSER as one executable
    person = REPO / "tests" / "integration" / "fake_browser.py"
    browser.write_text('#!/bin/sh\nexec %s %s "$@"\n' % (sys.executable, person))
    browser.chmod(0o700)
    env = {"BROWSER": str(browser), "FAKE_BROWSER_CA": lcs_emu.ca_file, "FAKE_BROWSER_USER": MFA_USER,
           "FAKE_BROWSER_PASSWORD": PASSWORD, "DISPLAY": ":0"}
    extra = dict(sign_in_vars(lcs_emu, cache, MFA_USER), dataalm_sign_in_flow="browser")
    proc = run_playbook(REPO / "playbooks" / "sign_in.yml", extra_vars=extra, env=env, timeout=300)
    assert proc.returncode == 0, proc.stdout[-3000:] + proc.stderr[-2000:]
    assert "signed in as %s" % MFA_USER in proc.stdout
    counters = lcs_emu.counters()["tokens_issued"]
    assert counters.get("authorization_code") == 1 and counters.get("password", 0) == 0
    code, out, err = run_token_user(cache_params(lcs_emu, cache, MFA_USER))
    assert code == 0, (out, err)


def test_the_lcs_info_modules_read_and_renew_a_vault_encrypted_cache(tmp_path, lcs_emu):
    """lcs_environment_info and lcs_database_backup_info have action plugins that decrypt the cache (issue 11):
    with expired access tokens they renew them and the renewed cache is written back, still encrypted."""
    import subprocess

    from devtools.ansible_runner import VENV_BIN, ansible_env, run_playbook
    from tests.integration.lcs_support import write_play

    cache, vault = vault_sign_in(tmp_path, lcs_emu)

    def ansible_vault(action):
        subprocess.run([str(VENV_BIN / "ansible-vault"), action, str(cache), *vault], env=ansible_env(),
                       check=True, capture_output=True)

    ansible_vault("decrypt")  # as after a night without runs: the access tokens have expired
    age_access_tokens(cache)
    ansible_vault("encrypt")
    sealed = cache.read_text()
    before = lcs_emu.counters()["tokens_issued"].get("refresh_token", 0)
    tasks = [{"name": "environments", "register": "environments", "d365fo.dataalm.lcs_environment_info": {}},
             {"name": "backups", "register": "backups", "d365fo.dataalm.lcs_database_backup_info": {}}]
    path, out = write_play(tmp_path, tasks, module_defaults(lcs_emu, cache, MFA_USER))
    private = tmp_path / "tmp"  # where the plugins put the decrypted copy (tempfile follows TMPDIR)
    private.mkdir()
    proc = run_playbook(path, args=vault, env={"TMPDIR": str(private)})
    results = json.loads(out.read_text())
    for name in ("environments", "backups"):
        assert not results[name].get("failed"), (name, results[name], proc.stdout[-3000:])
    assert results["environments"]["environments"]
    assert lcs_emu.counters()["tokens_issued"]["refresh_token"] > before
    renewed = cache.read_text()
    assert renewed.startswith("$ANSIBLE_VAULT;") and renewed != sealed  # renewed tokens were encrypted back
    assert "RefreshToken" not in renewed and stat.S_IMODE(os.stat(cache).st_mode) == 0o600
    assert not list(private.glob("d365fo_token_cache.*")), "a decrypted copy of the cache was left behind"
