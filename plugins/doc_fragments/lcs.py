# -*- coding: utf-8 -*-
# Copyright: (c) 2026, d365fo.dataalm contributors
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)

from __future__ import absolute_import, division, print_function

__metaclass__ = type


class ModuleDocFragment(object):
    DOCUMENTATION = r"""
options:
  lcs_api_url:
    description:
      - LCS API host of the geography where the LCS project lives, for example
        V(https://lcsapi.lcs.dynamics.com) (United States and every geography without its own host),
        V(https://lcsapi.eu.lcs.dynamics.com), V(https://lcsapi.fr.lcs.dynamics.com),
        V(https://lcsapi.no.lcs.dynamics.com), V(https://lcsapi.sa.lcs.dynamics.com),
        V(https://lcsapi.ch.lcs.dynamics.com), V(https://lcsapi.uae.lcs.dynamics.com),
        V(https://lcsapi.lcs.dynamics.cn) or V(https://lcsapi.gov.lcs.microsoftdynamics.us).
      - The token scope is derived from it (V(<lcs_api_url>//.default)).
      - Falls back to E(LCS_API_URL).
    type: str
    default: https://lcsapi.lcs.dynamics.com
  project_id:
    description:
      - LCS project number (the digits in the project's LCS URL). Falls back to E(LCS_PROJECT_ID).
    type: int
  validate_certs:
    description:
      - Verify TLS certificates of Entra ID and LCS. Leave on outside tests.
    type: bool
    default: true
  ca_path:
    description:
      - CA bundle used to verify TLS certificates, for proxies that inspect TLS or a test emulator.
      - Falls back to E(LCS_CA_PATH).
    type: path
  timeout:
    description:
      - Seconds to wait for one HTTP response.
    type: int
    default: 60
  project_run_dir:
    description:
      - Directory that the hosts of one playbook run share for this LCS project. The collection's action plugins set
        it; leave it unset.
      - With it the hosts read the project's environment listing once (paged) and share it, share history reads
        that only inform (preflight, check mode), and pace their metadata and history calls together within LCS's
        per-project limits (6 calls per minute each); a 429 makes every host wait once. Whatever decides a start
        reads the target's history fresh.
      - Without it (modules run without the action plugins) every task reads for itself.
    type: path
notes:
  - LCS accepts delegated user tokens only; service principals and client credentials are not supported.
  - Calls are retried with full-jitter exponential backoff on throttling (HTTP 429, honouring C(Retry-After)),
    server errors and dropped connections, within a bounded total retry time. Calls that start an operation are
    only repeated when LCS provably did not process them.
  - Set the options once for all LCS modules with C(module_defaults) and the group C(group/d365fo.dataalm.lcs).
requirements:
  - requests
  - msal
"""
