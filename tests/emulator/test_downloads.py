"""Download service contract: generated backups, Azure-blob range semantics, and the body faults."""

from __future__ import annotations

import hashlib

import pytest
import requests
import urllib3

from emulator.services.downloads.blobs import BLOCK, GeneratedBlob

from ._lcs import Lcs

MIB = 1024 * 1024
DROPPED = (requests.exceptions.RequestException, urllib3.exceptions.HTTPError)


def _http(emulator):
    http = requests.Session()
    http.trust_env = False
    http.verify = emulator.ca_file
    return http  # no Authorization header: the SAS in the URL is the credential


def _generate(emulator, name="gen", size=5 * MIB + 17, seed=3):
    response = _http(emulator).post(f"{emulator.admin_url}/downloads/generated", timeout=60,
                                    json={"name": name, "size_bytes": size, "seed": seed})
    response.raise_for_status()
    return response.json()


def _link(emulator, name="gen"):
    assets = Lcs(emulator).databases()["DatabaseAssets"]
    return next(a["FileLocation"] for a in assets if a["Name"] == name)


def test_generated_blob_is_deterministic_and_every_block_differs():
    blob = GeneratedBlob(3 * BLOCK + 5, seed=9)
    whole = b"".join(blob.chunks(0, blob.size))
    assert len(whole) == blob.size and hashlib.sha256(whole).hexdigest() == blob.sha256()
    assert b"".join(blob.chunks(BLOCK - 3, 2 * BLOCK + 4)) == whole[BLOCK - 3:2 * BLOCK + 4]
    blocks = [whole[i:i + BLOCK] for i in range(0, 3 * BLOCK, BLOCK)]
    assert len(set(blocks)) == 3
    assert GeneratedBlob(blob.size, seed=9).sha256() == blob.sha256() != GeneratedBlob(blob.size, seed=8).sha256()


def test_a_generated_backup_is_listed_and_served_whole_and_in_ranges(emulator_http):
    made = _generate(emulator_http)
    assets = Lcs(emulator_http).databases()["DatabaseAssets"]
    listed = next(a for a in assets if a["Name"] == "gen")
    assert listed["Id"] == made["id"] and listed["FileName"] == "gen.bacpac"
    http = _http(emulator_http)
    whole = http.get(listed["FileLocation"], timeout=60)
    assert whole.status_code == 200 and int(whole.headers["Content-Length"]) == made["size_bytes"]
    assert hashlib.sha256(whole.content).hexdigest() == made["sha256"]
    assert whole.headers["ETag"] == made["etag"] and whole.headers["Accept-Ranges"] == "bytes"
    part = http.get(listed["FileLocation"], headers={"Range": "bytes=1048570-", "If-Match": made["etag"]},
                    timeout=60)
    assert part.status_code == 206 and part.content == whole.content[1048570:]
    assert part.headers["Content-Range"] == "bytes 1048570-%d/%d" % (made["size_bytes"] - 1, made["size_bytes"])
    head = http.head(listed["FileLocation"], timeout=60)
    assert head.status_code == 200 and head.headers["Content-Length"] == str(made["size_bytes"])


def test_changed_blob_and_impossible_range_are_refused_like_azure(emulator_http):
    made = _generate(emulator_http, size=1000)
    url = _link(emulator_http)
    http = _http(emulator_http)
    changed = http.get(url, headers={"Range": "bytes=10-", "If-Match": '"0xOTHER"'}, timeout=60)
    assert changed.status_code == 412 and changed.headers["x-ms-error-code"] == "ConditionNotMet"
    beyond = http.get(url, headers={"Range": "bytes=1000-"}, timeout=60)
    assert beyond.status_code == 416 and beyond.headers["Content-Range"] == "bytes */1000"
    assert made["size_bytes"] == 1000


def test_download_cut_closes_the_connection_after_the_bytes(emulator_http):
    made = _generate(emulator_http, size=3 * MIB)
    emulator_http.set_faults({"kind": "download_cut", "after_bytes": MIB + 3, "count": 2})
    http = _http(emulator_http)
    url = _link(emulator_http)
    for _attempt in range(2):
        received = bytearray()
        with pytest.raises(urllib3.exceptions.ProtocolError, match="IncompleteRead"):  # noqa: SIM117
            with http.get(url, stream=True, timeout=60) as response:
                for piece in response.raw.stream(4096, decode_content=False):
                    received += piece
        assert len(received) == MIB + 3
    whole = http.get(url, timeout=60)  # the count is spent
    assert hashlib.sha256(whole.content).hexdigest() == made["sha256"]
    assert emulator_http.counters()["faults_fired"]["download_cut"] == 2


def test_download_cut_with_expire_link_retires_every_link_handed_out(emulator_http):
    _generate(emulator_http, size=2 * MIB)
    old = _link(emulator_http)
    emulator_http.set_faults({"kind": "download_cut", "after_bytes": 1000, "count": 1, "expire_link": True})
    http = _http(emulator_http)
    with pytest.raises(DROPPED):
        http.get(old, timeout=60)
    refused = http.get(old, headers={"Range": "bytes=1000-"}, timeout=60)
    assert refused.status_code == 403 and refused.headers["x-ms-error-code"] == "AuthenticationFailed"
    assert b"Signed expiry time" in refused.content
    fresh = http.get(_link(emulator_http), headers={"Range": "bytes=1000-"}, timeout=60)
    assert fresh.status_code == 206 and len(fresh.content) == 2 * MIB - 1000


def test_body_faults_are_validated(emulator_http):
    for bad in ({"kind": "download_cut"}, {"kind": "download_rate", "bytes_per_second": 0},
                {"kind": "download_cut", "after_bytes": 5, "seconds": 1}):
        response = _http(emulator_http).post(f"{emulator_http.admin_url}/faults", json={"faults": [bad]}, timeout=60)
        assert response.status_code == 400, bad


def test_generated_backups_go_away_on_reset(emulator_http):
    _generate(emulator_http, name="temporary", size=10)
    emulator_http.reset(databases=False)
    assert all(a["Name"] != "temporary" for a in Lcs(emulator_http).databases()["DatabaseAssets"])
