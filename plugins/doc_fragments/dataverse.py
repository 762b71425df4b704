# -*- coding: utf-8 -*-
# Copyright: (c) 2026, d365fo.dataalm contributors
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)

from __future__ import absolute_import, division, print_function

__metaclass__ = type


class ModuleDocFragment(object):
    DOCUMENTATION = r"""
options:
  organization_url:
    description:
      - URL of the Dataverse organisation, for example V(https://contoso-uat.crm4.dynamics.com)
        (M(d365fo.dataalm.pp_environment_info) returns it as C(url) of each environment).
      - Tokens are requested for this organisation (scope C(<organization_url>/.default)) with the Power Platform
        sign-in options; the identity needs an application user (or a user) with the System Administrator role in it.
      - Falls back to E(PP_ORGANIZATION_URL).
    type: str
    required: true
"""
