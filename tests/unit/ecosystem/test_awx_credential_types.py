"""The AWX / Automation Platform credential types in extensions/awx/ match what the modules read.

Every environment variable a credential type injects is one that some module reads as an option
fallback, every variable a module reads is injected by exactly one credential type, and each
injector template names only the credential type's own input fields.
"""

from __future__ import annotations

import importlib
import pkgutil
from pathlib import Path

import jinja2
import jinja2.meta
import pytest
import yaml
from ansible.module_utils import basic
from ansible_collections.d365fo.dataalm.plugins.module_utils import _env

REPO = Path(__file__).resolve().parents[3]
CREDENTIAL_TYPES = sorted((REPO / "extensions" / "awx" / "credential_types").glob("*.yml"))
MODULES_PACKAGE = "ansible_collections.d365fo.dataalm.plugins.modules"
# Names AWX itself provides to injector templates (the files it writes for ``file`` injectors).
AWX_NAMES = {"tower", "awx"}


class _Captured(Exception):
    def __init__(self, argument_spec):
        super().__init__("argument spec captured")
        self.argument_spec = argument_spec


def module_argument_specs() -> dict[str, dict]:
    """Every module's argument spec, as the module builds it (stopped before it parses any input)."""
    def capture(self, argument_spec, *args, **kwargs):
        raise _Captured(argument_spec)

    specs = {}
    package = importlib.import_module(MODULES_PACKAGE)
    original = basic.AnsibleModule.__init__
    basic.AnsibleModule.__init__ = capture
    try:
        for info in pkgutil.iter_modules(package.__path__):
            module = importlib.import_module("%s.%s" % (MODULES_PACKAGE, info.name))
            try:
                module.main()
            except _Captured as captured:
                specs[info.name] = captured.argument_spec
    finally:
        basic.AnsibleModule.__init__ = original
    return specs


def env_fallbacks(spec: dict) -> set[str]:
    names = set()
    for option in spec.values():
        fallback = option.get("fallback")
        if fallback and fallback[0] in (basic.env_fallback, _env.env_fallback):
            names.update(fallback[1])
        names |= env_fallbacks(option.get("options") or {})
    return names


def injected(credential_type: dict) -> set[str]:
    return set((credential_type.get("injectors") or {}).get("env") or {})


def load(path: Path) -> dict:
    return yaml.safe_load(path.read_text())


def test_every_module_is_inspected():
    specs = module_argument_specs()
    modules = {p.stem for p in (REPO / "plugins" / "modules").glob("*.py") if p.stem != "__init__"}
    assert set(specs) == modules


def test_every_variable_a_module_reads_has_exactly_one_injector():
    read = set().union(*(env_fallbacks(spec) for spec in module_argument_specs().values()))
    owners = {}
    for path in CREDENTIAL_TYPES:
        for name in injected(load(path)):
            owners.setdefault(name, []).append(path.name)
    assert {n: o for n, o in owners.items() if len(o) > 1} == {}, "a variable injected by two credential types"
    assert sorted(read - set(owners)) == [], "variables modules read that no credential type injects"
    assert sorted(set(owners) - read) == [], "injected variables that no module reads"


@pytest.mark.parametrize("path", CREDENTIAL_TYPES, ids=lambda p: p.stem)
def test_injectors_use_only_their_own_fields(path):
    credential_type = load(path)
    fields = {field["id"] for field in credential_type["inputs"]["fields"]}
    assert set(credential_type["inputs"].get("required", [])) <= fields
    env = jinja2.Environment()
    injectors = credential_type["injectors"]
    templates = list((injectors.get("env") or {}).values()) + list((injectors.get("file") or {}).values())
    for template in templates:
        names = jinja2.meta.find_undeclared_variables(env.parse(template))
        assert names <= fields | AWX_NAMES, (path.name, template)


@pytest.mark.parametrize("path", CREDENTIAL_TYPES, ids=lambda p: p.stem)
def test_secret_fields_are_marked_secret(path):
    for field in load(path)["inputs"]["fields"]:
        if any(word in field["id"] for word in ("password", "secret", "token", "cache")):
            assert field.get("secret") is True, (path.name, field["id"])
