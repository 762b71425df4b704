"""Each fact the collection relies on is defined in exactly one file across plugins/ and roles/.

A "definition" is a literal collection (tuple, list, set, dict, ``dict(...)`` keywords, a YAML list
or mapping) or a single string (a regular expression) that names at least ``min_hits`` of a fact's
words. Documentation (DOCUMENTATION/EXAMPLES/RETURN, docstrings) and comments do not count: they
may mention the words, they do not decide behaviour.

To add a fact, append a ``Fact`` to FACTS: its words, how many of them make a definition, and the
one file allowed to hold it.
"""

from __future__ import annotations

import ast
import functools
import re
from dataclasses import dataclass
from pathlib import Path

import pytest
import yaml

ROOT = Path(__file__).resolve().parents[2]
DOC_NAMES = {"DOCUMENTATION", "EXAMPLES", "RETURN"}


@dataclass(frozen=True)
class Fact:
    name: str
    words: frozenset
    min_hits: int
    home: str
    strings_only: bool = False  # only single strings (regular expressions) count, not collections


def _words(*words):
    return frozenset(re.sub(r"[^a-z0-9]", "", w.lower()) for w in words)


FACTS = [
    Fact("LCS terminal and busy statuses",
         _words("NotStarted", "InProgress", "Completed", "SignedOff", "Failed", "Aborted", "RollbackInProgress",
                "RollbackFailed", "RollbackCompleted"),
         4, "plugins/module_utils/_lcs/status.py"),
    Fact("LCS history types of a movement",
         # each type sits in its own tuple (kind -> types), so one word makes a definition
         _words("SFSourceDbToSandbox", "SFExportSandboxDb"),
         1, "plugins/module_utils/_lcs/status.py"),
    Fact("sign-in option list",
         # without the secret names, which the redaction rules list too
         _words("client_id", "username", "password", "refresh_token", "token_cache", "tenant_id", "authority_url"),
         4, "plugins/module_utils/_auth/options.py"),
    Fact("LCS connection option list",
         _words("lcs_api_url", "project_id", "validate_certs", "ca_path", "timeout"),
         4, "plugins/module_utils/_lcs/options.py"),
    Fact("redaction rules",
         _words("pwd", "password", "client_secret", "access_token", "refresh_token", "id_token", "sig", "bearer",
                "accesstoken", "client_assertion"),
         3, "plugins/module_utils/_redact.py", strings_only=True),
    # Issue 10, F&O semantics: the batch statuses a clean-up holds and the service accounts it keeps enabled
    # (the numeric status list is pinned by tests/unit/test_fo_facts_single_source.py).
    Fact("batch statuses a clean-up holds",
         _words("withhold", "waiting", "executing", "ready", "cancelling", "canceled", "scheduled", "not_run"),
         4, "plugins/module_utils/cleanup.py"),
    Fact("service-account patterns",
         _words("%@dynamics.com", "%@contosoax7.onmicrosoft.com", "%@capintegration01.onmicrosoft.com",
                "%@devtesttie.ccsctp.net", "%@DAXMDSRunner.com"),
         3, "plugins/module_utils/cleanup.py"),
]


def _norm(text):
    return re.sub(r"[^a-z0-9]", "", str(text).lower())


def _tokens(text):
    return {_norm(t) for t in re.findall(r"[A-Za-z][A-Za-z0-9_]*", str(text))}


def _docstring_nodes(tree):
    nodes = set()
    for node in ast.walk(tree):
        if isinstance(node, (ast.Module, ast.ClassDef, ast.FunctionDef, ast.AsyncFunctionDef)) and node.body:
            first = node.body[0]
            if isinstance(first, ast.Expr) and isinstance(first.value, ast.Constant):
                nodes.add(id(first.value))
        if isinstance(node, ast.Assign) and any(getattr(t, "id", None) in DOC_NAMES for t in node.targets):
            nodes.add(id(node.value))
    return nodes


def _strings(nodes):
    return {_norm(n.value) for n in nodes if isinstance(n, ast.Constant) and isinstance(n.value, str)}


def _python_groups(source):
    """Word sets of every literal collection and every single string in a Python file (documentation left out)."""
    tree = ast.parse(source)
    skip = _docstring_nodes(tree)
    for node in ast.walk(tree):
        if id(node) in skip:
            continue
        if isinstance(node, (ast.Tuple, ast.List, ast.Set)):
            yield "collection", _strings(node.elts)
        elif isinstance(node, ast.Dict):
            yield "collection", _strings(node.keys)
        elif isinstance(node, ast.Call) and getattr(node.func, "id", None) == "dict":
            yield "collection", {_norm(k.arg) for k in node.keywords if k.arg}
        elif isinstance(node, ast.Constant) and isinstance(node.value, str):
            yield "string", _tokens(node.value)


def _yaml_groups(value):
    if isinstance(value, dict):
        yield "collection", {_norm(k) for k in value}
        for item in value.values():
            yield from _yaml_groups(item)
    elif isinstance(value, list):
        yield "collection", {_norm(item) for item in value if isinstance(item, str)}
        for item in value:
            yield from _yaml_groups(item)
    elif isinstance(value, str):
        yield "string", _tokens(value)


@functools.cache
def _groups(path):
    text = path.read_text(encoding="utf-8")
    if path.suffix == ".py":
        return list(_python_groups(text))
    return [group for document in yaml.safe_load_all(text) for group in _yaml_groups(document)]


def _files(root):
    for top in ("plugins", "roles"):
        for path in sorted((root / top).rglob("*")):
            if path.suffix in (".py", ".yml", ".yaml") and "doc_fragments" not in path.parts:
                yield path


def definitions(fact, root=ROOT):
    """Files that hold a definition of ``fact``."""
    found = set()
    for path in _files(root):
        for shape, group in _groups(path):
            if fact.strings_only and shape != "string":
                continue
            if len(fact.words & group) >= fact.min_hits:
                found.add(path.relative_to(root).as_posix())
                break
    return found


@pytest.mark.parametrize("fact", FACTS, ids=[f.name for f in FACTS])
def test_fact_is_defined_once(fact):
    assert definitions(fact) == {fact.home}


@pytest.mark.parametrize("text", [
    'TERMINAL = ("Completed", "SignedOff", "Failed", "RollbackCompleted")\n',
    'OPTIONS = dict(client_id=1, username=2, password=3, tenant_id=4, lcs_api_url=5, project_id=6)\n',
    'import re\nSECRET = re.compile(r"(pwd|password|client_secret)=")\n',
    '- name: a role that keeps its own copy\n  vars:\n    finished: [Completed, SignedOff, Failed, Aborted]\n',
])
def test_the_scan_finds_a_copy(tmp_path, text):
    """The scan is not blind: a copy of a fact in another Python or YAML file is found."""
    copy = tmp_path / ("plugins/copy.py" if text[0] != "-" else "roles/copy/tasks/main.yml")
    copy.parent.mkdir(parents=True)
    copy.write_text(text)
    assert any(definitions(fact, tmp_path) for fact in FACTS)
