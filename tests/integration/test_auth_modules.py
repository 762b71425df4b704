"""Sign-in options of the lcs_* modules through real ansible-playbook against the emulator."""

from __future__ import annotations

import json

from tests.integration.auth_support import USER, age_access_tokens, cache_params
from tests.integration.lcs_support import PASSWORD, UAT, mutating, play
from tests.integration.test_auth_cache import seed_cache


def refresh_task(name, **options):
    args = dict(source_environment_id="11111111-1111-4111-8111-111111111111", target_environment_id=UAT,
                **options)
    return {"name": name, "d365fo.dataalm.lcs_database_refresh": args, "register": name}


def test_a_garbage_or_expired_access_token_is_named_as_such(tmp_path, lcs_emu):
    """Issue 9 item 12: the generic 401 advice ("check that the user is a project member") misled."""
    expired = lcs_emu.token()
    lcs_emu.advance(2 * 3600)  # the emulator's virtual clock passes the token's one-hour expiry
    defaults = {k: v for k, v in lcs_emu.lcs_module_args().items() if k not in ("username", "password")}
    tasks = [refresh_task("garbage", access_token="not-a-token"), refresh_task("expired", access_token=expired)]
    _proc, results = play(tmp_path, lcs_emu, tasks, defaults=defaults)
    for name in ("garbage", "expired"):
        assert results[name]["failed"], results[name]
        assert "the access token is invalid or expired" in results[name]["msg"], results[name]["msg"]
        assert "project" not in results[name]["msg"].split("What to change")[-1]
    assert "not a JSON web token" in results["garbage"]["msg"]
    assert "expired at" in results["expired"]["msg"]
    assert mutating(lcs_emu) == 0


def test_modules_sign_in_from_the_cache_without_a_password(tmp_path, lcs_emu):
    cache = tmp_path / "cache.json"
    seed_cache(lcs_emu, cache)
    age_access_tokens(cache)
    defaults = {k: v for k, v in cache_params(lcs_emu, cache).items() if k not in ("validate_certs", "timeout")}
    tasks = [{"name": "info", "d365fo.dataalm.lcs_environment_info": {"environment_id": UAT}, "register": "info"},
             {"name": "with password", "register": "with_password",
              "d365fo.dataalm.lcs_environment_info": {"environment_id": UAT, "username": "outsider@contoso.example",
                                                      "password": PASSWORD}}]
    before = lcs_emu.counters()["tokens_issued"]
    proc, results = play(tmp_path, lcs_emu, tasks, defaults=defaults, verbosity=4)
    assert not results["info"].get("failed"), results["info"]
    assert not results["info"].get("warnings")
    after = lcs_emu.counters()["tokens_issued"]
    assert after.get("refresh_token", 0) - before.get("refresh_token", 0) == 1
    assert after.get("password", 0) - before.get("password", 0) == 1  # only the account the cache did not hold
    assert any("password grant" in w for w in results["with_password"].get("warnings", []))
    secrets = [v["secret"] for kind in ("AccessToken", "RefreshToken")
               for v in json.loads(cache.read_text())[kind].values()]
    for secret in secrets:
        assert secret not in proc.stdout and secret not in proc.stderr


def test_a_missing_cache_starts_nothing_and_says_sign_in_again(tmp_path, lcs_emu):
    defaults = {k: v for k, v in cache_params(lcs_emu, tmp_path / "missing.json").items()
                if k not in ("validate_certs", "timeout")}
    _proc, results = play(tmp_path, lcs_emu, [refresh_task("refresh")], defaults=defaults)
    assert results["refresh"]["failed"]
    assert "Run `sign_in.yml` again for %s" % USER in results["refresh"]["msg"]
    assert mutating(lcs_emu) == 0
    assert sum(lcs_emu.counters()["tokens_issued"].values()) == 0
