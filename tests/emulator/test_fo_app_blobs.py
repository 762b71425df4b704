"""The emulator's package storage behind the DMF write URL (issue 14): an upload must say
``x-ms-blob-type: BlockBlob`` as Azure Blob Storage requires, carry a valid write signature and come before the
URL expires. The module tests only see the happy path; a storage that accepted anything would let a client that
forgot the header pass them."""

from __future__ import annotations

import json

import pytest

from tests.integration.fo_app_support import FoApp

ACTION = "DataManagementDefinitionGroups/Microsoft.Dynamics.DataEntities.GetAzureWriteUrl"


@pytest.fixture
def write_url(emulator, pg_server):
    app = FoApp(emulator, pg_server)
    app.register_app()

    def fresh():
        token = emulator.app_token("lcs-confidential", scope=app.url + "/.default")  # valid at the emulator's now
        answer = emulator.http.post(f"{app.url}/data/{ACTION}", json={"uniqueFileName": "settings.zip"},
                                    headers={"Authorization": f"Bearer {token}"}, timeout=30)
        assert answer.status_code == 200, answer.text
        value = answer.json()["value"]
        value = value["value"] if isinstance(value, dict) else value  # the nested shape F&O may answer
        return json.loads(value)["BlobUrl"]

    return fresh


def test_an_upload_without_the_block_blob_header_is_refused(emulator, write_url):
    answer = emulator.http.put(write_url(), data=b"PK\x03\x04", timeout=30)
    assert answer.status_code == 400 and "MissingRequiredHeader" in answer.text


def test_an_upload_with_a_forged_signature_is_refused(emulator, write_url):
    url = write_url().replace("sig=", "sig=x")
    answer = emulator.http.put(url, data=b"PK\x03\x04", headers={"x-ms-blob-type": "BlockBlob"}, timeout=30)
    assert answer.status_code == 403 and "AuthenticationFailed" in answer.text


def test_an_upload_after_the_url_expired_is_refused_and_a_timely_one_is_stored(emulator, write_url):
    late = write_url()
    emulator.advance(2 * 86400)  # past any write-URL lifetime
    answer = emulator.http.put(late, data=b"PK\x03\x04", headers={"x-ms-blob-type": "BlockBlob"}, timeout=30)
    assert answer.status_code == 403 and "AuthenticationFailed" in answer.text
    answer = emulator.http.put(write_url(), data=b"PK\x03\x04", headers={"x-ms-blob-type": "BlockBlob"}, timeout=30)
    assert answer.status_code == 201
