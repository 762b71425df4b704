"""_fo_app.odata, batch, records and packages: the pure parts of the F&O application-layer client."""

from __future__ import annotations

import json

import pytest
from ansible_collections.d365fo.dataalm.plugins.module_utils._fo_app import batch, odata, packages, records
from ansible_collections.d365fo.dataalm.plugins.module_utils._movement.operation import (
    FAILED,
    PENDING,
    RUNNING,
    SUCCEEDED,
    UNKNOWN,
)


def test_key_path_quotes_and_encodes_literals():
    assert odata.key_path("SystemUsers", {"UserID": "o'neil"}) == "SystemUsers(UserID='o''neil')"
    assert odata.key_path("Customers", {"dataAreaId": "usmf", "No": 5}) == "Customers(dataAreaId='usmf',No=5)"
    assert odata.key_path("X", {"Name": "a b/c"}) == "X(Name='a%20b%2Fc')"
    assert odata.literal(True) == "true" and odata.literal(None) == "null"


@pytest.mark.parametrize("body", [
    {"value": "https://blob/x?sig=1"},
    {"value": {"value": "https://blob/x?sig=1"}},
    {"@odata.context": "ctx", "value": json.dumps("https://blob/x?sig=1")},
])
def test_action_value_accepts_the_three_documented_shapes(body):
    assert odata.action_value(body) == "https://blob/x?sig=1"


def test_action_value_decodes_the_write_url_twice():
    inner = json.dumps({"BlobId": "{ID}", "BlobUrl": "https://a/dmf/p.zip?sig=x"})
    assert odata.action_value({"value": inner}) == {"BlobId": "{ID}", "BlobUrl": "https://a/dmf/p.zip?sig=x"}
    assert odata.action_value({"value": json.dumps(inner)})["BlobId"] == "{ID}"
    assert odata.action_value({"value": True}) is True
    assert odata.action_value({"value": "Succeeded"}) == "Succeeded"


def test_error_text_prefers_the_inner_message_and_never_the_stack():
    body = {"error": {"code": "", "message": "An error has occurred.", "innererror": {
        "message": "Write failed for table row of type 'SystemUserEntity'.", "type": "X", "stacktrace": "at Foo()",
        "internalexception": {"message": "Field 'User ID' must be filled in."}}}}
    text = odata.error_text(body)
    assert "Write failed" in text and "must be filled in" in text
    assert "stacktrace" not in text and "at Foo" not in text and "An error has occurred" not in text
    assert odata.error_text({"error": {"message": "An error has occurred."}}) == "An error has occurred."
    assert odata.error_text("nope") is None


@pytest.mark.parametrize("current,desired,same", [
    ("Yes", True, True), ("No", True, False), (True, True, True), (False, "false", True), (25, "25", True),
    (25, 26, False), ("a", "a", True), ("a", "A", False), (None, "", False), (1, True, False), ("", None, False),
])
def test_same_value(current, desired, same):
    assert odata.same_value(current, desired) is same


def test_wire_value_sends_noyes_for_enum_fields():
    assert odata.wire_value("Yes", False) == "No"
    assert odata.wire_value(True, False) is False


def test_batch_round_trip():
    changes = [batch.BatchChange("PATCH", "https://fo/data/SystemUsers(UserID='a')", {"Enabled": False},
                                 headers={"If-Match": "*"}),
               batch.BatchChange("DELETE", "https://fo/data/SystemUsers(UserID='b')")]
    content_type, payload = batch.build(changes)
    text = payload.decode()
    assert content_type.startswith("multipart/mixed; boundary=batch_")
    assert "Content-Type: multipart/mixed; boundary=changeset_" in text
    assert "PATCH https://fo/data/SystemUsers(UserID='a') HTTP/1.1\r\n" in text
    assert "Content-Transfer-Encoding: binary" in text and "Content-ID: 2" in text
    assert '{"Enabled": false}' in text and "\r\n" in text
    response = ("--batchresponse_1\r\nContent-Type: multipart/mixed; boundary=changesetresponse_1\r\n\r\n"
                "--changesetresponse_1\r\nContent-Type: application/http\r\nContent-Transfer-Encoding: binary\r\n"
                "Content-ID: 1\r\n\r\nHTTP/1.1 204 No Content\r\n\r\n\r\n"
                "--changesetresponse_1\r\nContent-Type: application/http\r\nContent-Transfer-Encoding: binary\r\n"
                "Content-ID: 2\r\n\r\nHTTP/1.1 400 Bad Request\r\nContent-Type: application/json\r\n\r\n"
                '{"error":{"message":"An error has occurred.","innererror":{"message":"no"}}}\r\n'
                "--changesetresponse_1--\r\n--batchresponse_1--\r\n")
    parts = batch.parse("multipart/mixed; boundary=batchresponse_1", response.encode())
    assert [(p.content_id, p.status) for p in parts] == [("1", 204), ("2", 400)]
    assert odata.error_text(parts[1].json()) == "no"


class _Client:
    data_url = "https://fo/data"

    def record_url(self, entity, key, cross_company=True):
        return "%s/%s%s" % (self.data_url, odata.key_path(entity, key), "?cross-company=true" if cross_company else "")


def test_plan_present_changes_only_records_that_differ():
    rows = [{"UserID": "a", "Enabled": True, "@odata.etag": 'W/"1"'}, {"UserID": "b", "Enabled": False}]
    planned = records.plan_present(_Client(), "SystemUsers", rows, {"Enabled": False}, ("UserID",), True)
    assert [(p.method, p.key, p.body, p.etag) for p in planned] == [
        ("PATCH", {"UserID": "a"}, {"Enabled": False}, 'W/"1"')]
    assert planned[0].url.endswith("SystemUsers(UserID='a')?cross-company=true")


def test_plan_present_creates_a_missing_keyed_record_and_masks_secrets():
    planned = records.plan_present(_Client(), "BusinessEventsEndpoints", [], {"Type": "Http"}, ("Name",), False,
                                   create_key={"Name": "e1"}, secrets={"DecryptedAzureAppSecret": "s3cr3t"})
    assert planned[0].method == "POST" and planned[0].body["DecryptedAzureAppSecret"] == "s3cr3t"
    assert "s3cr3t" not in json.dumps(records.diff_of(planned))


def test_secrets_alone_never_cause_a_change():
    rows = [{"Name": "e1", "Type": "Http"}]
    assert records.plan_present(_Client(), "E", rows, {"Type": "Http"}, ("Name",), False,
                                secrets={"DecryptedAzureAppSecret": "x"}) == []


def test_diff_is_limited():
    rows = [{"UserID": str(n), "Enabled": True} for n in range(150)]
    planned = records.plan_present(_Client(), "SystemUsers", rows, {"Enabled": False}, ("UserID",), True)
    diff = records.diff_of(planned)
    assert len(diff["before"]) == records.DIFF_LIMIT and "150" in diff["after_header"]


@pytest.mark.parametrize("status,state", [
    ("Unknown", PENDING), ("NotRun", PENDING), ("Executing", RUNNING), ("Succeeded", SUCCEEDED),
    ("PartiallySucceeded", SUCCEEDED), ("Failed", FAILED), ("Canceled", FAILED), ("InProgress", UNKNOWN),
    (None, UNKNOWN),
])
def test_every_documented_status_is_mapped(status, state):
    assert packages.dmf_state(status) == state


def test_derived_execution_id_is_stable_and_short():
    one = packages.derived_execution_id("import", "abc", "https://FO", "grp", "USMF", True)
    assert one == packages.derived_execution_id("import", "abc", "https://fo", "grp", "usmf", True)
    assert one != packages.derived_execution_id("import", "abd", "https://fo", "grp", "usmf", True)
    assert len(one) <= 90 and one.startswith("dataalm-import-")
