# -*- coding: utf-8 -*-
# Copyright: (c) 2026, d365fo.dataalm contributors
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)

from __future__ import absolute_import, division, print_function

__metaclass__ = type


class ModuleDocFragment(object):
    DOCUMENTATION = r"""
options:
  wait:
    description:
      - Wait until the data package execution has ended. Never waits in check mode.
    type: bool
    default: true
  wait_timeout:
    description:
      - Seconds to wait before giving up. On timeout the task fails with RV(execution_id) and the last RV(status);
        the execution keeps running in F&O and a re-run of the same task follows it.
    type: int
    default: 7200
  poll_interval:
    description:
      - Seconds between status polls once the execution runs (the first polls come sooner). Throttling and server
        errors during the wait are retried, and tokens are renewed.
    type: int
    default: 30
"""
