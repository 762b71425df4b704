# -*- coding: utf-8 -*-
# Copyright: (c) 2026, d365fo.dataalm contributors
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)
"""Small OData facts: key and literal formatting, action results, F&O error text, value comparison."""

from __future__ import annotations

import json
from urllib.parse import quote

# F&O answers a failure with this text and puts the useful part in innererror
GENERIC_MESSAGES = ("an error has occurred.", "an error has occurred")


def literal(value):
    """An OData URL literal: strings quoted (quotes doubled), booleans lower-case, numbers as they are."""
    if value is None:
        return "null"
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, (int, float)):
        return repr(value)
    return "'%s'" % str(value).replace("'", "''")


def key_path(entity, key):
    """``Entity(Field1='a',Field2=5)`` with every literal percent-encoded for the URL path."""
    parts = ["%s=%s" % (name, quote(literal(value), safe="'")) for name, value in key.items()]
    return "%s(%s)" % (entity, ",".join(parts))


def action_value(body):
    """The result of an action, whichever of the documented shapes F&O used.

    ``value`` may be a plain value, a nested ``{"value": ...}`` (as the DMF examples show) or a JSON-encoded
    string (GetAzureWriteUrl), which may itself be encoded once more; all come back decoded.
    """
    value = body
    while isinstance(value, dict) and "value" in value:
        value = value["value"]
    for _decoding in range(2):
        if not isinstance(value, str) or value.strip()[:1] not in ("{", "[", '"'):
            break
        try:
            value = json.loads(value)
        except ValueError:
            break
    while isinstance(value, dict) and "value" in value and len(value) <= 2:
        value = value["value"]
    return value


def error_text(body):
    """The service's own words from an OData error body, most specific last; never the stack trace."""
    if not isinstance(body, dict):
        return None
    messages = []
    node = body.get("error") or body.get("Error")
    while isinstance(node, dict):
        message = node.get("message") or node.get("Message")
        if isinstance(message, dict):  # OData 3 style {"lang": ..., "value": ...}
            message = message.get("value")
        if message and message not in messages:
            messages.append(str(message))
        node = node.get("innererror") or node.get("internalexception") or node.get("InnerError")
    specific = [m for m in messages if m.strip().lower() not in GENERIC_MESSAGES]
    return ": ".join(specific or messages) or None


def same_value(current, desired):
    """True when a record's ``current`` field already holds ``desired``.

    F&O sends NoYes enums as "Yes"/"No" and numbers as JSON numbers; a playbook may write true/false and
    "25". Anything else compares exactly, so nothing is ever considered equal by accident.
    """
    if current == desired and type(current) is type(desired):
        return True
    if isinstance(desired, bool) and isinstance(current, str):
        return current == ("Yes" if desired else "No")
    if isinstance(current, bool) and isinstance(desired, str):
        return desired.lower() == ("true" if current else "false")
    numbers = (int, float)
    if isinstance(current, numbers) and not isinstance(current, bool):
        try:
            return float(desired) == float(current) and not isinstance(desired, bool)
        except (TypeError, ValueError):
            return False
    return current == desired


def wire_value(current, desired):
    """The value to send: true/false become "Yes"/"No" where the entity holds a NoYes enum."""
    if isinstance(desired, bool) and current in ("Yes", "No"):
        return "Yes" if desired else "No"
    return desired
