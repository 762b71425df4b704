# -*- coding: utf-8 -*-
# Copyright: (c) 2026, d365fo.dataalm contributors
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)

from __future__ import absolute_import, division, print_function

__metaclass__ = type


class ModuleDocFragment(object):
    # The sign-in options of every module that calls a Microsoft cloud API (LCS, Power Platform, F&O).
    DOCUMENTATION = r"""
options:
  client_id:
    description:
      - Application (client) id of the Entra ID app registration with the delegated permissions of the planes
        the module calls (docs/authentication.md lists them), for example B(Dynamics Lifecycle services)
        C(user_impersonation) for LCS.
      - Required unless O(access_token) is given. Falls back to E(LCS_CLIENT_ID).
    type: str
  token_cache:
    description:
      - Token cache file written by C(playbooks/sign_in.yml) (the M(d365fo.dataalm.dataalm_sign_in) module). Tokens
        are acquired from it silently and renewed before they expire; no password is needed, so accounts with
        multi-factor authentication or conditional access work.
      - When no O(password), O(refresh_token) or O(access_token) is given, the default
        V(~/.ansible/d365fo_dataalm/token_cache.json) is used. Given explicitly, it is also used by those flows
        and created (mode 0600) when the first token is saved.
      - Many processes may share one cache; it is locked and written atomically. A read-only cache (a pipeline
        secure file, an AWX credential file) works too; renewed tokens are then not saved and a warning says
        until when the cached refresh token keeps working.
      - A cache encrypted with ansible-vault is decrypted and re-encrypted by the action plugin of the modules
        that have one (the sign-in module and the waiting modules).
      - Falls back to E(LCS_TOKEN_CACHE).
    type: path
  username:
    description:
      - User principal name of the signed-in person or automation account. With O(token_cache) it picks the
        account when the cache holds several; with O(password) it is the password grant's user.
      - For LCS the account must be a project member (project owner or environment administrator).
      - Falls back to E(LCS_USERNAME).
    type: str
  password:
    description:
      - Password of O(username) for the resource-owner password grant, which cannot do multi-factor
        authentication and is discouraged by Microsoft; every run that uses it warns. Prefer O(token_cache).
      - Never logged. Falls back to E(LCS_PASSWORD).
    type: str
  refresh_token:
    description:
      - A refresh token of the account, redeemed for access tokens instead of a cache. Entra ID rotates refresh
        tokens, and the rotated ones are kept only in memory (or in O(token_cache) when given), so prefer
        O(token_cache) for scheduled runs.
      - Never logged. Falls back to E(LCS_REFRESH_TOKEN).
    type: str
  client_secret:
    description:
      - Client secret, only when the app registration is a confidential client (public client flows off). The
        interactive sign-in needs a public client (Allow public client flows = Yes).
      - Never logged. Falls back to E(LCS_CLIENT_SECRET).
    type: str
  access_token:
    description:
      - A bearer token obtained elsewhere for the API the module calls. It is used as is and cannot be renewed,
        so long waits need a token that outlives them; prefer O(token_cache).
      - Never logged. Falls back to E(LCS_ACCESS_TOKEN).
    type: str
  tenant_id:
    description:
      - Entra ID tenant id or domain. V(organizations) lets Entra find the tenant from the user name.
      - Falls back to E(LCS_TENANT_ID).
    type: str
    default: organizations
  authority_url:
    description:
      - Entra ID authority host. Change it only for national clouds or a test emulator.
      - Falls back to E(LCS_AUTHORITY_URL).
    type: str
    default: https://login.microsoftonline.com
notes:
  - The options select the sign-in in this order - O(access_token), O(refresh_token), O(username) with
    O(password), and otherwise the token cache alone.
  - When a cached sign-in can no longer be renewed (refresh token expired after inactivity, revoked, password
    changed, multi-factor or conditional-access policy changed), the module fails before it changes anything
    and says to run C(sign_in.yml) again for the account concerned.
requirements:
  - msal
  - msal-extensions
"""
