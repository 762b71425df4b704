# -*- coding: utf-8 -*-
# Copyright: (c) 2026, d365fo.dataalm contributors
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)

from __future__ import absolute_import, division, print_function

__metaclass__ = type


class ModuleDocFragment(object):
    DOCUMENTATION = r"""
options:
  client_id:
    description:
      - Application (client) id of the Entra ID app registration.
      - For a service principal (recommended for automation) give O(client_secret) and O(tenant_id); the app must
        be registered as a Power Platform admin application and hold the B(Power Platform Contributor) role, and
        environment-level calls also need an application user with System Administrator in the environment (see
        C(docs/power-platform.md) in the collection).
      - Required unless O(access_token) is given. Falls back to E(PP_CLIENT_ID).
    type: str
  client_secret:
    description:
      - Client secret of the app registration (its value, not its id). Without O(username), O(password),
        O(refresh_token), O(token_cache) and O(access_token) the module signs in as the app itself
        (client-credentials grant); with them it is the secret of a confidential client signing in a user.
      - Never logged. Falls back to E(PP_CLIENT_SECRET).
    type: str
  tenant_id:
    description:
      - Entra ID tenant id or domain. A service principal needs the real tenant; V(organizations) only works for
        user accounts.
      - Falls back to E(PP_TENANT_ID).
    type: str
    default: organizations
  username:
    description:
      - User principal name of a Power Platform administrator, for the resource-owner password grant (an account
        without multi-factor authentication). Prefer a service principal.
      - Falls back to E(PP_USERNAME).
    type: str
  password:
    description:
      - Password of O(username). Never logged. Falls back to E(PP_PASSWORD).
    type: str
  access_token:
    description:
      - A Power Platform API bearer token (audience V(https://api.powerplatform.com)) obtained elsewhere. It is used
        as is and cannot be renewed, so long waits need a token that outlives them.
      - It does not serve the BAP admin API, so M(d365fo.dataalm.pp_environment_admin_mode) also needs
        O(client_id) and a credential.
      - Never logged. Falls back to E(PP_ACCESS_TOKEN).
    type: str
  refresh_token:
    description:
      - A refresh token of a user who signed in to the app registration; access tokens for both APIs are
        requested with it.
      - Never logged. Falls back to E(PP_REFRESH_TOKEN).
    type: str
  token_cache:
    description:
      - Token cache file written by C(playbooks/sign_in.yml), for a person who signs in once (multi-factor
        authentication works) and then runs unattended; see C(docs/authentication.md).
      - Used when no O(client_secret) is given; without O(username), O(password), O(refresh_token) or
        O(access_token) the default cache V(~/.ansible/d365fo_dataalm/token_cache.json) is used.
      - Falls back to E(PP_TOKEN_CACHE).
    type: path
  authority_url:
    description:
      - Entra ID authority host. Change it only for national clouds or a test emulator.
      - Falls back to E(PP_AUTHORITY_URL).
    type: str
    default: https://login.microsoftonline.com
  pp_api_url:
    description:
      - Base URL of the Power Platform API. A Power Platform host is its own token audience (V(<pp_api_url>/.default));
        any other host (a proxy, a test emulator) gets tokens for V(https://api.powerplatform.com).
      - Falls back to E(PP_API_URL).
    type: str
    default: https://api.powerplatform.com
  bap_api_url:
    description:
      - Base URL of the BAP admin API, used only to switch admin mode and background operations. Its token
        audience is V(https://service.powerapps.com/) (the matching audience for the US government hosts).
      - Falls back to E(PP_BAP_API_URL).
    type: str
    default: https://api.bap.microsoft.com
  api_version:
    description:
      - C(api-version) sent with every Power Platform API call. V(2024-10-01) is the documented GA version;
        V(2022-03-01-preview) is what Microsoft's 2026 unified-environment tutorials use.
      - Falls back to E(PP_API_VERSION).
    type: str
    default: "2024-10-01"
    choices: ["2024-10-01", "2022-03-01-preview"]
  validate_certs:
    description:
      - Verify TLS certificates of Entra ID and the Power Platform. Leave on outside tests.
    type: bool
    default: true
  ca_path:
    description:
      - CA bundle used to verify TLS certificates, for proxies that inspect TLS or a test emulator.
      - Falls back to E(PP_CA_PATH).
    type: path
  timeout:
    description:
      - Seconds to wait for one HTTP response.
    type: int
    default: 60
notes:
  - Calls are retried with full-jitter exponential backoff on throttling (HTTP 429, honouring C(Retry-After)),
    server errors and dropped connections, within a bounded total retry time; tokens are renewed before they
    expire and after a 401.
  - A refused call names the grant that is missing (admin application registration, Power Platform Contributor
    role, or an application user in the environment) or, for a 401, the token audience to use.
  - Set the options once for all Power Platform modules with C(module_defaults) and the group
    C(group/d365fo.dataalm.powerplatform). Environment variables are C(PP_*) only, so they never collide with the
    LCS ones.
requirements:
  - requests
  - msal
"""
