"""The shared token cache against the emulator: many processes, a killed writer, file mode, read-only caches.

Every "run" is its own Python process using the collection's _auth API (what each module process does),
signing in from the cache alone; the emulator counts the grants Entra ID would have seen.
"""

from __future__ import annotations

import json
import os
import signal
import stat
import subprocess
import sys
import time

from ansible_collections.d365fo.dataalm.plugins.module_utils._auth import build_token_provider, lcs_scope

from tests.integration.auth_support import (
    USER,
    age_access_tokens,
    cache_params,
    collections_path,
    run_token_user,
    token_user_command,
)
from tests.integration.lcs_support import PASSWORD


def seed_cache(emu, cache, username=USER):
    """One password sign-in that writes the cache (the sign-in module seeds it the same way)."""
    params = cache_params(emu, cache, username=username, password=PASSWORD)
    build_token_provider(params, lcs_scope(params["lcs_api_url"])).token()
    return params


def grants(emu):
    return emu.counters()["tokens_issued"]


def test_twenty_processes_with_an_expired_token_redeem_the_refresh_token_once(lcs_emu, tmp_path):
    cache = tmp_path / "cache.json"
    seed_cache(lcs_emu, cache)
    age_access_tokens(cache)
    before = grants(lcs_emu)
    params = cache_params(lcs_emu, cache)
    processes = [subprocess.Popen(token_user_command(params), stdout=subprocess.PIPE, stderr=subprocess.PIPE,
                                  text=True) for dummy in range(20)]
    outcomes = [(p.wait(timeout=300), p.stdout.read(), p.stderr.read()) for p in processes]
    failures = [o for o in outcomes if o[0] != 0]
    assert not failures, failures[:2]
    after = grants(lcs_emu)
    assert after.get("refresh_token", 0) - before.get("refresh_token", 0) == 1
    assert after.get("password", 0) == before.get("password", 0)
    data = json.loads(cache.read_text())
    assert data["RefreshToken"] and data["AccessToken"]
    assert stat.S_IMODE(os.stat(cache).st_mode) == 0o600


WRITER_KILLED_IN_SAVE = r"""
import json, os, sys, time
sys.path.insert(0, {collections!r})
from ansible_collections.d365fo.dataalm.plugins.module_utils._auth import build_token_provider, lcs_scope
real_fsync = os.fsync
def stall(fd):
    # the new cache is written to its temporary file but not yet renamed: the worst moment to die
    open({marker!r}, "w").close()
    time.sleep(120)
os.fsync = stall
params = json.loads(sys.argv[1])
build_token_provider(params, lcs_scope(params["lcs_api_url"])).token()
"""


def test_a_writer_killed_mid_write_leaves_a_valid_cache(lcs_emu, tmp_path):
    cache = tmp_path / "cache.json"
    seed_cache(lcs_emu, cache)
    before = cache.read_text()
    marker = tmp_path / "writing"
    script = WRITER_KILLED_IN_SAVE.format(collections=collections_path(), marker=str(marker))
    # another account signs in with its password into the same cache and is killed while saving
    writer_params = cache_params(lcs_emu, cache, username="outsider@contoso.example", password=PASSWORD)
    writer = subprocess.Popen([sys.executable, "-c", script, json.dumps(writer_params)])
    deadline = time.monotonic() + 120
    while not marker.exists():
        assert writer.poll() is None and time.monotonic() < deadline, "the writer never reached its save"
        time.sleep(0.05)
    writer.send_signal(signal.SIGKILL)
    writer.wait(timeout=30)
    assert cache.read_text() == before
    json.loads(cache.read_text())
    # the dead writer's locks do not block the next run
    age_access_tokens(cache)
    started = time.monotonic()
    code, out, err = run_token_user(cache_params(lcs_emu, cache))
    assert code == 0, (out, err)
    assert time.monotonic() - started < 60


def test_a_read_only_cache_works_and_says_until_when(lcs_emu, tmp_path):
    secure = tmp_path / "secure"
    secure.mkdir()
    cache = secure / "cache.json"
    seed_cache(lcs_emu, cache)
    age_access_tokens(cache)
    os.chmod(cache, 0o400)
    before = cache.read_text()
    code, out, err = run_token_user(cache_params(lcs_emu, cache))
    assert code == 0, (out, err)
    result = json.loads(out)
    assert cache.read_text() == before
    assert any("read-only" in w and "keeps working until" in w for w in result["warnings"]), result
    assert not [name for name in os.listdir(secure) if name != "cache.json"]


def test_sign_in_again_when_the_cache_or_the_account_is_missing(lcs_emu, tmp_path):
    code, out, _err = run_token_user(cache_params(lcs_emu, tmp_path / "none.json"))
    assert code == 3
    assert "no token cache at %s" % (tmp_path / "none.json") in json.loads(out)["msg"]
    assert "Run `sign_in.yml` again for %s" % USER in json.loads(out)["msg"]
    cache = tmp_path / "cache.json"
    seed_cache(lcs_emu, cache)
    code, out, _err = run_token_user(cache_params(lcs_emu, cache, username="mfa@contoso.example"))
    assert code == 3
    message = json.loads(out)["msg"]
    assert "holds no sign-in for this account (it holds %s)" % USER in message
    assert "Run `sign_in.yml` again for mfa@contoso.example" in message
