# -*- coding: utf-8 -*-
# Copyright: (c) 2026, d365fo.dataalm contributors
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)
"""Environment rules of LCS database movements, written once for the lcs_* modules and dataalm_preflight.

- refresh: Production or Sandbox source -> Sandbox target; point-in-time restore: Production source;
  export: Sandbox only (https://learn.microsoft.com/en-us/dynamics365/fin-ops-core/dev-itpro/database/dbmovement-operations);
- Tier-1 (cloud-hosted, DevTestDev, customer-managed) environments cannot be targets;
- a movement copies another environment into the target, so source and target differ;
- export backup names: letters, digits, '_', '-' and '.', no spaces, at most 100 characters, no extension
  (LCS validates the name it puts in the asset library; ``backupName`` is a URL path segment:
  https://learn.microsoft.com/en-us/dynamics365/fin-ops-core/dev-itpro/database/api/v1/reference-create-export).
"""

from __future__ import annotations

import re

from .._movement.errors import InputError

PRODUCTION = "production"
SANDBOX = "sandbox"
TIER1 = "tier1"

# EnvironmentType spellings (LCS metadata, inventories, other tools) -> class
_TYPE_CLASSES = {
    "production": PRODUCTION, "prod": PRODUCTION,
    "sandbox": SANDBOX, "uat": SANDBOX,
    "devtestdev": TIER1, "devtest": TIER1, "dev": TIER1, "tier1": TIER1, "build": TIER1, "devbuild": TIER1,
    "demo": TIER1,
}
# the source classes each kind of movement accepts; every movement writes into a Sandbox
SOURCE_CLASSES = {
    "refresh": (PRODUCTION, SANDBOX),
    "point_in_time_restore": (PRODUCTION,),
    "export": (SANDBOX,),
}
TARGET_CLASSES = (SANDBOX,)

BACKUP_NAME_MAX = 100
BACKUP_NAME_RE = re.compile(r"^[A-Za-z0-9][A-Za-z0-9_.\-]*$")


def _norm(value):
    return re.sub(r"[^a-z0-9]", "", str(value or "").lower())


def environment_class(facts):
    """``production``, ``sandbox``, ``tier1``, or the normalised type (``unknown`` when absent)."""
    kind = _norm(facts.get("type"))
    known = _TYPE_CLASSES.get(kind)
    if known is not None:
        return known
    if _norm(facts.get("infrastructure")) == "customermanaged":
        return TIER1  # customer-managed environments that are not Sandbox/Production are development boxes
    return kind or "unknown"


def is_tier1(facts):
    """Cloud-hosted / Tier-1 development environments: LCS cannot refresh into them."""
    return environment_class(facts) == TIER1


def same_environment(left_id, right_id):
    """True when two environment ids name the same environment, whatever their spelling."""
    left, right = _norm(left_id), _norm(right_id)
    return bool(left) and left == right


def target_problem(target):
    """None when ``target`` may receive a movement, else ``production``, ``tier1`` or ``not_sandbox``."""
    target_class = environment_class(target)
    if target_class in TARGET_CLASSES:
        return None
    if target_class in (PRODUCTION, TIER1):
        return target_class
    return "not_sandbox"


def source_allowed(kind, source):
    """True when ``source`` is of a class the movement ``kind`` accepts."""
    return environment_class(source) in SOURCE_CLASSES[kind]


def validate_backup_name(name):
    """The backup name, or InputError saying how to rename it (checked before LCS is called)."""
    if name is None or not str(name).strip():
        raise InputError("backup_name must not be empty; give the name the backup should have in the asset library, "
                         "e.g. uat-2026-11-21")
    if not BACKUP_NAME_RE.match(name) or len(name) > BACKUP_NAME_MAX:
        raise InputError("backup_name %r may only contain letters, digits, '_', '-' and '.' (no spaces), must start "
                         "with a letter or digit and be at most %d characters; rename it, e.g. %r"
                         % (name, BACKUP_NAME_MAX, _suggest_backup_name(name)))
    if name.lower().endswith(".bacpac"):
        raise InputError("backup_name %r should not end in .bacpac (LCS adds the extension); drop it" % name)
    return name


def _suggest_backup_name(name):
    cleaned = re.sub(r"[^A-Za-z0-9_.\-]+", "-", name.strip()).strip("-._") or "backup"
    return cleaned[:BACKUP_NAME_MAX]
