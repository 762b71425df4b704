"""Export to the asset library, the backup list and the signed, range-capable download."""

from __future__ import annotations

import io
import re
import urllib.parse
import zipfile

import pytest
import requests

from ._lcs import PROD, TEST, UAT, Lcs

BACKUP_DATE = re.compile(r"^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d(\.\d{1,3})?$")


def _download_session(emulator):
    http = requests.Session()
    http.trust_env = False
    http.verify = emulator.ca_file
    return http  # no Authorization header: the SAS in the URL is the credential


def test_export_lifecycle_and_download(emulator):
    lcs = Lcs(emulator)
    started = lcs.export(UAT, "uat-before-go-live")
    assert started["IsSuccess"] is True
    activity = started["OperationActivityId"]
    before = lcs.databases()["DatabaseAssets"]
    assert [a["Name"] for a in before] == ["contoso-uat-2026-02-01"]
    emulator.advance(60)
    assert lcs.status(UAT, activity)["OperationStatus"] == "InProgress"
    emulator.advance(3600)
    lcs.renew()
    assert lcs.status(UAT, activity)["OperationStatus"] == "Completed"
    history = lcs.history(UAT).json()["Data"][0]
    assert (history["Type"], history["TypeDisplay"], history["Status"]) == (
        "SFExportSandboxDb", "Export database", "Completed")

    assets = lcs.databases()["DatabaseAssets"]
    asset = assets[-1]
    assert asset["Name"] == "uat-before-go-live" and asset["FileName"] == "uat-before-go-live.bacpac"
    assert set(asset) == {"Id", "ProjectId", "OrganizationId", "Name", "FileName", "FileDescription", "FileLocation",
                          "ModifiedDateTime", "CreatedDateTime", "CreatedByName", "ModifiedByName"}
    assert BACKUP_DATE.match(asset["CreatedDateTime"]) and asset["ProjectId"] == 1234567
    query = urllib.parse.parse_qs(urllib.parse.urlsplit(asset["FileLocation"]).query)
    assert query["sp"] == ["r"] and query["sr"] == ["b"] and query["sig"][0]
    assert query["se"][0].startswith("2026-03-03T09:01")  # ~24 h after the listing, in virtual time

    http = _download_session(emulator)
    whole = http.get(asset["FileLocation"], timeout=60)
    assert whole.status_code == 200 and whole.headers["Accept-Ranges"] == "bytes"
    archive = zipfile.ZipFile(io.BytesIO(whole.content))
    assert {"Origin.xml", "model.xml"} <= set(archive.namelist())
    dump = archive.read("Data/contoso_uat.sql").decode()
    assert "CREATE TABLE" in dump.upper() and "userinfo" in dump.lower()  # a real pg_dump of the env database

    part = http.get(asset["FileLocation"], headers={"Range": "bytes=10-109"}, timeout=60)
    assert part.status_code == 206
    assert part.headers["Content-Range"] == f"bytes 10-109/{len(whole.content)}"
    assert part.content == whole.content[10:110]
    tail = http.get(asset["FileLocation"], headers={"Range": f"bytes={len(whole.content) - 5}-"}, timeout=60)
    assert tail.status_code == 206 and tail.content == whole.content[-5:]


def test_download_url_is_signed_and_expires(emulator_http):
    lcs = Lcs(emulator_http)
    url = lcs.databases()["DatabaseAssets"][0]["FileLocation"]
    http = _download_session(emulator_http)
    assert http.get(url, timeout=60).status_code == 200
    tampered = re.sub(r"se=[^&]+", "se=2099-01-01T00%3A00%3A00Z", url)
    denied = http.get(tampered, timeout=60)
    assert denied.status_code == 403 and b"AuthenticationFailed" in denied.content
    unsigned = http.get(url.split("?")[0], timeout=60)
    assert unsigned.status_code == 403
    emulator_http.advance(86401)
    assert http.get(url, timeout=60).status_code == 403


def test_world_backups_are_downloadable(emulator_http):
    lcs = Lcs(emulator_http)
    asset = lcs.databases()["DatabaseAssets"][0]
    assert asset["CreatedDateTime"] == "2026-01-31T08:00:00"
    content = _download_session(emulator_http).get(asset["FileLocation"], timeout=60).content
    assert zipfile.ZipFile(io.BytesIO(content)).testzip() is None


@pytest.mark.parametrize(("env", "name", "fragment"), [
    (PROD, "prod-copy", "only sandbox"),
    ("44444444-4444-4444-8444-444444444444", "dev-copy", "only sandbox"),
    (UAT, "-bad", "backup name"),
])
def test_refused_exports(emulator_http, env, name, fragment):
    body = Lcs(emulator_http).export(env, name)
    assert body["IsSuccess"] is False and fragment in body["ErrorMessage"]


def test_export_shares_busy_rule_and_quota_with_refresh(emulator_http):
    lcs = Lcs(emulator_http)
    assert lcs.export(TEST, "one")["IsSuccess"] is True
    assert lcs.refresh(PROD, TEST)["IsSuccess"] is False  # busy exporting
    emulator_http.advance(3700)
    lcs.renew()
    assert lcs.refresh(PROD, TEST)["IsSuccess"] is True
    emulator_http.advance(7300)
    lcs.renew()
    assert lcs.export(TEST, "three")["IsSuccess"] is True
    emulator_http.advance(3700)
    lcs.renew()
    assert lcs.export(TEST, "four")["ErrorMessage"].startswith("Maximum allowed API operations are 3 from ")


def test_failed_export_adds_no_asset(emulator_http):
    emulator_http.set_faults(operation_failure={"environment": "contoso-uat", "operation": "export"})
    lcs = Lcs(emulator_http)
    activity = lcs.export(UAT, "doomed")["OperationActivityId"]
    emulator_http.advance(3660)
    lcs.renew()
    assert lcs.status(UAT, activity)["OperationStatus"] == "Failed"
    assert [a["Name"] for a in lcs.databases()["DatabaseAssets"]] == ["contoso-uat-2026-02-01"]
