# -*- coding: utf-8 -*-
# Copyright: (c) 2026, d365fo.dataalm contributors
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)

from __future__ import absolute_import, division, print_function

__metaclass__ = type


class ModuleDocFragment(object):
    # The options that say which follow-ups apply (followups.argument_spec), for both transports.
    DOCUMENTATION = r"""
options:
  movement_kind:
    description:
      - The movement that produced the target's data.
    type: str
    required: true
    choices: [refresh, export, point_in_time_restore, post_restore_only]
  source_type:
    description:
      - Type of the environment the data came from (C(Production) makes the data production data).
    type: str
    required: true
    choices: [Production, Sandbox, DevTestDev]
  target_type:
    description:
      - Type of the target environment (the one the module reads).
    type: str
    required: true
    choices: [Production, Sandbox, DevTestDev]
"""
