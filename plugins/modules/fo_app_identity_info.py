#!/usr/bin/python
# -*- coding: utf-8 -*-
# Copyright: (c) 2026, d365fo.dataalm contributors
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)

from __future__ import absolute_import, division, print_function

__metaclass__ = type

DOCUMENTATION = r"""
---
module: fo_app_identity_info
short_description: Who a run signs in to Dynamics 365 F&O as, and which users and data projects exist there
version_added: 1.1.0
description:
  - Signs in to the environment's application layer with the given identity and reads, without changing anything,
    the facts M(d365fo.dataalm.dataalm_preflight) needs to tell whether that identity can still sign in after a
    database movement.
  - For an Entra application (O(client_secret)) the F&O user it is mapped to (System administration > Setup >
    Microsoft Entra applications, entity set C(SysAADClients)); for a person (delegated sign-in from the token
    cache or a refresh token) their sign-in name and the F&O user whose C(Alias) it is.
  - The state of the users in O(users) (by default C(Admin) and C(DBMovementAPI)), of the mapped user and of the
    person's user, and which of O(data_projects) exist.
  - With O(fail_on_refusal=false) a 401 or 403 from F&O is reported as RV(signed_in=false) instead of failing;
    for an application that means its user is disabled (or the application is not registered) in that environment.
  - "Entity sets and fields (C(SysAADClients): C(AADClientId), C(UserId); C(SystemUsers): C(UserID), C(Enabled),
    C(Alias); C(DataManagementDefinitionGroups): C(Name)) are inferred from F&O metadata; Microsoft does not
    document them."
author:
  - d365fo.dataalm contributors (@d365fo-dataalm)
extends_documentation_fragment:
  - d365fo.dataalm.fo_app
attributes:
  check_mode:
    support: full
    description: The module only reads.
  diff_mode:
    support: none
    description: Nothing to diff.
options:
  users:
    description:
      - F&O user ids to report on, besides the application's mapped user and the person's own user.
    type: list
    elements: str
    default: [Admin, DBMovementAPI]
  data_projects:
    description:
      - Names of data projects (data management definition groups) whose existence to report.
    type: list
    elements: str
    default: []
  fail_on_refusal:
    description:
      - Fail when F&O refuses the identity (HTTP 401 or 403). V(false) reports RV(signed_in=false) and RV(refusal).
    type: bool
    default: true
seealso:
  - module: d365fo.dataalm.dataalm_preflight
  - module: d365fo.dataalm.fo_entity
"""

EXAMPLES = r"""
- name: What the target says about the run's identity, and whether the settings project exists
  d365fo.dataalm.fo_app_identity_info:
    environment_url: https://contoso-uat.sandbox.operations.dynamics.com
    data_projects: [DataALM-Settings]
  register: target_identity

- name: Whether the same identity can sign in to production (it should not, for an automation user)
  d365fo.dataalm.fo_app_identity_info:
    environment_url: https://contoso.operations.dynamics.com
    fail_on_refusal: false
  register: source_identity
"""

RETURN = r"""
identity:
  description: How the run signs in.
  returned: always
  type: dict
  contains:
    kind:
      description: V(application) (client credentials), V(delegated) (a person) or V(access_token) (given as is).
      type: str
      sample: application
    client_id:
      description: The Entra application's client id.
      type: str
    username:
      description: The person's sign-in name (delegated sign-in), once known.
      type: str
      sample: admin@contoso.example
signed_in:
  description: F&O accepted the identity. False only with O(fail_on_refusal=false).
  returned: always
  type: bool
refusal:
  description: F&O's answer when it refused the identity.
  returned: always
  type: str
mapped_user:
  description: The F&O user the application is mapped to in this environment; null when it is not registered.
  returned: always
  type: str
  sample: DBMovementAPI
users:
  description: The users found of O(users), the mapped user and the person's own user.
  returned: always
  type: list
  elements: dict
  contains:
    user_id:
      description: F&O user id.
      type: str
    enabled:
      description: The user is enabled.
      type: bool
    alias:
      description: The user's sign-in name (C(Alias)).
      type: str
data_projects:
  description: The names of O(data_projects) that exist, as given.
  returned: always
  type: list
  elements: str
api_calls:
  description: HTTP requests made, retries included.
  returned: always
  type: int
"""

from ansible_collections.d365fo.dataalm.plugins.module_utils._fo_app import identity
from ansible_collections.d365fo.dataalm.plugins.module_utils._fo_app.module import FoAppModule


def main():
    fm = FoAppModule(dict(
        users=dict(type="list", elements="str", default=["Admin", "DBMovementAPI"]),
        data_projects=dict(type="list", elements="str", default=[]),
        fail_on_refusal=dict(type="bool", default=True),
    ))
    fm.run(lambda: identity.read(fm))


if __name__ == "__main__":
    main()
