# -*- coding: utf-8 -*-
# Copyright: (c) 2026, d365fo.dataalm contributors
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)
"""The addresses a cloud flow sends to, read from and rewritten in its ``clientdata``.

Microsoft documents ``clientdata`` of a ``workflows`` row as "a string-encoded JSON of the flow definition and
its connectionReferences" (learn.microsoft.com/power-automate/manage-flows-with-code). Its JSON may escape
slashes (``https:\\/\\/``, as Microsoft's own sample does), so the text is decoded before any URL is looked for.
An address a flow names directly (an HTTP action's ``uri``, a webhook) is in the definition; a connector action
reaches its system through a connection reference instead (``connection_references.py``).

The definition's ``$schema`` (the Logic Apps schema URL every flow carries) is no target and is skipped.
A ``clientdata`` that is not JSON is searched as text and never rewritten (the flow is turned off instead).
"""

from __future__ import annotations

import json
import re

_URL_IN_TEXT = re.compile(r"""(?:https?|sb)://[^\s"'\\<>]+""", re.IGNORECASE)
NOT_A_TARGET_KEYS = ("$schema",)


def _definition(row):
    """The decoded clientdata (a dict or list), or None when it is empty or not JSON."""
    text = row.get("clientdata")
    if not text:
        return None
    try:
        return json.loads(text) if isinstance(text, str) else text
    except ValueError:
        return None


def _strings(node):
    """Every string value of a decoded definition, except those under keys that name no target."""
    if isinstance(node, dict):
        for key, value in node.items():
            if key not in NOT_A_TARGET_KEYS:
                yield from _strings(value)
    elif isinstance(node, list):
        for value in node:
            yield from _strings(value)
    elif isinstance(node, str):
        yield node


def flow_urls(row):
    """The sorted URLs a flow names (from the decoded definition; from the raw text when it is not JSON)."""
    definition = _definition(row)
    if definition is None:
        text = str(row.get("clientdata") or "").replace("\\/", "/")
        return sorted(set(_URL_IN_TEXT.findall(text)))
    return sorted({url for text in _strings(definition) for url in _URL_IN_TEXT.findall(text)})


def _rewrite(node, replace):
    if isinstance(node, dict):
        return {key: value if key in NOT_A_TARGET_KEYS else _rewrite(value, replace) for key, value in node.items()}
    if isinstance(node, list):
        return [_rewrite(value, replace) for value in node]
    if isinstance(node, str):
        return _URL_IN_TEXT.sub(lambda match: replace(match.group(0)), node)
    return node


def rewritten_clientdata(row, new_url_of):
    """The clientdata with every URL ``new_url_of(url)`` maps replaced (None keeps it), or None when the
    clientdata is not JSON (it is then never rewritten)."""
    definition = _definition(row)
    if definition is None:
        return None

    def replace(url):
        return new_url_of(url) or url

    return json.dumps(_rewrite(definition, replace), separators=(",", ":"))
