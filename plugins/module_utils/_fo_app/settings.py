# -*- coding: utf-8 -*-
# Copyright: (c) 2026, d365fo.dataalm contributors
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)
"""The target's own settings that the runbooks carry across a movement as a data package.

Microsoft's pattern for unified environments is "copy, then import a data package" of environment-specific
settings such as e-mail parameters and integration endpoints (SCHEDCOPY). The default project holds the
environment-specific entities below (data management names, INFERRED from F&O metadata); users add their own
with ``dataalm_settings_extra_entities``. System users never travel: importing them would re-enable the
people a movement disabled.
"""

from __future__ import annotations

DEFAULT_PROJECT = "DataALM-Settings"
DEFAULT_ENTITIES = ("Email parameters", "Microsoft Entra applications", "Business events endpoints")
# entities whose import would re-enable people or give them back their roles
NEVER = ("Users", "System users", "User role assignments", "Security user role association")


def forbidden(names):
    """The names of ``names`` that must never be in the settings package (case-insensitive)."""
    never = {name.lower() for name in NEVER}
    return [name for name in names if str(name).strip().lower() in never]
