# -*- coding: utf-8 -*-
# Copyright: (c) 2026, d365fo.dataalm contributors
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)
"""What every dataverse_* module shares: the Power Platform sign-in options plus the organisation URL,
and a Dataverse client whose tokens are requested for that organisation."""

from __future__ import annotations

import re

from .._env import env_fallback
from .._http import HttpClient, RetryPolicy
from .._movement.errors import InputError
from .._pp.auth import token_provider
from .._pp.module import PpModule
from .client import DataverseClient, organization_scope

_ORG_URL_RE = re.compile(r"^https://[^/\s?#]+(?:/[^\s?#]*)?$")


def organization_argument_spec():
    return dict(organization_url=dict(type="str", required=True, fallback=(env_fallback, ["PP_ORGANIZATION_URL"])))


def check_organization_url(value):
    text = str(value or "").strip()
    if not _ORG_URL_RE.match(text):
        raise InputError("organization_url must be the https URL of the Dataverse organisation, such as "
                         "https://contoso-uat.crm4.dynamics.com (pp_environment_info returns it as "
                         "url); got %r" % (value,))
    return text.rstrip("/")


class DataverseModule(PpModule):
    """PpModule with ``organization_url`` and a Dataverse Web API client for it (``web_api``)."""

    def __init__(self, argument_spec, **kwargs):
        spec = organization_argument_spec()
        spec.update(argument_spec)
        super().__init__(spec, **kwargs)
        self.organization_url = self.checked(check_organization_url, self.params["organization_url"])

    @property
    def web_api(self):
        if "dataverse" not in self._clients:
            p, url = self.params, self.organization_url
            token_params = dict(p)
            if p.get("client_id"):
                token_params["access_token"] = None  # a Power Platform API token has the wrong audience here
            auth = token_provider(token_params, organization_scope(url), warn=self.warn)
            self._http["dataverse"] = HttpClient(url, timeout=p["timeout"], validate_certs=p["validate_certs"],
                                                 ca_path=p["ca_path"], auth=auth, retry=RetryPolicy(),
                                                 on_retry=self._note_retry)
            self._clients["dataverse"] = DataverseClient(self._http["dataverse"], url)
        return self._clients["dataverse"]
