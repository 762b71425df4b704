# -*- coding: utf-8 -*-
# Copyright: (c) 2026, d365fo.dataalm contributors
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)
"""Admin mode and background operations of an environment: read, compare, switch, confirm.

The current state is read from the Power Platform API (``adminMode``, ``backgroundOperationsState``) and,
when an older payload lacks them, from the BAP admin API. The switch is the BAP PATCH that
Set-AdminPowerAppEnvironmentRuntimeState sends (power-platform.md §1.3). The service may apply it
later than it answers, so the change is confirmed by reading the environment again.
"""

from __future__ import annotations

from .._movement.errors import WaitTimeout
from .errors import PpError
from .model import environment_facts
from .provider import to_operation
from .status import RUNNING, SUCCEEDED

SETTINGS = ("admin_mode", "background_operations")


def current_settings(pm, environment_id):
    """{'admin_mode': 'enabled'|'disabled'|None, 'background_operations': ...} for the environment."""
    facts = environment_facts(pm.client.environment(environment_id))
    settings = {name: facts[name] for name in SETTINGS}
    if None in settings.values():
        bap_facts = environment_facts(pm.bap.environment(environment_id))
        settings = {name: settings[name] or bap_facts[name] for name in SETTINGS}
    return settings, facts


def wanted_changes(current, wanted):
    """Settings whose wanted value differs from the current one (None = leave alone)."""
    return {name: value for name, value in wanted.items() if value is not None and current.get(name) != value}


def apply_changes(pm, environment_id, changes):
    """PATCH the runtime state; returns the operation URL the service gave, if any."""
    _status, location = pm.bap.set_runtime_state(
        environment_id,
        admin_mode=None if "admin_mode" not in changes else changes["admin_mode"] == "enabled",
        background_operations=None if "background_operations" not in changes
        else changes["background_operations"] == "enabled")
    return location


class SettingsProbe:
    """What the waiter polls after the switch: the environment, as an operation that succeeds once the
    wanted settings show."""

    def __init__(self, pm, environment_id, wanted):
        self.pm = pm
        self.environment_id = environment_id
        self.wanted = wanted
        self.settings = None

    def __call__(self):
        self.settings, _facts = current_settings(self.pm, self.environment_id)
        done = not wanted_changes(self.settings, self.wanted)
        status = "Succeeded" if done else "InProgress"
        return to_operation({"operation_id": None, "status": status, "name": "admin mode",
                             "environment_id": self.environment_id, "state": SUCCEEDED if done else RUNNING})


def confirm(pm, environment_id, wanted):
    """Wait until the environment shows the wanted settings; returns them."""
    probe = SettingsProbe(pm, environment_id, wanted)
    try:
        pm.waiter(probe).wait()
    except WaitTimeout:
        message = ("the switch of environment %s was accepted, but after %s s the environment still shows %s"
                   % (environment_id, pm.params["wait_timeout"], probe.settings))
        raise PpError(message, hint="re-run the task later (it changes only what still differs), or raise "
                                    "wait_timeout") from None
    return probe.settings
