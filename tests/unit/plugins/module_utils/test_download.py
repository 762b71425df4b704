"""_download: the resumable transfer against a real blob-like server (blob_server.py).

Real sockets, real HTTP, real files; only the sleep between attempts is recorded instead of slept.
"""

from __future__ import annotations

import hashlib
import os
import subprocess

import blob_server
import pytest
import requests
from ansible_collections.d365fo.dataalm.plugins.module_utils._download import (
    DiskFullError,
    DownloadError,
    NotEnoughSpaceError,
    Transfer,
    check_free_space,
    new_session,
    parse_content_range,
    probe,
)

SIZE = 3 * 1024 * 1024 + 12345  # not a multiple of the chunk size


@pytest.fixture
def blob():
    server = blob_server.BlobServer(blob_server.content(SIZE))
    yield server
    server.stop()


class Links:
    """fresh_link() stand-in for LCS: hands out the server's current link and counts the calls."""

    def __init__(self, server):
        self.server = server
        self.calls = 0

    def __call__(self):
        self.calls += 1
        return self.server.link()


def transfer(blob, part, sleeps=None, **options):
    events = []
    sizes = []
    run = Transfer(Links(blob), new_session(), part, os.path.dirname(part.name), timeout=10,
                   sleep=(sleeps if sleeps is not None else []).append, on_event=events.append,
                   on_size=lambda size, etag: sizes.append((size, etag)), **options)
    run.events, run.sizes = events, sizes
    return run


def test_full_download_hashes_while_streaming(blob, tmp_path):
    with open(tmp_path / "f.part", "wb", buffering=0) as part:
        run = transfer(blob, part)
        digest = run.run()
    assert digest == blob.sha256
    assert (tmp_path / "f.part").read_bytes() == blob.data
    assert run.sizes == [(SIZE, blob.etag)]
    assert (run.resumes, run.link_refreshes, run.restarts) == (0, 0, 0)
    assert blob.ranges() == [None]


def test_three_dropped_connections_resume_with_range_from_where_they_stopped(blob, tmp_path):
    blob.drops = [1000000, 700001, 1]
    sleeps = []
    with open(tmp_path / "f.part", "wb", buffering=0) as part:
        run = transfer(blob, part, sleeps=sleeps)
        assert run.run() == blob.sha256
    assert run.resumes == 3
    # whole chunks that arrived before each drop are kept; a chunk cut short is asked for again
    assert blob.ranges() == [None, "bytes=786432-", "bytes=1310720-", "bytes=1310720-"]
    # the resumed requests are pinned to the same blob version
    assert [r["if_match"] for r in blob.requests[1:]] == [blob.etag] * 3
    assert len(sleeps) == 3 and all(0 <= s <= 30 for s in sleeps)
    assert any("connection dropped" in e and "resuming from 768.0 KiB" in e for e in run.events)


def test_expired_link_mid_transfer_gets_a_fresh_link_and_continues(blob, tmp_path):
    blob.drops = [2000000]
    blob.expire_after_drop = True
    with open(tmp_path / "f.part", "wb", buffering=0) as part:
        run = transfer(blob, part)
        assert run.run() == blob.sha256
    assert run.link_refreshes == 1 and run.fresh_link.calls == 2
    assert [r["sig"] for r in blob.requests] == ["s0", "s0", "s1"]
    assert blob.ranges() == [None, "bytes=1835008-", "bytes=1835008-"]
    assert any("refused (HTTP 403 AuthenticationFailed" in e for e in run.events)


def test_links_refused_every_time_fail_with_what_to_check(blob, tmp_path):
    blob.signature = "never-handed-out"
    blob.link = lambda: "http://127.0.0.1:%d/blob?sig=other" % blob._server.server_port
    with open(tmp_path / "f.part", "wb", buffering=0) as part:
        run = transfer(blob, part, retries=2)
        with pytest.raises(DownloadError) as info:
            run.run()
    assert "refused 3 download links in a row" in str(info.value) and "clock" in str(info.value)
    assert info.value.details["http_status"] == 403
    assert "sig=" not in str(info.value)


def test_gives_up_after_retries_in_a_row_without_progress_and_keeps_the_bytes(blob, tmp_path):
    blob.drops = [500000] + [0] * 5
    with open(tmp_path / "f.part", "wb", buffering=0) as part:
        run = transfer(blob, part, retries=3)
        with pytest.raises(DownloadError) as info:
            run.run()
    assert "gave up after 4 attempts in a row" in str(info.value)
    assert "re-run the task to continue from 256.0 KiB" in str(info.value)
    assert (tmp_path / "f.part").stat().st_size == 262144


def test_progress_resets_the_failure_count(blob, tmp_path):
    # 10 drops, each after some progress: more than retries, yet the download finishes
    blob.drops = [300000] * 10
    with open(tmp_path / "f.part", "wb", buffering=0) as part:
        run = transfer(blob, part, retries=2)
        assert run.run() == blob.sha256
    assert run.resumes == 10


def test_server_errors_are_retried_honouring_retry_after(blob, tmp_path):
    blob.statuses = [503, 500]
    sleeps = []
    with open(tmp_path / "f.part", "wb", buffering=0) as part:
        assert transfer(blob, part, sleeps=sleeps).run() == blob.sha256
    assert sleeps[0] == 7  # Retry-After of the 503


def test_a_server_that_ignores_range_makes_the_transfer_start_again(blob, tmp_path):
    blob.drops = [1500000]
    blob.ignore_range = True
    with open(tmp_path / "f.part", "wb", buffering=0) as part:
        run = transfer(blob, part)
        assert run.run() == blob.sha256
    assert run.restarts == 1
    assert (tmp_path / "f.part").read_bytes() == blob.data


def test_a_blob_replaced_between_attempts_is_never_stitched(blob, tmp_path):
    old_etag = blob.etag
    replacement = blob_server.content(SIZE, seed=2)
    blob.drops = [1500000]
    blob.replace_after_drop = replacement
    with open(tmp_path / "f.part", "wb", buffering=0) as part:
        run = transfer(blob, part)
        assert run.run() == hashlib.sha256(replacement).hexdigest()
    # the resume asked for the old version (If-Match), got 412, and started again without it
    assert [(r["range"], r["if_match"]) for r in blob.requests] == [
        (None, None), ("bytes=1310720-", old_etag), (None, None)]
    assert run.restarts == 1
    assert (tmp_path / "f.part").read_bytes() == replacement


def test_missing_content_length_is_refused(blob, tmp_path):
    blob.no_length = True
    with open(tmp_path / "f.part", "wb", buffering=0) as part, pytest.raises(DownloadError, match="Content-Length"):
        transfer(blob, part).run()


def test_gone_blob_says_where_to_look(blob, tmp_path):
    blob.statuses = [404]
    with open(tmp_path / "f.part", "wb", buffering=0) as part, pytest.raises(DownloadError, match="backup_info"):
        transfer(blob, part).run()


def test_not_enough_space_fails_before_writing(blob, tmp_path):
    with open(tmp_path / "f.part", "wb", buffering=0) as part:
        run = transfer(blob, part, free=lambda directory: 1024 * 1024)
        with pytest.raises(NotEnoughSpaceError) as info:
            run.run()
    assert "needs 3.0 MiB more, 1.0 MiB is free; free at least 2.0 MiB" in str(info.value)
    assert info.value.details == {"needed_bytes": SIZE, "free_bytes": 1024 * 1024}
    assert (tmp_path / "f.part").stat().st_size == 0


def test_resume_only_needs_space_for_the_rest(tmp_path):
    check_free_space(str(tmp_path), 10, free=lambda directory: 10)
    with pytest.raises(NotEnoughSpaceError):
        check_free_space(str(tmp_path), 11, free=lambda directory: 10)


@pytest.fixture
def small_disk(tmp_path):
    """A real 2 MiB tmpfs (needs root and mount); the test is skipped where mounting is not allowed."""
    mount_point = tmp_path / "disk"
    mount_point.mkdir()
    done = subprocess.run(["mount", "-t", "tmpfs", "-o", "size=2m", "tmpfs", str(mount_point)],
                          capture_output=True, check=False)
    if done.returncode != 0:
        pytest.skip("cannot mount a tmpfs here: %s" % done.stderr.decode().strip())
    yield mount_point
    subprocess.run(["umount", str(mount_point)], check=False)


def test_a_disk_that_fills_while_writing_raises_disk_full(blob, small_disk):
    # the space check passes (it is told there is room), then the real 2 MiB disk runs out
    with open(small_disk / "f.part", "wb", buffering=0) as part:
        run = transfer(blob, part, free=lambda directory: 10 ** 12)
        with pytest.raises(DiskFullError) as info:
            run.run()
    assert "filled up after" in str(info.value) and "free at least 3.0 MiB" in str(info.value)


def test_probe_reads_size_and_etag_without_the_body(blob):
    found = probe(blob.link(), new_session(), timeout=10)
    assert (found.size, found.etag) == (SIZE, blob.etag)
    assert [r["method"] for r in blob.requests] == ["HEAD"]


def test_probe_error_names_the_status_not_the_link(blob):
    with pytest.raises(DownloadError) as info:
        probe(blob.link().replace("sig=s0", "sig=bad"), new_session(), timeout=10)
    assert "HTTP 403" in str(info.value) and "sig" not in str(info.value)


def test_no_lcs_token_goes_to_storage():
    assert "Authorization" not in new_session().headers
    assert isinstance(new_session(), requests.Session)


@pytest.mark.parametrize("header, expected", [
    ("bytes 0-99/100", (0, 99, 100)),
    ("bytes 100-199/*", (100, 199, None)),
    ("Bytes  5-9/10 ", (5, 9, 10)),
    ("items 0-1/2", None),
    (None, None),
])
def test_parse_content_range(header, expected):
    assert parse_content_range(header) == expected
