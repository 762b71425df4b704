# -*- coding: utf-8 -*-
# Copyright: (c) 2026, d365fo.dataalm contributors
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)
"""Option fallbacks from environment variables, where an empty variable means "not set".

Ansible's own ``env_fallback`` returns an empty string when the variable exists but is empty, and that
empty string then wins over the option's default (an empty ``LCS_TENANT_ID`` would replace
``organizations``; an empty project id fails to parse as a number). AWX / Automation Platform credential
types inject every field of a credential, the optional ones that were left blank as empty variables
(https://docs.ansible.com/automation-controller/latest/html/userguide/credential_types.html), and
pipelines often export unset secrets the same way. So every option of this collection that falls back
to the environment uses this function instead.
"""

from __future__ import annotations

import os

from ansible.module_utils.errors import AnsibleFallbackNotFound


def env_fallback(*names):
    """The first of the named environment variables that is set and not blank."""
    for name in names:
        value = os.environ.get(name, "")
        if value.strip():
            return value
    raise AnsibleFallbackNotFound
