# -*- coding: utf-8 -*-
# Copyright: (c) 2026, d365fo.dataalm contributors
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)
"""The sign-in options every module shares (doc fragment ``d365fo.dataalm.auth``) and the flow they select."""

from __future__ import annotations

import os
import time

from .._env import env_fallback
from .cache import DEFAULT_TOKEN_CACHE, TokenCacheFile, cache_path, vault_encrypted
from .errors import sign_in_again
from .providers import DEFAULT_AUTHORITY, MsalTokenProvider, StaticToken


def identity_options():
    """The sign-in options that say who signs in (never a secret): two tasks alike in these are one identity."""
    return tuple(name for name, option in auth_argument_spec().items() if not option.get("no_log"))


def auth_argument_spec(env_prefix="LCS", exclude=()):
    """The argument spec of the shared sign-in options, each falling back to ``<env_prefix>_<OPTION>``.

    One prefix per plane (``LCS`` for the lcs_* modules and the sign-in module, ``PP``, ``FO``), so the
    credentials of two planes in one pipeline or AWX job never set each other's options. Documented once
    per plane: the ``auth`` doc fragment (LCS), ``powerplatform`` and ``fo_app``.
    """
    spec = dict(
        client_id=dict(type="str"),
        username=dict(type="str"),
        password=dict(type="str", no_log=True),
        client_secret=dict(type="str", no_log=True),
        access_token=dict(type="str", no_log=True),
        refresh_token=dict(type="str", no_log=True),
        token_cache=dict(type="path", no_log=False),
        tenant_id=dict(type="str", default="organizations"),
        authority_url=dict(type="str", default=DEFAULT_AUTHORITY),
    )
    for name, option in spec.items():
        option["fallback"] = (env_fallback, ["%s_%s" % (env_prefix, name.upper())])
    return {name: option for name, option in spec.items() if name not in exclude}


def auth_method(params):
    """Which way the options sign in: access_token, refresh_token, password or token_cache."""
    if params.get("access_token"):
        return "access_token"
    if params.get("refresh_token"):
        return "refresh_token"
    if params.get("password"):
        return "password"
    return "token_cache"


def auth_problem(params):
    """What is wrong with the sign-in options, as a message that says what to change (None when fine).

    Checked before any call, so a run without a usable sign-in starts nothing.
    """
    method = auth_method(params)
    if method == "access_token":
        return None
    if not params.get("client_id"):
        return ("client_id is required (the app registration with the delegated permissions, see "
                "docs/authentication.md); set client_id (or the plane's LCS_CLIENT_ID, PP_CLIENT_ID or "
                "FO_CLIENT_ID), or pass access_token")
    if method == "password" and not params.get("username"):
        return "username is required with password; set username (or the plane's LCS_USERNAME or PP_USERNAME)"
    if method == "token_cache" and not os.path.isfile(cache_path(params.get("token_cache"))):
        return str(sign_in_again(params.get("username"), "there is no token cache at %s (token_cache)"
                                 % cache_path(params.get("token_cache"))))
    cache = cache_path(params.get("token_cache"))
    if (params.get("token_cache") or method == "token_cache") and vault_encrypted(cache):
        # the collection's action plugins decrypt it; this module ran without one (ansible-test, another runner)
        return ("the token cache %s is vault-encrypted and a module cannot decrypt it; run the task with "
                "ansible-playbook and --vault-id or --ask-vault-pass (the collection's action plugins decrypt it "
                "around the module), or give a cache that is not encrypted" % cache)
    return None


def token_cache_for(params):
    """The TokenCacheFile the options ask for, or None for msal's in-memory cache.

    An explicit ``token_cache`` is always used (and created when the first token is saved); the
    default file only when no other credential is given.
    """
    if params.get("token_cache"):
        return TokenCacheFile(params["token_cache"], create=True)
    if auth_method(params) == "token_cache":
        return TokenCacheFile(DEFAULT_TOKEN_CACHE)
    return None


def build_token_provider(params, scope, clock=time.time, warn=None):
    """A token provider for ``scope`` (a string or a list of one resource's scopes) from module parameters.

    Besides the options of ``auth_argument_spec()`` it reads ``validate_certs``, ``ca_path`` and
    ``timeout`` when the module has them. ``warn`` receives advice such as the password-grant
    warning or a read-only cache's notice.
    """
    if params.get("access_token"):
        return StaticToken(params["access_token"])
    return MsalTokenProvider(
        client_id=params.get("client_id"),
        scope=scope,
        authority_url=params.get("authority_url") or DEFAULT_AUTHORITY,
        tenant_id=params.get("tenant_id") or "organizations",
        username=params.get("username"),
        password=params.get("password"),
        client_secret=params.get("client_secret"),
        refresh_token=params.get("refresh_token"),
        cache=token_cache_for(params),
        validate_certs=params.get("validate_certs", True),
        ca_path=params.get("ca_path"),
        timeout=params.get("timeout") or 60,
        clock=clock,
        warn=warn,
    )


def resource_scope(resource_url):
    """The delegated scope of every permission granted on a resource: '<resource>/.default'.

    Power Platform API (https://api.powerplatform.com), an F&O environment URL or a Dataverse URL.
    """
    return resource_url.rstrip("/") + "/.default"


def lcs_scope(lcs_api_url):
    """The LCS token scope: the API host followed by '//.default' (the double slash is deliberate)."""
    return lcs_api_url.rstrip("/") + "//.default"
