# -*- coding: utf-8 -*-
# Copyright: (c) 2026, d365fo.dataalm contributors
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)
"""The pp_* options, defined once for the modules and their action plugins, and the checks that run
before any call. Documented in plugins/doc_fragments/powerplatform.py and powerplatform_wait.py.

Every option falls back to a ``PP_*`` environment variable only, so an LCS credential and a Power
Platform credential in the same pipeline never collide.
"""

from __future__ import annotations

import re


from .._auth import DEFAULT_AUTHORITY, auth_argument_spec, auth_method, auth_problem
from .._env import env_fallback
from .._movement.errors import InputError
from .client import API_VERSIONS, DEFAULT_API_VERSION, DEFAULT_BAP_API_URL, DEFAULT_PP_API_URL

DEFAULT_WAIT_TIMEOUT = 90000
DEFAULT_POLL_INTERVAL = 60
# the module that follows any Power Platform lifecycle operation by id
OPERATION_INFO = "d365fo.dataalm.pp_operation_info"
# an environment id is a GUID; the tenant's default environment is 'Default-<tenant id>'
_ENVIRONMENT_ID_RE = re.compile(r"^(?:Default-)?[0-9a-fA-F]{8}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-"
                                r"[0-9a-fA-F]{12}$")
_GUID_RE = re.compile(r"^[0-9a-fA-F]{8}-?[0-9a-fA-F]{4}-?[0-9a-fA-F]{4}-?[0-9a-fA-F]{4}-?[0-9a-fA-F]{12}$")
_URL_RE = re.compile(r"^https://[^/\s?#]+(?:/[^\s?#]*)?$")
_TENANTLESS = ("organizations", "common", "consumers")


def _env(name):
    return (env_fallback, ["PP_" + name])


def connection_argument_spec():
    """Sign-in and endpoint options every pp_* module takes.

    The sign-in options are the shared ones of ``_auth`` (same types, defaults and no_log), each
    falling back to ``PP_<OPTION>`` instead of the LCS/D365FO variables.
    """
    spec = auth_argument_spec("PP")
    spec.update(
        pp_api_url=dict(type="str", default=DEFAULT_PP_API_URL, fallback=_env("API_URL")),
        bap_api_url=dict(type="str", default=DEFAULT_BAP_API_URL, fallback=_env("BAP_API_URL")),
        api_version=dict(type="str", default=DEFAULT_API_VERSION, choices=list(API_VERSIONS),
                         fallback=_env("API_VERSION")),
        validate_certs=dict(type="bool", default=True),
        ca_path=dict(type="path", fallback=_env("CA_PATH")),
        timeout=dict(type="int", default=60),
    )
    return spec


def wait_argument_spec(wait_default=True, wait_timeout=DEFAULT_WAIT_TIMEOUT, poll_interval=DEFAULT_POLL_INTERVAL):
    """Options of every pp_* module that can wait."""
    return dict(
        wait=dict(type="bool", default=wait_default),
        wait_timeout=dict(type="int", default=wait_timeout),
        poll_interval=dict(type="int", default=poll_interval),
    )


CONNECTION_OPTIONS = tuple(connection_argument_spec())


def _names_no_user(params):
    """No access token, refresh token, password, user name or token cache among the options."""
    return auth_method(params) == "token_cache" and not params.get("token_cache") and not params.get("username")


def service_principal(params):
    """True when the options sign in as the app itself (client credentials), not as a user."""
    return bool(params.get("client_secret")) and _names_no_user(params)


def check_connection(params, needs_bap=False):
    """Every connection option checked before the first call; raises InputError."""
    for name, example in (("pp_api_url", DEFAULT_PP_API_URL), ("bap_api_url", DEFAULT_BAP_API_URL),
                          ("authority_url", DEFAULT_AUTHORITY)):
        if not _URL_RE.match(params.get(name) or ""):
            raise InputError("%s must be an https URL such as %s; got %r" % (name, example, params.get(name)))
    for name in ("timeout", "wait_timeout", "poll_interval"):
        if params.get(name) is not None and params[name] <= 0:
            raise InputError("%s must be a positive number of seconds; got %s" % (name, params[name]))
    if params.get("access_token") and not needs_bap:
        return
    _check_credentials(params, needs_bap)


def _check_credentials(params, needs_bap):
    if not params.get("client_id"):
        if needs_bap and params.get("access_token"):
            raise InputError("access_token only serves the Power Platform API; the admin-mode switch calls the BAP "
                             "admin API, which needs its own token: also set client_id and a credential so the "
                             "collection can request one")
        raise InputError("client_id is required (the Entra ID app registration); set client_id or PP_CLIENT_ID, "
                         "or pass access_token")
    if params.get("password") and not params.get("username"):
        raise InputError("password needs username; set username or PP_USERNAME")
    if service_principal(params):
        if (params.get("tenant_id") or "organizations").lower() in _TENANTLESS:
            raise InputError("a service principal (client_id + client_secret) signs in to one tenant: set tenant_id "
                             "(or PP_TENANT_ID) to your tenant id or domain instead of %r" % params.get("tenant_id"))
        return
    if _names_no_user(params) and auth_problem(params):
        # nothing given and no default token cache either
        raise InputError("no credential for client_id: give its client secret (a service principal, recommended "
                         "for automation), or sign in once with playbooks/sign_in.yml (token cache), or give a user "
                         "name and password or a refresh token")
    problem = auth_problem(dict(params, access_token=None))
    if problem:
        raise InputError(problem)


def check_environment_id(value, name="environment_id"):
    text = str(value or "").strip()
    if not _ENVIRONMENT_ID_RE.match(text):
        raise InputError("%s must be a Power Platform environment id (a GUID such as "
                         "2f4a7c1e-0b5d-4e8f-9a6b-3c2d1e0f9a8b, or Default-<tenant id>); got %r. pp_environment_info "
                         "lists the ids" % (name, value))
    return text


def check_guid(value, name):
    text = str(value or "").strip()
    if not _GUID_RE.match(text):
        raise InputError("%s must be a GUID such as 2f4a7c1e-0b5d-4e8f-9a6b-3c2d1e0f9a8b; got %r" % (name, value))
    return text.lower()
