"""Microsoft's powerplatform-management SDK sends a ValidateOnly restore, a refused restore and a copy to
the emulator, reads the 202's Location header and the operation back (pp-api-sdk.md §1, §2)."""

from __future__ import annotations

import asyncio
import datetime as dt

import pytest
from kiota_abstractions.base_request_configuration import RequestConfiguration
from kiota_http.middleware.options import HeadersInspectionHandlerOption
from mspp_management.models.copy_request import CopyRequest
from mspp_management.models.copy_type import CopyType
from mspp_management.models.operation_status import OperationStatus
from mspp_management.models.restore_request import RestoreRequest
from mspp_management.models.validation_response import ValidationResponse

from ._pp import FABRIKAM_PROD, FABRIKAM_UAT
from .test_microsoft_sdks import API_VERSION, _client, _config

START = dt.datetime(2026, 3, 2, 8, tzinfo=dt.UTC)


def _post_config(builder, headers: HeadersInspectionHandlerOption | None = None, **params) -> RequestConfiguration:
    name = f"{type(builder).__name__}PostQueryParameters"
    return RequestConfiguration(query_parameters=getattr(type(builder), name)(api_version=API_VERSION, **params),
                                options=[headers] if headers else [])


def test_validate_only_restore_and_a_copy_through_the_sdk(pp_emulator):
    async def run():
        pp = _client(pp_emulator)
        env = pp.environmentmanagement.environments.by_environment_id(FABRIKAM_UAT)
        restore = RestoreRequest(source_environment_id=FABRIKAM_UAT,
                                 restore_point_date_time=START - dt.timedelta(hours=2))
        assert await env.restore.post(restore, _post_config(env.restore, validate_only=True)) is None
        with pytest.raises(ValidationResponse) as refused:
            naive = RestoreRequest(source_environment_id=FABRIKAM_UAT,
                                   restore_point_date_time=dt.datetime(2026, 3, 2, 6))  # goes out without offset
            await env.restore.post(naive, _post_config(env.restore, validate_only=True))
        assert refused.value.response_status_code == 400
        assert "restorePointDateTime" in refused.value.error_detail.field_errors.additional_data
        assert pp_emulator.counters()["pp_restores_started"] == {}

        headers = HeadersInspectionHandlerOption(inspect_response_headers=True)
        copy = CopyRequest(source_environment_id=FABRIKAM_PROD, copy_type=CopyType.Full)
        assert await env.copy.post(copy, _post_config(env.copy, headers)) is None
        location = next(iter(headers.response_headers.get("location")))
        operation_id = location.split("/operations/")[1].split("?")[0]
        builder = pp.environmentmanagement.operations.by_operation_id(operation_id)
        operation = await builder.get(_config(builder))
        assert operation.name == "Copy" and operation.status == OperationStatus.Queued
        assert operation.updated_environment.environment_id == FABRIKAM_UAT
        pp_emulator.advance(4000)
        pp = _client(pp_emulator)  # a new token: the virtual hour outlived the first
        builder = pp.environmentmanagement.operations.by_operation_id(operation_id)
        assert (await builder.get(_config(builder))).status == OperationStatus.Succeeded

        candidates = pp.environmentmanagement.environments.by_environment_id(FABRIKAM_PROD).restore_candidates
        found = await candidates.get(_config(candidates))
        assert FABRIKAM_UAT in {c.environment_id for c in found.collection}

    asyncio.run(run())
