#!/usr/bin/python
# -*- coding: utf-8 -*-
# Copyright: (c) 2026, d365fo.dataalm contributors
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)

from __future__ import absolute_import, division, print_function

__metaclass__ = type

DOCUMENTATION = r"""
---
module: lcs_database_backup_download
short_description: Download a database backup (bacpac) from the LCS asset library, resumably and verified
version_added: 1.1.0
description:
  - Downloads one database backup of the LCS project to the controller, chosen by O(name) (exact or glob, the
    newest match wins) or taken from the RV(d365fo.dataalm.lcs_database_export#module:backup) result of a preceding
    export (O(backup)).
  - The bytes go to C(<dest>.part) beside the destination, which is renamed to O(dest) only when the file is complete
    and its size matches what the storage service announced (C(Content-Length) or C(Content-Range)). O(dest) never
    holds a partial backup.
  - A dropped connection is resumed with an HTTP C(Range) request from the byte where it stopped. A refused link
    (HTTP 403, which is how an expired link shows) makes the module ask LCS for a fresh link and continue. A task
    that fails or is killed keeps C(<dest>.part) and C(<dest>.part.json); the next run continues from there.
  - The free space beside O(dest) is checked before the first byte is written. If the disk still fills up (another
    process used the space), the partial file is removed to give the space back and the task fails saying how much
    space is needed.
  - The SHA-256 is computed while the bytes arrive and returned. It is recorded, with the backup's id and size, in
    C(<dest>.download.json) beside the file. A re-run that finds O(dest) with that record and the same checksum on
    disk reports C(changed=false) and downloads nothing.
  - With the collection's action plugin (the normal case), bytes done, rate and time left are printed on the
    controller while the download runs, at default verbosity, every C(d365fo_dataalm_progress_interval) seconds
    (default 30), and every resume or fresh link as it happens.
  - The signed download link (a shared-access signature) never appears in results, messages or logs.
author:
  - d365fo.dataalm contributors (@d365fo-dataalm)
extends_documentation_fragment:
  - d365fo.dataalm.auth
  - d365fo.dataalm.lcs
attributes:
  check_mode:
    support: full
    description: Lists the backups and asks the storage service for the file's size (a C(HEAD) request); downloads
      nothing and writes nothing. Reports whether it would download and whether the file fits on the disk.
  diff_mode:
    support: none
    description: A binary file has no useful diff; RV(action) says what happened.
options:
  name:
    description:
      - Backup name, exact or a shell-style glob such as V(uat-*). Case-sensitive. The newest matching backup (by
        creation time) is downloaded.
      - Exactly one of O(name) and O(backup) is required.
    type: str
  backup:
    description:
      - A backup as returned by M(d365fo.dataalm.lcs_database_export)
        (RV(d365fo.dataalm.lcs_database_export#module:backup)) or one item of
        M(d365fo.dataalm.lcs_database_backup_info)'s RV(d365fo.dataalm.lcs_database_backup_info#module:backups).
      - Only its C(id) (or, without an id, its C(name)) is used; any C(download_url) in it is ignored and never logged.
    type: dict
  dest:
    description:
      - Where to put the file. An existing directory (or a path ending in C(/)) receives the file under the name LCS
        gives it, such as C(uat-20261129.bacpac).
      - The directory must exist and be writable.
    type: path
    required: true
  force:
    description:
      - Replace a file at O(dest) that this module did not download (one without a C(<dest>.download.json) record).
      - Without it such a file is never touched and the task fails.
      - A file this module downloaded earlier from another backup (or one whose checksum no longer matches) is always
        replaced.
    type: bool
    default: false
  verify_existing:
    description:
      - On a re-run, read the file already at O(dest) and compare its SHA-256 with the recorded one before deciding
        that nothing needs to be done.
      - V(false) trusts the record when the backup id and size match, which saves reading a large file again.
    type: bool
    default: true
  retries:
    description:
      - Failed attempts in a row (dropped connections, server errors, refused links) before the task gives up.
        Any progress resets the count, so a long download over a flaky line still finishes.
    type: int
    default: 10
  mode:
    description:
      - Permissions of the downloaded file and its record, such as V('0600'). Backups hold production data, so only
        the owner may read them by default.
    type: raw
    default: '0600'
notes:
  - Runs on the controller. The storage service is called without the LCS token; the link carries its own signature.
  - O(timeout) also bounds how long the download waits for the next bytes before it treats the connection as
    dropped and resumes.
seealso:
  - module: d365fo.dataalm.lcs_database_backup_info
  - module: d365fo.dataalm.lcs_database_export
"""

EXAMPLES = r"""
- name: Download the newest UAT export into /var/backups/d365
  d365fo.dataalm.lcs_database_backup_download:
    name: "uat-*"
    dest: /var/backups/d365/
  register: download

- name: Show where it went and its checksum
  ansible.builtin.debug:
    msg: "{{ download.dest }} sha256 {{ download.sha256 }}"

- name: Export a sandbox, then take the new backup home
  d365fo.dataalm.lcs_database_export:
    environment_id: "{{ uat_environment_id }}"
    backup_name: "uat-{{ now(utc=true, fmt='%Y%m%d') }}"
  register: export

- name: Download the backup the export produced
  d365fo.dataalm.lcs_database_backup_download:
    backup: "{{ export.backup }}"
    dest: /var/backups/d365/uat.bacpac
    retries: 20
"""

RETURN = r"""
action:
  description: V(downloaded), V(resumed) (continued a partial file of an earlier run), V(none) (already there) or, in
    check mode, V(download).
  returned: always
  type: str
dest:
  description: Absolute path of the backup file.
  returned: always
  type: str
record_path:
  description: The JSON record beside the file (backup id, name, size, SHA-256, download time).
  returned: always
  type: str
backup:
  description: The backup that was chosen (no download link).
  returned: always
  type: dict
  contains:
    id:
      description: Asset id.
      type: str
    name:
      description: Backup name.
      type: str
    file_name:
      description: File name LCS gives the bacpac.
      type: str
    created_at:
      description: Creation time, ISO 8601 UTC.
      type: str
sha256:
  description: SHA-256 of the file, hexadecimal.
  returned: when the file is at dest
  type: str
size:
  description: Size of the file in bytes; in check mode the size the storage service announces.
  returned: when known
  type: int
bytes_transferred:
  description: Bytes received by this run.
  returned: when a download ran
  type: int
resumed_from:
  description: Bytes an earlier run had already downloaded into the partial file.
  returned: when a download ran
  type: int
duration_seconds:
  description: Wall time of the transfer.
  returned: when a download ran
  type: float
bytes_per_second:
  description: Mean transfer rate of this run.
  returned: when a download ran
  type: int
resumes:
  description: Times the transfer continued after a dropped connection or server error.
  returned: when a download ran
  type: int
link_refreshes:
  description: Fresh download links asked from LCS because the storage service refused the current one.
  returned: when a download ran
  type: int
restarts:
  description: Times the transfer started again from the first byte because the file changed on the service.
  returned: when a download ran
  type: int
replaced:
  description: The record of the earlier download that was replaced (another backup, or a damaged file).
  returned: when a file downloaded earlier was replaced
  type: dict
free_bytes:
  description: Free space beside dest, in bytes.
  returned: in check mode, and when the disk is too small
  type: int
needed_bytes:
  description: Bytes the download still needs on the disk.
  returned: when the disk is too small
  type: int
api_calls:
  description: HTTP calls made to LCS (including retries); the storage service is not counted.
  returned: when LCS was called
  type: int
api_retries:
  description: LCS calls retried because of throttling, server errors or dropped connections.
  returned: when LCS was called
  type: int
http_status:
  description: HTTP status of the call that failed.
  returned: on failures of an HTTP call
  type: int
request_id:
  description: LCS activity id or storage request id of the call that failed, for a support case.
  returned: on failures of an HTTP call
  type: str
"""

from ansible_collections.d365fo.dataalm.plugins.module_utils._backup_file import (
    DIFFERENT, FOREIGN, PRESENT, DownloadTarget, download_backup, parse_mode)
from ansible_collections.d365fo.dataalm.plugins.module_utils._backup_source import (
    BackupLinkSource, choose_backup, link_secrets)
from ansible_collections.d365fo.dataalm.plugins.module_utils._download import (
    DownloadError, check_free_space, free_bytes, new_session, probe)
from ansible_collections.d365fo.dataalm.plugins.module_utils._download_progress import ProgressFile
from ansible_collections.d365fo.dataalm.plugins.module_utils._lcs.client import backup_facts
from ansible_collections.d365fo.dataalm.plugins.module_utils._lcs.module import LcsModule


def tls_verify(p):
    # the storage host gets the same TLS settings as LCS (an explicit ca_path wins over REQUESTS_CA_BUNDLE)
    return (p["ca_path"] or True) if p["validate_certs"] else False


def check_mode_result(lm, target, link, result):
    """What a real run would do, from a HEAD request: nothing is written."""
    blob = probe(link, new_session(), timeout=lm.params["timeout"], verify=tls_verify(lm.params))
    result.update(changed=True, action="download", size=blob.size, free_bytes=free_bytes(target.directory))
    if blob.size is not None:
        check_free_space(target.directory, blob.size, free_bytes)
    result["msg"] = "would download %s to %s" % (result["backup"]["name"], target.path)
    return result


def run(lm):
    p = lm.params
    asset = choose_backup(lm.client.list_backups(), p["name"], p["backup"])
    fresh_link = BackupLinkSource(lm.client.list_backups, asset,
                                  protect=lambda link: lm.module.no_log_values.update(link_secrets(link)))
    backup = {k: v for k, v in backup_facts(asset).items() if k in ("id", "name", "file_name", "created_at")}
    target = DownloadTarget(p["dest"], backup, parse_mode(p["mode"]))
    result = dict(dest=target.path, record_path=target.record_path, backup=backup)
    state, record = target.inspect(verify=p["verify_existing"])
    if state == PRESENT:
        return dict(result, changed=False, action="none", sha256=record["sha256"], size=record["size"],
                    msg="%s is already at %s (sha256 %s)" % (backup["name"], target.path, record["sha256"]))
    if state == FOREIGN and not p["force"]:
        raise DownloadError("%s exists and was not downloaded by this module (no %s); move it away, set dest to "
                            "another path, or set force: true to replace it" % (target.path, target.record_path))
    if state == DIFFERENT:
        result["replaced"] = record
    if lm.check_mode:
        return check_mode_result(lm, target, fresh_link(), result)
    progress = ProgressFile.from_environment(target.path.rsplit("/", 1)[-1])
    facts = download_backup(target, fresh_link, new_session(), progress=progress, timeout=p["timeout"],
                            verify=tls_verify(p), retries=p["retries"])
    action = "resumed" if facts["resumed_from"] else "downloaded"
    return dict(result, changed=True, action=action, msg="%s %s to %s (sha256 %s)" % (
        action, backup["name"], target.path, facts["sha256"]), **facts)


def main():
    lm = LcsModule(argument_spec=dict(
        name=dict(type="str"),
        backup=dict(type="dict"),
        dest=dict(type="path", required=True),
        force=dict(type="bool", default=False),
        verify_existing=dict(type="bool", default=True),
        retries=dict(type="int", default=10),
        mode=dict(type="raw", default="0600"),
    ), mutually_exclusive=[("name", "backup")])
    lm.require_project()
    p = lm.params
    if p["backup"] and p["backup"].get("download_url"):
        # a backup_info item may carry its link: never echo it back in the invocation
        lm.module.no_log_values.update(link_secrets(p["backup"].pop("download_url")))
    if not (p["name"] or "").strip() and not p["backup"]:
        lm.fail("give the backup to download: name (exact or a glob such as uat-*) or backup (an export result)")
    if p["retries"] < 0:
        lm.fail("retries must be 0 or more; got %d" % p["retries"])
    try:
        parse_mode(p["mode"])
    except ValueError as exc:
        lm.fail(str(exc))

    def body():
        try:
            return run(lm)
        except DownloadError as exc:
            lm.fail(str(exc), **exc.details)

    lm.run(body)


if __name__ == "__main__":
    main()
