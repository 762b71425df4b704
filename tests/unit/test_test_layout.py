"""Tests share fixtures through conftest.py, never by importing a test module by its bare name (issue 10).

A bare ``import test_x`` works only because pytest puts the test's directory on sys.path; the imported module
is then a second copy of a collected test module, and its fixtures are re-bound by assignment. Helpers live in
modules that are not named like tests (``http_support.py``), fixtures in ``conftest.py``.
"""

from __future__ import annotations

import ast
from pathlib import Path

TESTS = Path(__file__).resolve().parents[1]


def _bare_test_imports(path, root=TESTS):
    tree = ast.parse(path.read_text(encoding="utf-8"))
    for node in ast.walk(tree):
        names = [alias.name for alias in node.names] if isinstance(node, ast.Import) else (
            [node.module] if isinstance(node, ast.ImportFrom) and node.module and not node.level else [])
        for name in names:
            first = name.split(".")[0]
            if first.startswith("test_") or first == "conftest":
                yield "%s:%d imports %s" % (path.relative_to(root), node.lineno, name)


def test_no_test_module_is_imported_by_its_bare_name():
    found = [line for path in sorted(TESTS.rglob("*.py")) for line in _bare_test_imports(path)]
    assert not found, "\n".join(found)


def test_the_scan_finds_a_bare_import(tmp_path):
    copy = tmp_path / "test_copy.py"
    copy.write_text("import test_http_support\nfrom conftest import server\n")
    assert len(list(_bare_test_imports(copy, tmp_path))) == 2
