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
      - Wait until the operation has finished. With V(false) the task returns as soon as the operation is
        started or joined; follow it later with M(d365fo.dataalm.lcs_operation_info).
      - Never waits in check mode.
    type: bool
    default: true
  wait_timeout:
    description:
      - Seconds to wait before giving up. The default (25 hours) covers the longest documented refresh.
      - On timeout the task fails and still returns RV(operation_id) and the last RV(status); the operation keeps
        running in LCS and a re-run joins it.
    type: int
    default: 90000
  poll_interval:
    description:
      - Seconds between status polls once the operation runs; the first polls come sooner (5, 10, 20, 40 s) so
        early failures are noticed quickly. Throttling and server errors during the wait are retried, not fatal,
        and the token is renewed before it expires.
    type: int
    default: 60
notes:
  - While waiting, the collection's action plugin prints the operation's status and the elapsed time on the
    controller every 300 seconds (set the variable C(d365fo_dataalm_progress_interval) to change it), at default
    verbosity. Each such slice is one run of M(d365fo.dataalm.lcs_operation_info).
  - If the controller dies during the wait, the operation keeps running in LCS; running the same task again joins
    it instead of starting a second one.
"""
