"""The AADSTS mapping for cached sign-ins: each code says which account must run sign_in.yml again."""

from __future__ import annotations

import pytest
from ansible_collections.d365fo.dataalm.plugins.module_utils._auth import (
    AuthError,
    SignInRequired,
    auth_problem,
    refusal,
)


@pytest.mark.parametrize("code", ["50076", "50079", "53003", "70043", "700082", "50173", "9002313"])
def test_a_refused_cached_sign_in_says_run_sign_in_again_for_the_account(code):
    result = {"error": "invalid_grant", "error_description": "AADSTS%s: something happened. Trace ID: x" % code}
    error = refusal(result, "mfa@contoso.example", "/tmp/cache.json", cached=True)
    assert isinstance(error, SignInRequired) and error.code == code
    assert "Run `sign_in.yml` again for mfa@contoso.example" in str(error)
    assert "AADSTS%s" % code in str(error) and "/tmp/cache.json" in str(error)


def test_the_same_codes_from_a_password_grant_keep_their_own_advice():
    error = refusal({"error": "invalid_grant", "error_description": "AADSTS50076: MFA."}, "u@x", cached=False)
    assert not isinstance(error, SignInRequired) and isinstance(error, AuthError)
    assert "sign in interactively once with sign_in.yml" in str(error)


def test_options_without_a_cache_fail_before_any_call(tmp_path):
    message = auth_problem({"client_id": "c", "username": "u@x", "token_cache": str(tmp_path / "none.json")})
    assert "no token cache at %s" % (tmp_path / "none.json") in message and "again for u@x" in message
    assert "client_id is required" in auth_problem({"token_cache": str(tmp_path)})
    assert "username is required" in auth_problem({"client_id": "c", "password": "p"})
    assert auth_problem({"access_token": "t"}) is None
