"""Microsoft's own clients drive the emulator: ``powerplatform-management`` (the Kiota-generated Power
Platform API client) and ``powerplatform-dataverse-client`` (test-only dependencies, requirements-dev.txt).

The generated client turns an unknown or mis-cased enum value into None without a word, so every enum
it reads is asserted non-null here; the other fields it reads are asserted present too.
"""

from __future__ import annotations

import asyncio

import httpx
import pytest
from azure.core.credentials import AccessToken
from kiota_abstractions.api_error import APIError
from kiota_abstractions.authentication import (
    AccessTokenProvider,
    AllowedHostsValidator,
    BaseBearerTokenAuthenticationProvider,
)
from kiota_abstractions.base_request_configuration import RequestConfiguration
from kiota_http.httpx_request_adapter import HttpxRequestAdapter
from kiota_http.kiota_client_factory import KiotaClientFactory
from mspp_management.models.create_backup_request import CreateBackupRequest
from mspp_management.models.fin_ops_deployment_category import FinOpsDeploymentCategory
from mspp_management.models.operation_status import OperationStatus
from mspp_management.models.step_execution_status import StepExecutionStatus
from mspp_management.models.validation_response import ValidationResponse
from mspp_management.service_client_base import ServiceClientBase
from PowerPlatform.Dataverse.client import DataverseClient

from ._pp import FABRIKAM_UAT

API_VERSION = "2024-10-01"


class FixedToken(AccessTokenProvider):
    def __init__(self, token: str):
        self.token = token

    async def get_authorization_token(self, uri, additional_authentication_context=None) -> str:
        return self.token

    def get_allowed_hosts_validator(self) -> AllowedHostsValidator:
        return AllowedHostsValidator([])


def _client(emulator, app: str = "pp-automation") -> ServiceClientBase:
    http = KiotaClientFactory.create_with_default_middleware(httpx.AsyncClient(verify=emulator.ca_file))
    adapter = HttpxRequestAdapter(BaseBearerTokenAuthenticationProvider(FixedToken(emulator.app_token(app))),
                                  http_client=http)
    adapter.base_url = emulator.base_url
    return ServiceClientBase(adapter)


def _config(builder, method: str = "Get", **params) -> RequestConfiguration:
    """The request configuration of a builder call with its (nested) query-parameter class."""
    name = f"{type(builder).__name__}{method}QueryParameters"
    return RequestConfiguration(query_parameters=getattr(type(builder), name)(api_version=API_VERSION, **params))


async def _all_environments(pp) -> list:
    builder = pp.environmentmanagement.environments
    page = await builder.get(_config(builder))
    found = list(page.value)
    while page.odata_nextlink:
        page = await builder.with_url(page.odata_nextlink).get()
        found += page.value
    return found


def test_environments_and_finops_properties_through_the_sdk(pp_emulator):
    async def run():
        pp = _client(pp_emulator)
        envs = await _all_environments(pp)
        assert len(envs) == 8
        for env in envs:
            for attribute in ("id", "tenant_id", "display_name", "type", "state", "azure_region", "geo",
                              "admin_mode", "background_operations_state", "created_date_time"):
                assert getattr(env, attribute) is not None, (env.display_name, attribute)
            assert env.retention_details.available_from_date_time is not None
            assert env.retention_details.retention_period is not None
        by_name = {e.display_name: e for e in envs}
        assert by_name["Fabrikam UAT"].fin_ops_metadata.type == "Internal"
        assert by_name["Contoso UAT"].fin_ops_metadata.type == "Linked"
        assert by_name["contoso-test (initial)"].dataverse_id is None
        for env in envs:
            if env.fin_ops_metadata is None:
                continue
            props_builder = pp.dynamics.environments.by_environment_id(env.id).finopsproperties
            props = await props_builder.get(_config(props_builder))
            assert isinstance(props.deployment_type, FinOpsDeploymentCategory), env.display_name
            assert props.deployment_type is not FinOpsDeploymentCategory.Unknown
            assert props.max_a_o_s_count is not None and props.last_observed_a_o_s_count is not None
        capacity_builder = pp.licensing.tenant_capacity
        capacity = await capacity_builder.get(_config(capacity_builder))
        assert capacity.license_model_type is not None and capacity.capacity_summary.status is not None
        for item in capacity.tenant_capacities:
            assert item.capacity_type is not None and item.capacity_units is not None and item.status is not None
            assert item.total_capacity - item.consumption.actual == 37.5 * 1024
        versions_builder = pp.dynamics.environments.by_environment_id(FABRIKAM_UAT).finopsversions
        versions = await versions_builder.get(_config(versions_builder))
        assert [v.version for v in versions.available_versions] == ["10.0.45.3", "10.0.46.1"]
        assert all(v.release_stage for v in versions.available_versions)

    asyncio.run(run())


def test_backups_paging_create_and_validation_error_through_the_sdk(pp_emulator):
    async def run():
        pp = _client(pp_emulator)
        backups = pp.environmentmanagement.environments.by_environment_id(FABRIKAM_UAT).backups
        created = await backups.post(CreateBackupRequest(label="sdk backup"), _config(backups, "Post"))
        assert created.label == "sdk backup" and created.backup_point_date_time is not None
        page = await backups.get(_config(backups))
        found = list(page.collection)
        while page.continuation_token:  # the SDK has no query parameter for it: the caller adds it
            url = (f"{pp_emulator.base_url}/environmentmanagement/environments/{FABRIKAM_UAT}/backups"
                   f"?api-version={API_VERSION}&continuationToken={page.continuation_token}")
            page = await backups.with_url(url).get()
            found += page.collection
        assert [b.label for b in found] == ["sdk backup", "pre-release", "monthly", "pre-release"]
        for backup in found:
            assert backup.id and backup.backup_point_date_time and backup.backup_expiry_date_time
            assert backup.created_by.type and backup.created_by.display_name
        with pytest.raises(ValidationResponse) as refused:
            await backups.post(CreateBackupRequest(), _config(backups, "Post"))
        assert refused.value.response_status_code == 400
        assert refused.value.error_detail.code == "InvalidRequest"
        assert "label" in refused.value.error_detail.field_errors.additional_data

    asyncio.run(run())


def test_operations_paging_and_get_through_the_sdk(pp_emulator):
    async def run():
        pp = _client(pp_emulator)
        env = pp.environmentmanagement.environments.by_environment_id(FABRIKAM_UAT)
        operations, token = [], None
        while True:
            page = await env.operations.get(_config(env.operations, limit="3", continuation_token=token))
            operations += page.collection
            token = page.continuation_token
            if not token:
                break
        assert len(operations) == 4
        for op in operations:
            assert isinstance(op.status, OperationStatus), op.name
            assert op.start_time is not None and op.requested_by.display_name
            assert op.updated_environment.environment_id == FABRIKAM_UAT
            assert [s.name for s in op.stage_statuses] == ["Validate", "Prepare", "Run", "Finalize"]
            assert all(isinstance(s.status, StepExecutionStatus) for s in op.stage_statuses)
        assert {op.status for op in operations} == {OperationStatus.Succeeded, OperationStatus.Failed}
        scoped_builder = env.operations.by_operation_id(operations[0].operation_id)
        scoped = await scoped_builder.get(_config(scoped_builder))
        global_builder = pp.environmentmanagement.operations.by_operation_id(operations[0].operation_id)
        assert (await global_builder.get(_config(global_builder))).status == scoped.status

    asyncio.run(run())


def test_permission_errors_and_throttling_reach_the_sdk(pp_emulator):
    pp_emulator.set_faults(throttle={"route": "/environmentmanagement/environments", "count": 2, "retry_after": 1})

    async def run():
        # the SDK's retry handler honours Retry-After: two 429s, then the answer
        assert len(await _all_environments(_client(pp_emulator))) == 8
        with pytest.raises(APIError) as denied:
            await _all_environments(_client(pp_emulator, app="pp-unregistered"))
        assert denied.value.response_status_code == 403

    asyncio.run(run())
    assert pp_emulator.counters()["throttled"]["total"] == 2


class _Credential:
    """An azure-core TokenCredential handing out the emulator's client-credentials tokens."""

    def __init__(self, emulator):
        self.emulator = emulator
        self.scopes: list[tuple] = []

    def get_token(self, *scopes, **_kwargs) -> AccessToken:
        self.scopes.append(scopes)
        return AccessToken(self.emulator.app_token(scope=scopes[0]), 4_000_000_000)


def test_dataverse_client_queries_and_writes(pp_emulator, monkeypatch):
    monkeypatch.setenv("REQUESTS_CA_BUNDLE", pp_emulator.ca_file)  # the client has no verify option
    credential = _Credential(pp_emulator)
    url = pp_emulator.dataverse_url("fabrikam-prod")
    with DataverseClient(url, credential) as client:
        catalogue = client.records.list("mserp_financeandoperationsentity",
                                        filter="mserp_physicalname eq 'CustCustomerV3Entity'",
                                        select=["mserp_physicalname", "mserp_hasbeengenerated"])
        rows = [dict(r) for r in catalogue]
        assert rows == [{"mserp_physicalname": "CustCustomerV3Entity", "mserp_hasbeengenerated": True,
                         "mserp_financeandoperationsentityid": "54000000-0000-4000-8000-000000000001"}]
        new_id = client.records.create("msdyn_dualwriteruntimeconfig", {"msdyn_name": "sdk"})
        client.records.update("msdyn_dualwriteruntimeconfig", new_id, {"msdyn_unsecure": "x"})
        assert client.records.retrieve("msdyn_dualwriteruntimeconfig", new_id)["msdyn_unsecure"] == "x"
        for i in range(3):
            client.records.create("solution", {"uniquename": f"s{i}"})
        pages = list(client.records.list_pages("solution", page_size=2, orderby=["uniquename asc"]))
        assert [len(p) for p in pages] == [2, 2]
        client.records.delete("msdyn_dualwriteruntimeconfig", new_id)
        assert client.records.retrieve("msdyn_dualwriteruntimeconfig", new_id) is None
    assert credential.scopes[0] == (f"{url}/.default",)
