# -*- coding: utf-8 -*-
# Copyright: (c) 2026, d365fo.dataalm contributors
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)
"""fo_data_package_export and fo_data_package_import: start, follow or reuse one execution, then finish it.

Both derive the execution id from the request, so a re-run after a crash asks F&O about the execution it
already started and follows it; nothing is started twice. Check mode only reads.
"""

from __future__ import annotations

import os
import re
import zipfile

from .._http import HttpError
from .._redact import redact
from .client import FoError
from .._movement.operation import status_key
from .packages import IN_FLIGHT, NEVER_RAN, Packages, derived_execution_id
from .transfer import download, remote_size, sha256_of, upload

ENDED_BADLY = ("failed", "canceled", "cancelled")


def follow(fm, packages, operation):
    """Wait on ``operation`` unless it has ended, wait is off or this is check mode."""
    if operation.done or fm.check_mode or not fm.params["wait"]:
        return operation
    return fm.waiter(lambda: packages.operation(operation.operation_id)).wait().operation


def failure_details(packages, execution_id):
    """Execution errors and, per entity, the staging and target error files; best effort, never masks the cause."""
    details = {"execution_errors": [], "entities": []}
    try:
        details["execution_errors"] = [redact(e) for e in packages.errors(execution_id)][:50]
        for row in packages.job_entities(execution_id)[:20]:
            name = row.get("EntityName")
            staging, target = packages.error_files(execution_id, name)
            details["entities"].append({
                "entity": name, "staging_status": row.get("StagingStatus"), "target_status": row.get("TargetStatus"),
                "created": row.get("TargetRecordsCreatedCount"), "updated": row.get("TargetRecordsUpdatedCount"),
                # the signature is redacted: open the files from the job history in F&O, or re-read them there
                "staging_error_file": redact(staging) or None, "target_error_keys_file": redact(target) or None})
    except (FoError, HttpError) as exc:
        details["details_error"] = str(exc)
    return details


def outcome(fm, packages, operation, what):
    """Fail for Failed / Canceled, and for PartiallySucceeded unless allow_partial; return extra result keys."""
    key = status_key(operation.status)
    fm.known["status"] = operation.status
    if key not in ENDED_BADLY and key != "partiallysucceeded":
        return {}
    details = failure_details(packages, operation.operation_id)
    errors = "; ".join(details["execution_errors"][:5]) or "F&O gave no error text; see Data management > Job history"
    if key == "partiallysucceeded" and fm.params["allow_partial"]:
        fm.warn("%s %s partially succeeded: %s" % (what, operation.operation_id, errors))
        return details
    hint = ("set allow_partial: true to accept it" if key == "partiallysucceeded" else
            "fix the cause, then re-run with reexecute: true" if what == "export" else
            "fix the data or the package; the same package on the same target follows this execution again, so "
            "pass a new execution_id to retry")
    fm.fail("%s %s ended %s: %s; %s" % (what, operation.operation_id, operation.status, errors, hint), **details)


def require_project(fm, packages):
    """A start needs the data project in this environment (a movement may have replaced the projects)."""
    name = fm.params["definition_group_id"]
    if packages.project(name) is None:
        fm.fail("data project %s does not exist in %s; create it first with d365fo.dataalm.fo_data_project "
                "(a database movement replaces the target's projects)" % (name, fm.params["environment_url"]),
                changed=False)


def export_task(fm):
    p, packages = fm.params, Packages(fm.client)
    execution_id = p["execution_id"] or derived_execution_id(
        "export", p["environment_url"], p["definition_group_id"], p["package_name"], p["legal_entity_id"])
    operation = packages.operation(execution_id)
    key = status_key(operation.status)
    start = key == NEVER_RAN or (p["reexecute"] and key not in IN_FLIGHT)
    if start:
        require_project(fm, packages)
    fm.known = dict(execution_id=execution_id, status=operation.status, dest=p["dest"],
                    action="started" if start else "followed" if key in IN_FLIGHT else "reused")
    if key in ENDED_BADLY and not start:
        outcome(fm, packages, operation, "export")
    if fm.check_mode:
        changed = start or not os.path.exists(p["dest"])
        return dict(fm.known, changed=changed, sha256=_existing_sha(p["dest"]) if not changed else None)
    if start:
        packages.export(p["definition_group_id"], p["package_name"], execution_id, p["legal_entity_id"],
                        p["reexecute"] and key != NEVER_RAN)
        fm.known["changed"] = True
        operation = packages.operation(execution_id)
    operation = follow(fm, packages, operation)
    fm.known["status"] = operation.status
    if not operation.done:
        return dict(fm.known, changed=start, sha256=None)
    extra = outcome(fm, packages, operation, "export")
    downloaded = _fetch_package(fm, packages, execution_id)
    return dict(fm.known, changed=start or downloaded, downloaded=downloaded,
                sha256=sha256_of(p["dest"]).hexdigest(), **extra)


def _existing_sha(path):
    return sha256_of(path).hexdigest() if os.path.isfile(path) else None


def _fetch_package(fm, packages, execution_id):
    """Download the package unless ``dest`` already holds it; True when a file was written."""
    dest = fm.params["dest"]
    url = packages.exported_package_url(execution_id)
    if not url:
        if os.path.isfile(dest):
            fm.warn("the package of %s is no longer in storage (kept 7 days); %s is kept" % (execution_id, dest))
            return False
        fm.fail("export %s has no package to download (packages are kept 7 days); re-run with reexecute: true"
                % execution_id)
    if os.path.isfile(dest) and remote_size(url, fm.verify, fm.params["timeout"]) == os.path.getsize(dest):
        return False
    unused = [url]

    def fresh_url():
        # the first URL is the one just read; later calls come after a signature expired mid-download
        return unused.pop() if unused else packages.exported_package_url(execution_id)

    download(fresh_url, dest, fm.verify, fm.params["timeout"])
    return True


def import_task(fm):
    p, packages = fm.params, Packages(fm.client)
    package_sha = sha256_of(p["src"]).hexdigest()
    execution_id = p["execution_id"] or derived_execution_id(
        "import", package_sha, p["environment_url"], p["definition_group_id"], p["legal_entity_id"], p["overwrite"])
    operation = packages.operation(execution_id)
    key = status_key(operation.status)
    start = key == NEVER_RAN
    fm.known = dict(execution_id=execution_id, status=operation.status, src=p["src"], sha256=package_sha,
                    action="started" if start else "followed" if key in IN_FLIGHT else "none")
    if start:
        require_project(fm, packages)
        running = packages.running_imports(execution_id)
        if running:
            fm.fail("refusing to start: the environment already runs an import (%s); data management imports must "
                    "not run in parallel, re-run when it has ended" % ", ".join(
                        "job %s of project %s" % (r["job_id"], r["definition_group_id"]) for r in running),
                    changed=False, running_imports=running)
    if fm.check_mode:
        return dict(fm.known, changed=start)
    if start:
        _blob_id, url = packages.write_url(execution_id + ".zip")
        upload(fm.blob, url, p["src"])
        packages.import_package(url, p["definition_group_id"], execution_id, p["legal_entity_id"], p["overwrite"])
        fm.known["changed"] = True
        operation = packages.operation(execution_id)
    operation = follow(fm, packages, operation)
    fm.known["status"] = operation.status
    extra = outcome(fm, packages, operation, "import") if operation.done else {}
    return dict(fm.known, changed=start, **extra)


def common_problems(p):
    """Input checks shared by export and import, before any call."""
    problems = []
    for name in ("definition_group_id", "legal_entity_id"):
        if not (p[name] or "").strip():
            problems.append("%s must not be empty" % name)
    if p["legal_entity_id"] and not re.match(r"^[A-Za-z0-9]{1,4}$", p["legal_entity_id"]):
        problems.append("legal_entity_id must be a legal entity id of at most 4 letters or digits, e.g. USMF; got %r"
                        % p["legal_entity_id"])
    if p["execution_id"] is not None and not re.match(r"^[A-Za-z0-9_.\-{}]{1,90}$", p["execution_id"]):
        problems.append("execution_id must be 1 to 90 letters, digits, '-', '_', '.' or braces; got %r"
                        % p["execution_id"])
    return problems


def is_zip(path):
    return zipfile.is_zipfile(path)
