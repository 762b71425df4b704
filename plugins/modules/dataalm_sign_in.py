#!/usr/bin/python
# -*- coding: utf-8 -*-
# Copyright: (c) 2026, d365fo.dataalm contributors
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)

from __future__ import absolute_import, division, print_function

__metaclass__ = type

DOCUMENTATION = r"""
---
module: dataalm_sign_in
short_description: Sign in once, interactively, into the token cache that every later run uses
version_added: 1.1.0
description:
  - Signs a person (or an automation account with multi-factor authentication) in to Entra ID with the device code
    flow or, on a machine with a browser, the authorization code flow with PKCE and a C(http://localhost) redirect.
  - The tokens go to O(token_cache) (mode 0600), from which every module of the collection acquires tokens silently
    and renews them; runs never need a password. One sign-in covers every plane the account uses (LCS, the Power
    Platform API, F&O environment URLs); a token is acquired for each to prove the consent.
  - With the device code flow the action plugin prints the verification URL and the code on the controller at default
    verbosity, then waits until the person has entered it.
  - Idempotent; when the cache already holds a working sign-in for the account and every plane, nothing happens unless
    O(force=true).
  - A vault-encrypted cache is decrypted and re-encrypted by the action plugin; O(vault_encrypt=true) encrypts a new
    cache with the vault secret of the run.
  - Both flows need the app registration's B(Allow public client flows) set to Yes; the browser flow also needs the
    redirect URI C(http://localhost) (platform "Mobile and desktop applications").
author:
  - d365fo.dataalm contributors (@d365fo-dataalm)
attributes:
  check_mode:
    support: full
    description: Says whether a sign-in is needed; never signs in.
  diff_mode:
    support: none
    description: Nothing to diff.
options:
  client_id:
    description:
      - Application (client) id of the public client app registration with the delegated permissions of the planes.
      - Falls back to E(LCS_CLIENT_ID).
    type: str
    required: true
  tenant_id:
    description: Entra ID tenant id or domain. Falls back to E(LCS_TENANT_ID).
    type: str
    default: organizations
  authority_url:
    description: Entra ID authority host (national clouds or a test emulator). Falls back to E(LCS_AUTHORITY_URL).
    type: str
    default: https://login.microsoftonline.com
  username:
    description:
      - The account to sign in (login hint); the cache may hold several accounts. Falls back to E(LCS_USERNAME),
        then E(LCS_USERNAME).
    type: str
  token_cache:
    description: Token cache file to write; the modules' O(token_cache) reads it. Falls back to E(LCS_TOKEN_CACHE).
    type: path
    default: ~/.ansible/d365fo_dataalm/token_cache.json
  flow:
    description:
      - V(device_code) shows a URL and a code to enter on any device; V(browser) opens the controller's browser.
    type: str
    choices: [device_code, browser]
    default: device_code
  lcs:
    description: Sign in for LCS (scope V(<lcs_api_url>//.default)).
    type: bool
    default: true
  lcs_api_url:
    description: LCS API host of the project's geography. Falls back to E(LCS_API_URL).
    type: str
    default: https://lcsapi.lcs.dynamics.com
  power_platform:
    description: Sign in for the Power Platform API too.
    type: bool
    default: false
  power_platform_api_url:
    description: Power Platform API host.
    type: str
    default: https://api.powerplatform.com
  environment_urls:
    description: F&O (or Dataverse) environment URLs the account will call; one delegated token each.
    type: list
    elements: str
    default: []
  force:
    description: Sign in even when the cache already holds a working sign-in.
    type: bool
    default: false
  vault_encrypt:
    description:
      - Encrypt a new cache with the run's vault secret (handled by the action plugin). An existing encrypted cache
        stays encrypted without this.
    type: bool
    default: false
  sign_in_timeout:
    description: Seconds to wait for the person to complete the sign-in.
    type: int
    default: 900
  validate_certs:
    description: Verify TLS certificates of Entra ID.
    type: bool
    default: true
  ca_path:
    description: CA bundle for TLS verification (proxies, a test emulator). Falls back to E(LCS_CA_PATH).
    type: path
  timeout:
    description: Seconds to wait for one HTTP response.
    type: int
    default: 60
  step:
    description: Set by the action plugin; V(start) asks for a device code, V(finish) waits for the person.
    type: str
    choices: [all, start, finish]
    default: all
  flow_file:
    description: Set by the action plugin; the private file that carries the device code between the two steps.
    type: path
seealso:
  - name: Authentication guide
    description: The app registration, the permissions, pipelines and AWX.
    link: https://github.com/d365fo-dataalm/d365fo.dataalm/blob/main/docs/authentication.md
requirements:
  - msal
  - msal-extensions
"""

EXAMPLES = r"""
- name: Sign in once for LCS and an F&O environment (prints a URL and a code)
  d365fo.dataalm.dataalm_sign_in:
    client_id: 5b8e2f3a-7c41-4d9e-b2a6-1f0e3d4c5b6a
    tenant_id: contoso.onmicrosoft.com
    username: admin@contoso.onmicrosoft.com
    environment_urls:
      - https://contoso-uat.sandbox.operations.dynamics.com

- name: Sign in with the browser into a vault-encrypted cache
  d365fo.dataalm.dataalm_sign_in:
    client_id: 5b8e2f3a-7c41-4d9e-b2a6-1f0e3d4c5b6a
    flow: browser
    token_cache: ~/.ansible/d365fo_dataalm/contoso.vault
    vault_encrypt: true
"""

RETURN = r"""
account:
  description: The signed-in account (user principal name).
  returned: success
  type: str
token_cache:
  description: Path of the token cache written.
  returned: always
  type: str
planes:
  description: Per plane, whether a token could be acquired, and if not the AADSTS code and what to change.
  returned: success
  type: list
  elements: dict
  sample: [{plane: lcs, scope: "https://lcsapi.lcs.dynamics.com//.default", signed_in: true}]
pending:
  description: True after the first step of the device code flow (the action plugin then shows the code).
  returned: when step=start
  type: bool
user_code:
  description: The code the person enters at RV(verification_uri).
  returned: when step=start
  type: str
verification_uri:
  description: The page where the person enters the code.
  returned: when step=start
  type: str
"""

from ansible.module_utils.basic import AnsibleModule, missing_required_lib

from ansible_collections.d365fo.dataalm.plugins.module_utils._auth import (
    MSAL_EXTENSIONS_IMPORT_ERROR, MSAL_IMPORT_ERROR, AuthError, auth_argument_spec)
from ansible_collections.d365fo.dataalm.plugins.module_utils._auth import sign_in as flows
from ansible_collections.d365fo.dataalm.plugins.module_utils._auth.cache import DEFAULT_TOKEN_CACHE, secure_file
from ansible_collections.d365fo.dataalm.plugins.module_utils._lcs.options import connection_argument_spec


def argument_spec():
    # the shared sign-in and connection options (one definition each), less what an interactive sign-in cannot use
    spec = dict(auth_argument_spec(), **connection_argument_spec())
    for name in ("password", "client_secret", "access_token", "refresh_token", "project_id"):
        spec.pop(name)
    spec["client_id"] = dict(spec["client_id"], required=True)
    spec["token_cache"] = dict(spec["token_cache"], default=DEFAULT_TOKEN_CACHE)
    spec.update(
        flow=dict(type="str", default="device_code", choices=["device_code", "browser"]),
        lcs=dict(type="bool", default=True),
        power_platform=dict(type="bool", default=False),
        power_platform_api_url=dict(type="str", default="https://api.powerplatform.com"),
        environment_urls=dict(type="list", elements="str", default=[]),
        force=dict(type="bool", default=False),
        vault_encrypt=dict(type="bool", default=False),
        sign_in_timeout=dict(type="int", default=900),
        step=dict(type="str", default="all", choices=["all", "start", "finish"]),
        flow_file=dict(type="path"),
    )
    return spec


def sign_in(module, app, planes):
    """Run the chosen flow; returns the signed-in account's user name."""
    p = module.params
    if p["flow"] == "browser":
        result = flows.browser_sign_in(app, planes[0][1], p["username"], p["sign_in_timeout"])
    elif p["step"] == "start":
        module.exit_json(changed=False, pending=True, token_cache=p["token_cache"],
                         **flows.start_device_flow(app, planes[0][1], p["flow_file"]))
    elif p["step"] == "finish":
        result = flows.finish_device_flow(app, p["flow_file"])
    else:
        module.fail_json(msg="the device code flow needs the collection's action plugin to show the code; run "
                             "playbooks/sign_in.yml (or the d365fo.dataalm.dataalm_sign_in task) with ansible-playbook")
    return (result.get("id_token_claims") or {}).get("preferred_username") or p["username"]


def main():
    module = AnsibleModule(argument_spec=argument_spec(), supports_check_mode=True)
    for library, error in (("msal", MSAL_IMPORT_ERROR), ("msal-extensions", MSAL_EXTENSIONS_IMPORT_ERROR)):
        if error is not None:
            module.fail_json(msg=missing_required_lib(library), exception=error)
    p = module.params
    planes = flows.plane_scopes(p)
    if not planes:
        module.fail_json(msg="nothing to sign in for: set lcs, power_platform or environment_urls")
    if p["flow"] == "device_code" and p["step"] != "all" and not p["flow_file"]:
        module.fail_json(msg="flow_file is required with step=%s" % p["step"])
    try:
        cache = flows.open_cache(p["token_cache"])
        app = flows.application(p, cache)
        account = flows.signed_in_account(app, p["username"])
        if p["step"] != "finish" and account is not None and not p["force"]:
            outcomes = flows.check_planes(app, account, planes)
            if all(outcome["signed_in"] for outcome in outcomes):
                module.exit_json(changed=False, account=account.get("username"), planes=outcomes,
                                 token_cache=cache.path, msg="already signed in as %s" % account.get("username"))
        if module.check_mode:
            module.exit_json(changed=True, token_cache=cache.path, msg="would sign in (%s)" % p["flow"])
        username = sign_in(module, app, planes)
        account = flows.signed_in_account(app, username)
        outcomes = flows.check_planes(app, account, planes[1:]) if account else []
    except AuthError as exc:
        module.fail_json(msg="sign-in failed: %s" % exc, aadsts=exc.code, token_cache=p["token_cache"])
    secure_file(cache.path)
    planes_result = [dict(plane=planes[0][0], scope=planes[0][1], signed_in=True)] + outcomes
    module.exit_json(changed=True, account=username, planes=planes_result, token_cache=cache.path,
                     msg="signed in as %s; runs can now use token_cache %s" % (username, cache.path))


if __name__ == "__main__":
    main()
