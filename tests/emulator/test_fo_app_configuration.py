"""The emulator's configuration entities (golden configuration promotion): keys with enum members, per-company
records, and the table relations F&O checks when a record names another one."""

from __future__ import annotations

import pytest

from tests.integration.fo_app_support import FoApp

NUMBER_SEQUENCE = {"NumberSequenceCode": "Cust_1", "ScopeType": "DataArea", "ScopeValue": "USMF",
                   "Name": "Customer accounts", "Format": "US-######", "Next": 1, "Continuous": "No"}


@pytest.fixture
def odata(emulator, pg_server):
    app = FoApp(emulator, pg_server)
    app.register_app()
    token = emulator.app_token("lcs-confidential", scope=app.url + "/.default")

    def call(method, path, body=None):
        return emulator.http.request(method, f"{app.url}/data/{path}", json=body, timeout=30,
                                     headers={"Authorization": f"Bearer {token}"})

    return call


def test_a_number_sequence_is_found_by_a_key_with_an_enum_member_in_either_form(odata):
    assert odata("POST", "SequenceV2Tables", NUMBER_SEQUENCE).status_code == 201
    qualified = "SequenceV2Tables(NumberSequenceCode='Cust_1',ScopeType=Microsoft.Dynamics.DataEntities." \
                "NumberSequenceType'DataArea',ScopeValue='USMF')"
    plain = "SequenceV2Tables(NumberSequenceCode='Cust_1',ScopeType='DataArea',ScopeValue='USMF')"
    for path in (qualified, plain):
        response = odata("GET", path)
        assert response.status_code == 200, response.text
        assert response.json()["Format"] == "US-######" and response.json()["ScopeType"] == "DataArea"


def test_a_customer_group_needs_its_terms_of_payment_in_the_same_company(odata):
    group = {"dataAreaId": "USMF", "CustomerGroupId": "10", "Description": "Wholesale", "PaymentTermId": "Net30"}
    refused = odata("POST", "CustomerGroups", group)
    assert refused.status_code == 400 and "PaymentTermId" in refused.text and "PaymentTerms" in refused.text

    # the terms in another company do not count
    terms = {"Name": "Net30", "Description": "Net 30 days", "PaymentMethodType": "Net", "NumberOfDays": 30}
    assert odata("POST", "PaymentTerms", dict(terms, dataAreaId="demf")).status_code == 201
    assert odata("POST", "CustomerGroups", group).status_code == 400

    assert odata("POST", "PaymentTerms", dict(terms, dataAreaId="USMF")).status_code == 201
    created = odata("POST", "CustomerGroups", group)
    assert created.status_code == 201, created.text
    assert created.json()["dataAreaId"] == "usmf"  # F&O keeps the legal entity in lower case
    # and finds it in any case
    assert odata("GET", "CustomerGroups(dataAreaId='USMF',CustomerGroupId='10')").status_code == 200
    changed = odata("PATCH", "CustomerGroups(dataAreaId='usmf',CustomerGroupId='10')", {"PaymentTermId": "Net99"})
    assert changed.status_code == 400 and "Net99" in changed.text
