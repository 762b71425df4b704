# -*- coding: utf-8 -*-
# Copyright: (c) 2026, d365fo.dataalm contributors
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)
"""Run a pure module (no service, no database: rules over its options) in the controller process.

Each module process costs the controller about half a second of CPU; a fleet runbook runs these rule
modules once per target (issue 18). The module file stays the documented interface and exports
``argument_spec()`` and ``outcome(params) -> (result, warnings, failure message or None)``; its action
plugin validates the same options and returns the same result without starting a process. Outside a
playbook (ansible-test, a direct module run) the module itself still works.
"""

from __future__ import annotations

from ansible.plugins.action import ActionBase


class ControllerModuleAction(ActionBase):
    """Subclasses set ``module`` to the module file's Python module."""

    _supports_check_mode = True
    _supports_async = False
    module = None

    def run(self, tmp=None, task_vars=None):
        result = super().run(tmp, task_vars)
        # raises AnsibleActionFail naming the wrong option, as AnsibleModule would
        validation, _args = self.validate_argument_spec(argument_spec=self.module.argument_spec())
        outcome, warnings, failure = self.module.outcome(validation.validated_parameters)
        result.update(outcome)
        if warnings:
            result["warnings"] = list(warnings)
        if failure:
            result.update(failed=True, msg=failure)
        result.setdefault("changed", False)
        return result
