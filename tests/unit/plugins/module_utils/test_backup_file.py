"""_backup_file, _backup_source and _download_progress: dest and its companion files, choosing the
backup, fresh links, and progress. Real files in tmp dirs and a real blob-like server (blob_server.py).
"""

from __future__ import annotations

import hashlib
import json
import os
import stat

import blob_server
import pytest
from ansible_collections.d365fo.dataalm.plugins.action.lcs_database_backup_download import progress_line
from ansible_collections.d365fo.dataalm.plugins.module_utils._backup_file import (
    ABSENT,
    DIFFERENT,
    FOREIGN,
    PRESENT,
    DownloadTarget,
    download_backup,
    parse_mode,
    resolve_dest,
)
from ansible_collections.d365fo.dataalm.plugins.module_utils._backup_source import (
    BackupLinkSource,
    choose_backup,
    link_secrets,
)
from ansible_collections.d365fo.dataalm.plugins.module_utils._download import DiskFullError, DownloadError, new_session
from ansible_collections.d365fo.dataalm.plugins.module_utils._download_progress import ProgressFile
from ansible_collections.d365fo.dataalm.plugins.plugin_utils.progress import read_state

BACKUP = {"id": "a1", "name": "uat-1", "file_name": "uat-1.bacpac", "created_at": "2026-11-28T10:00:00Z"}
SIZE = 2 * 1024 * 1024 + 7


@pytest.fixture
def blob():
    server = blob_server.BlobServer(blob_server.content(SIZE))
    yield server
    server.stop()


def download(target, blob, **options):
    options.setdefault("timeout", 10)
    options.setdefault("sleep", lambda seconds: None)
    return download_backup(target, blob.link, new_session(), **options)


# -- dest ---------------------------------------------------------------------------------------


def test_a_directory_dest_takes_the_file_name_lcs_gives(tmp_path):
    assert resolve_dest(str(tmp_path), "uat.bacpac") == str(tmp_path / "uat.bacpac")
    assert resolve_dest(str(tmp_path) + "/", "..\\..\\evil.bacpac") == str(tmp_path / "evil.bacpac")
    assert resolve_dest(str(tmp_path / "mine.bacpac"), "uat.bacpac") == str(tmp_path / "mine.bacpac")


def test_a_missing_directory_says_how_to_create_it(tmp_path):
    with pytest.raises(DownloadError, match="does not exist; create it first"):
        resolve_dest(str(tmp_path / "nope" / "x.bacpac"), "x.bacpac")
    with pytest.raises(DownloadError, match="no usable file name"):
        resolve_dest(str(tmp_path) + "/", "..")


# -- a whole download through the files -----------------------------------------------------------


def test_download_renames_only_when_complete_and_records_the_checksum(tmp_path, blob):
    target = DownloadTarget(str(tmp_path), BACKUP, mode=0o640)
    assert target.inspect() == (ABSENT, None)
    facts = download(target, blob)
    assert facts["sha256"] == blob.sha256 == hashlib.sha256((tmp_path / "uat-1.bacpac").read_bytes()).hexdigest()
    assert facts["size"] == SIZE and facts["bytes_transferred"] == SIZE and facts["resumed_from"] == 0
    assert sorted(os.listdir(tmp_path)) == ["uat-1.bacpac", "uat-1.bacpac.download.json"]
    record = json.loads((tmp_path / "uat-1.bacpac.download.json").read_text())
    assert {k: record[k] for k in ("backup_id", "backup_name", "size", "sha256")} == {
        "backup_id": "a1", "backup_name": "uat-1", "size": SIZE, "sha256": blob.sha256}
    assert stat.S_IMODE(os.stat(target.path).st_mode) == 0o640
    assert target.inspect()[0] == PRESENT


def test_an_earlier_runs_partial_file_is_continued_not_restarted(tmp_path, blob):
    target = DownloadTarget(str(tmp_path), BACKUP)
    blob.drops = [1 << 20]
    with pytest.raises(DownloadError):
        download(target, blob, retries=0)  # the first run dies at the drop
    assert os.path.getsize(target.part_path) == 1 << 20 and not os.path.exists(target.path)
    facts = download(DownloadTarget(str(tmp_path), BACKUP), blob)
    assert facts["resumed_from"] == 1 << 20 and facts["bytes_transferred"] == SIZE - (1 << 20)
    assert facts["sha256"] == blob.sha256  # the hash covers the bytes of both runs
    assert blob.ranges()[-1] == "bytes=1048576-"


def test_a_partial_file_of_another_backup_is_thrown_away(tmp_path, blob):
    first = DownloadTarget(str(tmp_path / "x.bacpac"), dict(BACKUP, id="other"))
    blob.drops = [1 << 20]
    with pytest.raises(DownloadError):
        download(first, blob, retries=0)
    facts = download(DownloadTarget(str(tmp_path / "x.bacpac"), BACKUP), blob)
    assert facts["resumed_from"] == 0 and facts["sha256"] == blob.sha256


def test_a_crash_between_record_and_rename_is_finished_without_the_network(tmp_path, blob):
    target = DownloadTarget(str(tmp_path), BACKUP)
    (tmp_path / "uat-1.bacpac.part").write_bytes(blob.data)
    target.save_state(SIZE, blob.etag)
    facts = download_backup(target, lambda: pytest.fail("no link needed"), new_session(), timeout=10)
    assert facts["sha256"] == blob.sha256 and facts["bytes_transferred"] == 0
    assert target.inspect()[0] == PRESENT and not os.path.exists(target.part_path)


def test_a_disk_that_fills_gives_its_space_back(tmp_path, blob):
    target = DownloadTarget(str(tmp_path), BACKUP)

    class FullDisk:
        def __init__(self, inner):
            self.inner = inner

        def write(self, data):
            if self.inner.tell() > (1 << 20):
                raise OSError(28, "No space left on device")
            return self.inner.write(data)

        def __getattr__(self, name):
            return getattr(self.inner, name)

        def __enter__(self):
            return self

        def __exit__(self, *exc):
            self.inner.close()

    real_open = target.open_part
    target.open_part = lambda: (FullDisk(real_open()[0]), 0, hashlib.sha256(), None, None)
    with pytest.raises(DiskFullError):
        download(target, blob)
    assert os.listdir(tmp_path) == []


# -- what is at dest already ----------------------------------------------------------------------


def test_inspect_tells_foreign_different_and_damaged_files_apart(tmp_path, blob):
    target = DownloadTarget(str(tmp_path), BACKUP)
    (tmp_path / "uat-1.bacpac").write_bytes(b"somebody else's file")
    assert target.inspect() == (FOREIGN, None)
    os.unlink(target.path)
    download(target, blob)
    assert target.inspect()[0] == PRESENT
    newer = DownloadTarget(str(tmp_path), dict(BACKUP, id="a2"))
    assert newer.inspect()[0] == DIFFERENT
    with open(target.path, "r+b") as handle:  # same size, one byte flipped
        handle.write(b"\0")
    state, record = target.inspect()
    assert state == DIFFERENT and record["damaged"] is True
    assert target.inspect(verify=False)[0] == PRESENT  # size-and-id trust when asked


@pytest.mark.parametrize("value, expected", [("0600", 0o600), ("640", 0o640), (384, 0o600), ("0o644", 0o644),
                                             ("rw", None), (0o1777, None), (True, None)])
def test_parse_mode(value, expected):
    if expected is None:
        with pytest.raises(ValueError, match="octal permissions"):
            parse_mode(value)
    else:
        assert parse_mode(value) == expected


# -- choosing the backup and its links -----------------------------------------------------------


ASSETS = [
    {"Id": "11111111-aaaa-4aaa-8aaa-000000000001", "Name": "uat-a", "CreatedDateTime": "2026-11-01T10:00:00",
     "FileLocation": "https://x/1?sig=one"},
    {"Id": "11111111-aaaa-4aaa-8aaa-000000000002", "Name": "uat-b", "CreatedDateTime": "11/28/2026 9:00 AM",
     "FileLocation": "https://x/2?sig=two"},
    {"Id": "11111111-aaaa-4aaa-8aaa-000000000003", "Name": "prod", "CreatedDateTime": "2026-11-29T10:00:00",
     "FileLocation": "https://x/3?sig=three"},
]


def test_a_glob_takes_the_newest_match_across_date_formats():
    assert choose_backup(ASSETS, name="uat-*")["Name"] == "uat-b"
    assert choose_backup(ASSETS, name="prod")["Name"] == "prod"


def test_an_export_result_is_found_by_id_dashes_or_not():
    assert choose_backup(ASSETS, backup={"id": "11111111AAAA4AAA8AAA000000000001"})["Name"] == "uat-a"
    assert choose_backup(ASSETS, backup={"name": "prod"})["Name"] == "prod"


def test_no_match_says_how_to_look():
    with pytest.raises(DownloadError, match=r"no backup matching test-\* \(3 backups listed\).*backup_info"):
        choose_backup(ASSETS, name="test-*")


def test_links_come_first_from_the_listing_then_fresh_and_are_protected():
    protected = []
    listings = []

    def list_backups():
        listings.append(1)
        return [dict(ASSETS[0], FileLocation="https://x/1?sig=fresh")]

    source = BackupLinkSource(list_backups, ASSETS[0], protect=protected.append)
    assert source() == "https://x/1?sig=one" and listings == []
    assert source() == "https://x/1?sig=fresh" and listings == [1]
    assert protected == ["https://x/1?sig=one", "https://x/1?sig=fresh"]
    assert link_secrets("https://x/1?sv=1&sig=abc%2Bdef") == ["https://x/1?sv=1&sig=abc%2Bdef", "abc+def"]


def test_a_deleted_backup_or_missing_link_fails_clearly():
    source = BackupLinkSource(lambda: [], ASSETS[0], protect=lambda link: None)
    source()
    with pytest.raises(DownloadError, match="no longer in the LCS asset library"):
        source()
    with pytest.raises(DownloadError, match="gave no download link"):
        BackupLinkSource(list, dict(ASSETS[0], FileLocation=None), protect=lambda link: None)()


# -- progress ----------------------------------------------------------------------------------


def test_progress_file_gives_rate_and_time_left(tmp_path):
    now = [100.0]
    progress = ProgressFile(str(tmp_path / "p.json"), "uat.bacpac", clock=lambda: now[0])
    progress.update(0, 100 * 1024 * 1024)
    now[0] = 102.0
    progress.update(20 * 1024 * 1024, 100 * 1024 * 1024)
    progress.event("connection dropped; resuming")
    data = read_state(str(tmp_path / "p.json"))
    assert data["rate"] == 10 * 1024 * 1024 and data["events"] == ["connection dropped; resuming"]
    assert progress_line(data, 2) == ("uat.bacpac: 20.0 MiB of 100.0 MiB (20%), 10.0 MiB/s, 0:00:08 left, "
                                      "elapsed 0:00:02")
    assert read_state(str(tmp_path / "missing.json")) is None
