# -*- coding: utf-8 -*-
# Copyright: (c) 2026, d365fo.dataalm contributors
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)

from __future__ import absolute_import, division, print_function

__metaclass__ = type


class ModuleDocFragment(object):
    DOCUMENTATION = r"""
options:
  environment_url:
    description:
      - The F&O environment's own URL, for example V(https://contoso-uat.sandbox.operations.dynamics.com), without
        V(/data). On-premises installations add V(/namespaces/AXSF).
      - It is also the token audience (scope V(<environment_url>/.default)).
      - Required. Falls back to E(FO_ENVIRONMENT_URL).
    type: str
  client_id:
    description:
      - Application (client) id of the Entra ID app registration (for a person's sign-in, the app the sign-in
        playbook used).
      - For O(client_secret) sign-in the app must be listed in the environment under System administration > Setup >
        Microsoft Entra applications, mapped to an enabled F&O user with the roles the task needs.
      - Falls back to E(FO_CLIENT_ID).
    type: str
  client_secret:
    description:
      - Client secret of O(client_id), for the application's own sign-in (client-credentials grant). Needs O(tenant_id).
      - Never logged. Falls back to E(FO_CLIENT_SECRET).
    type: str
  tenant_id:
    description:
      - The environment's Entra tenant (id or domain). With O(client_secret) it must be the real tenant, not
        V(organizations).
      - Falls back to E(FO_TENANT_ID).
    type: str
    default: organizations
  access_token:
    description:
      - A bearer token for O(environment_url) obtained elsewhere; used as is and never renewed.
      - Never logged. Falls back to E(FO_ACCESS_TOKEN).
    type: str
  refresh_token:
    description:
      - A person's refresh token (delegated sign-in, for example of the environment administrator after a database
        movement, when no application is registered yet); access tokens are renewed from it during long waits.
      - Never logged. Falls back to E(FO_REFRESH_TOKEN).
    type: str
  token_cache:
    description:
      - Path of the shared sign-in token cache written by the collection's sign-in playbook
        (C(playbooks/sign_in.yml), see C(docs/authentication.md)); a person's delegated tokens for
        O(environment_url) are taken from it silently and renewed during long waits.
      - Without O(client_secret), O(refresh_token) or O(access_token), the default cache
        C(~/.ansible/d365fo_dataalm/token_cache.json) is used.
      - Falls back to E(FO_TOKEN_CACHE).
    type: path
  authority_url:
    description:
      - Entra ID authority host. Falls back to E(FO_AUTHORITY_URL).
    type: str
    default: https://login.microsoftonline.com
  validate_certs:
    description:
      - Verify TLS certificates. Keep V(true) outside tests. Falls back to E(FO_VALIDATE_CERTS).
    type: bool
    default: true
  ca_path:
    description:
      - CA bundle that signs the environment's, storage's and the authority's certificates (for TLS-inspecting
        proxies). Falls back to E(FO_CA_PATH).
    type: path
  timeout:
    description:
      - Seconds to wait for one HTTP response. Throttled requests (HTTP 429) are retried after the service's
        C(Retry-After). Falls back to E(FO_TIMEOUT).
    type: int
    default: 60
notes:
  - All modules of the F&O application layer are in the action group C(d365fo.dataalm.fo_app), so a play sets the
    connection once with C(module_defaults) without touching the SQL modules' group C(d365fo.dataalm.fo).
  - Tokens, refresh tokens, client secrets and the signatures of storage URLs never appear in results, warnings or
    C(-vvvv) output.
"""
