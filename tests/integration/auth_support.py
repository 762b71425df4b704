"""Helpers for the sign-in and token-cache tests: seed a cache, age its access tokens, run token users as processes."""

from __future__ import annotations

import json
import os
import re
import subprocess
import sys
import time
from pathlib import Path

REPO = Path(__file__).resolve().parents[2]
USER = "dataalm@contoso.example"
MFA_USER = "mfa@contoso.example"

# One "run" in its own process: sign in from the cache only (no password), call LCS, print the outcome.
TOKEN_USER = r"""
import json, sys
sys.path.insert(0, {collections!r})
import requests
from ansible_collections.d365fo.dataalm.plugins.module_utils._auth import AuthError, build_token_provider, lcs_scope
params = json.loads(sys.argv[1])
warnings = []
try:
    provider = build_token_provider(params, lcs_scope(params["lcs_api_url"]), warn=warnings.append)
    header = provider.authorization_header()
except AuthError as exc:
    print(json.dumps({{"failed": True, "msg": str(exc), "code": exc.code}}))
    sys.exit(3)
answer = requests.get(params["lcs_api_url"] + "/environmentinfo/v1/detail/project/%s" % params["project_id"],
                      headers={{"Authorization": header}}, verify=params["ca_path"], timeout=60)
print(json.dumps({{"status": answer.status_code, "warnings": warnings, "grants": provider.grants}}))
sys.exit(4 if answer.status_code == 401 else 0)  # 429 (metadata quota) still means the token was accepted
"""


def collections_path():
    from devtools.collection import ensure_collection_tree

    return str(ensure_collection_tree())


def module_defaults(emu, cache, username=USER):
    """module_defaults for the lcs group that sign in from ``cache`` alone."""
    return {k: v for k, v in cache_params(emu, cache, username).items() if k not in ("validate_certs", "timeout")}


def cache_params(emu, cache, username=USER, **extra):
    """Module-style options that sign in from ``cache`` alone (no password)."""
    args = emu.lcs_module_args(username)
    params = {k: args[k] for k in ("client_id", "tenant_id", "authority_url", "ca_path", "lcs_api_url", "project_id")}
    params.update(username=username, token_cache=str(cache), validate_certs=True, timeout=60)
    params.update(extra)
    return params


def token_user_command(params):
    script = TOKEN_USER.format(collections=collections_path())
    return [sys.executable, "-c", script, json.dumps(params)]


def run_token_user(params):
    done = subprocess.run(token_user_command(params), capture_output=True, text=True, timeout=300, check=False)
    return done.returncode, done.stdout, done.stderr


def age_access_tokens(cache):
    """Make every cached access token expired, as after a night without runs."""
    data = json.loads(Path(cache).read_text())
    past = str(int(time.time()) - 60)
    for entry in data.get("AccessToken", {}).values():
        entry["expires_on"] = entry["extended_expires_on"] = past
        entry.pop("refresh_on", None)
    Path(cache).write_text(json.dumps(data))
    os.chmod(cache, 0o600)


def emulator_admin(emu, path, body=None):
    """The emulator's Entra admin calls (what the person or the tenant administrator does)."""
    response = emu.http.post(f"{emu.base_url}/_emulator/entra/{path}", json=body or {}, timeout=60)
    response.raise_for_status()
    return response.json()


def sign_in_vars(emu, cache, username):
    args = emu.lcs_module_args(username)
    return {"dataalm_client_id": args["client_id"], "dataalm_username": username,
            "dataalm_tenant_id": args["tenant_id"], "dataalm_token_cache": str(cache), "lcs_api_url": emu.base_url,
            "lcs_authority_url": emu.base_url, "lcs_ca_path": emu.ca_file}


def device_code_sign_in(emu, cache, username, extra_vars=None, verbosity=0, approve_as=None, slow_downs=0,
                        args=None):
    """Run playbooks/sign_in.yml; approve the code it prints, as the person would; return (rc, output)."""
    from devtools.ansible_runner import VENV_BIN, ansible_env

    argv = [str(VENV_BIN / "ansible-playbook"), str(REPO / "playbooks" / "sign_in.yml"), "-i", "localhost,",
            "-e", json.dumps(dict(sign_in_vars(emu, cache, username), **(extra_vars or {})))] + (args or [])
    if verbosity:
        argv.append("-" + "v" * verbosity)
    proc = subprocess.Popen(argv, env=ansible_env(), stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True)
    lines = []
    for line in proc.stdout:
        lines.append(line)
        match = re.search(r"enter the code ([A-Z0-9]+)", line)
        if match and "waiting" not in line:
            emulator_admin(emu, "device-codes/approve", {"user_code": match.group(1),
                                                         "username": approve_as or username,
                                                         "slow_downs": slow_downs})
    return proc.wait(timeout=300), "".join(lines)
