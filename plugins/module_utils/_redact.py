# -*- coding: utf-8 -*-
# Copyright: (c) 2026, d365fo.dataalm contributors
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)
"""The one place that removes secrets: HTTP bodies, ODBC strings, module results and the run report.

Passwords, tokens (bearer, refresh, id, JWTs), client secrets and SAS signatures never reach a
result, a warning or a report. Text is masked by shape; a dict is copied with credential keys masked
and the ``invocation`` (module arguments) dropped; values the caller knows to be secret (a password
it was given) are masked wherever they appear, whatever their shape. SAS parameters:
https://learn.microsoft.com/en-us/rest/api/storageservices/create-service-sas ; ODBC keywords:
https://learn.microsoft.com/en-us/sql/connect/odbc/dsn-connection-string-attribute
"""

from __future__ import annotations

import re

REDACTED = "********"

# Keys whose values are credentials whatever they contain.
SECRET_KEY_PATTERN = re.compile(
    r"(password|passwd|secret|token|credential|connection_string|authorization|api_?key|private_key|"
    r"client_assertion)|(^|_)(pwd|sas|sig)(_|$)",
    re.IGNORECASE,
)
# Keys that are not secrets although they match the pattern above.
SAFE_KEYS = frozenset(("token_type", "tokens", "no_log_values", "changed"))

_MASK_VALUE = r"\1=" + REDACTED
SECRET_TEXT_PATTERNS = (
    # ODBC / ADO keywords: the value runs to the next ';' and may be {braced; with semicolons}
    (re.compile(r"(?i)\b(pwd|password|accesstoken)\s*=\s*(\{(?:[^}]|\}\})*\}|[^;&\"'\r\n]*)"), _MASK_VALUE),
    # OAuth form fields and query parameters, SAS signatures
    (re.compile(r"(?i)\b(sig|signature|client_secret|access_token|refresh_token|id_token|client_assertion)"
                r"=([^&;\s\"']+)"), _MASK_VALUE),
    # JSON fields holding secrets (a SAS download URL is one)
    (re.compile(r'(?i)("(?:password|client_secret|access_token|refresh_token|id_token|FileLocation|download_url)"'
                r'\s*:\s*")([^"]*)(")'), r"\1" + REDACTED + r"\3"),
    # "client_secret: x", "password: x" in free text
    (re.compile(r"(?i)\b(client_secret|password)(\"?\s*:\s*\"?)[^\s\",;]+"), r"\1\2" + REDACTED),
    (re.compile(r"(?i)\bbearer\s+[A-Za-z0-9\-._~+/]+=*"), "Bearer " + REDACTED),
    # bare JSON Web Tokens (access and id tokens) wherever they appear
    (re.compile(r"\beyJ[A-Za-z0-9_\-]+\.[A-Za-z0-9_\-]+\.[A-Za-z0-9_\-]*"), REDACTED),
)


_ODBC_SECRET_RE = re.compile(r"(?i)(?:^|;)\s*(?:PWD|PASSWORD|ACCESSTOKEN)\s*=\s*(\{(?:[^}]|\}\})*\}|[^;]*)")


def odbc_secrets(conn_str):
    """The secret values of an ODBC connection string (PWD, PASSWORD, ACCESSTOKEN; braces undone)."""
    found = []
    for match in _ODBC_SECRET_RE.finditer(conn_str):
        value = match.group(1)
        if value.startswith("{"):
            value = value[1:-1].replace("}}", "}")
        if value:
            found.append(value)
    return found


def redact(value, secrets=()):
    """A copy of ``value`` (text, dict, list or scalar) without secrets.

    ``secrets`` are values known to be secret (a password from the module's options), masked
    verbatim before the shape rules run.
    """
    if isinstance(value, dict):
        return _redact_dict(value, secrets)
    if isinstance(value, (list, tuple)):
        return [redact(item, secrets) for item in value]
    if value is None or isinstance(value, (bool, int, float)):
        return value
    return _redact_text(str(value), secrets)  # anything else (an exception, a URL object) as its text


def _redact_dict(value, secrets):
    cleaned = {}
    for key, item in value.items():
        if key == "invocation":
            continue  # module arguments: the first place a secret would leak
        if isinstance(key, str) and key not in SAFE_KEYS and SECRET_KEY_PATTERN.search(key):
            if item not in (None, "", [], {}):
                cleaned[key] = REDACTED
            continue
        cleaned[key] = redact(item, secrets)
    return cleaned


def _redact_text(text, secrets):
    for secret in secrets or ():
        if secret:
            text = text.replace(secret, REDACTED)
    for pattern, replacement in SECRET_TEXT_PATTERNS:
        text = pattern.sub(replacement, text)
    return text
