# -*- coding: utf-8 -*-
# Copyright: (c) 2026, d365fo.dataalm contributors
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)

from __future__ import absolute_import, division, print_function

__metaclass__ = type


class ModuleDocFragment(object):
    # The wait options of the pp_* modules that wait (their defaults are set by each module).
    DOCUMENTATION = r"""
options:
  wait:
    description:
      - Wait until the operation has finished. Never waits in check mode.
    type: bool
  wait_timeout:
    description:
      - Seconds to wait before giving up. On timeout the task fails and still returns the operation id and the last
        status; the operation keeps running in the Power Platform.
    type: int
  poll_interval:
    description:
      - Seconds between polls once the operation runs; the first polls come sooner (5, 10, 20, 40 s). Throttling
        and server errors during the wait are retried, and the token is renewed before it expires.
    type: int
notes:
  - While M(d365fo.dataalm.pp_operation_info) waits, its action plugin prints the status and the elapsed time on the
    controller every 300 seconds (variable C(d365fo_dataalm_progress_interval)), at default verbosity.
"""
