# -*- coding: utf-8 -*-
# Copyright: (c) 2026, d365fo.dataalm contributors
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)
"""The data management package API (data-management-api.md): executions, their status and their errors.

Actions are bound to ``DataManagementDefinitionGroups``. An execution id is chosen by the caller, so the
modules derive it from what they are asked to do: a re-run after a crash asks about the same execution and
follows it instead of starting a second one.
"""

from __future__ import annotations

import hashlib

from .._movement.operation import FAILED, PENDING, RUNNING, SUCCEEDED, StatusMap

GROUPS = "DataManagementDefinitionGroups"

# DMFExecutionSummaryStatus (DMAPI). Unknown is what F&O reports for an execution id it has never seen.
# PartiallySucceeded is over, and the caller decides whether errors are acceptable (allow_partial).
DMF_STATUSES = StatusMap(
    states={"Unknown": PENDING, "NotRun": PENDING, "Executing": RUNNING, "Succeeded": SUCCEEDED,
            "PartiallySucceeded": SUCCEEDED, "Failed": FAILED, "Canceled": FAILED, "Cancelled": FAILED},
    settled=("Unknown", "Succeeded", "PartiallySucceeded", "Failed", "Canceled", "Cancelled"))
NEVER_RAN = "unknown"
IN_FLIGHT = ("notrun", "executing")
# DmfBatchJobStatus values of a job that still occupies the import queue
BUSY_JOB_STATUSES = ("Waiting", "Executing")


def dmf_state(status):
    return DMF_STATUSES.state(status)


def derived_execution_id(kind, *parts):
    """A stable execution id for the same request (at most 90 characters, DMFEXECUTION.EXECUTIONID)."""
    digest = hashlib.sha256("\n".join(str(p).lower() for p in parts).encode("utf-8")).hexdigest()
    return "dataalm-%s-%s" % (kind, digest[:32])


class Packages:
    """The DMF actions, each returning plain Python values whatever shape F&O's ``value`` had."""

    def __init__(self, client):
        self.client = client

    def status(self, execution_id):
        value = self.client.action(GROUPS, "GetExecutionSummaryStatus", {"executionId": execution_id},
                                   idempotent=True)
        return str(value or "Unknown")

    def operation(self, execution_id):
        status = self.status(execution_id)
        return DMF_STATUSES.operation(execution_id, status)

    def project(self, name):
        """The data project (definition group) record, or None."""
        return self.client.record(GROUPS, {"Name": name}, cross_company=False)

    def export(self, definition_group_id, package_name, execution_id, legal_entity_id, reexecute):
        body = {"definitionGroupId": definition_group_id, "packageName": package_name,
                "executionId": execution_id, "reExecute": bool(reexecute), "legalEntityId": legal_entity_id}
        return str(self.client.action(GROUPS, "ExportToPackage", body) or execution_id)

    def exported_package_url(self, execution_id):
        """The package's signed URL, or "" when there is none (not finished, or gone after 7 days)."""
        return str(self.client.action(GROUPS, "GetExportedPackageUrl", {"executionId": execution_id},
                                      idempotent=True) or "")

    def write_url(self, unique_file_name):
        """(BlobId, BlobUrl) of a new blob to upload a package to."""
        value = self.client.action(GROUPS, "GetAzureWriteUrl", {"uniqueFileName": unique_file_name})
        if isinstance(value, dict):
            return value.get("BlobId"), value.get("BlobUrl") or value.get("BlobURL")
        return None, str(value)  # Microsoft's 2026 tutorial uses value as the URL itself

    def import_package(self, package_url, definition_group_id, execution_id, legal_entity_id, overwrite):
        body = {"packageUrl": package_url, "definitionGroupId": definition_group_id, "executionId": execution_id,
                "execute": True, "overwrite": bool(overwrite), "legalEntityId": legal_entity_id}
        return str(self.client.action(GROUPS, "ImportFromPackage", body) or execution_id)

    def errors(self, execution_id):
        """GetExecutionErrors: a JSON list in a string; returned as a list of strings."""
        value = self.client.action(GROUPS, "GetExecutionErrors", {"executionId": execution_id}, idempotent=True)
        if isinstance(value, list):
            return [str(item.get("message") if isinstance(item, dict) and "message" in item else item)
                    for item in value]
        return [str(value)] if value else []

    def job_entities(self, execution_id):
        """Per-entity rows of the execution (DataManagementExecutionJobDetails, INFERRED from FOMETA)."""
        literal = "'%s'" % execution_id.replace("'", "''")
        return list(self.client.records("DataManagementExecutionJobDetails", filter="JobId eq %s" % literal,
                                        cross_company=True))

    def error_files(self, execution_id, entity_name):
        """The staging error file URL and the target error keys file URL of one entity ("" when none)."""
        body = {"executionId": execution_id, "entityName": entity_name}
        staging = self.client.action(GROUPS, "GetImportStagingErrorFileUrl", body, idempotent=True) or ""
        target = ""
        if self.client.action(GROUPS, "GenerateImportTargetErrorKeysFile", body):
            # the file is generated asynchronously: "" means not ready yet (DMAPI), so ask a few times
            for _asking in range(5):
                target = self.client.action(GROUPS, "GetImportTargetErrorKeysFileUrl", body, idempotent=True) or ""
                if target:
                    break
        return str(staging), str(target)

    def running_imports(self, own_execution_id):
        """Jobs other than ours that are still staging or writing in an import project."""
        busy = " or ".join("%s eq Microsoft.Dynamics.DataEntities.DmfBatchJobStatus'%s'" % (field, status)
                           for field in ("StagingStatus", "TargetStatus") for status in BUSY_JOB_STATUSES)
        jobs = {}
        for row in self.client.records("DataManagementExecutionJobDetails", filter=busy, cross_company=True):
            if row.get("JobId") and row.get("JobId") != own_execution_id:
                jobs.setdefault(row["JobId"], row.get("DefinitionGroupId"))
        imports = []
        for job_id, group in sorted(jobs.items()):
            project = self.client.record(GROUPS, {"Name": group}, cross_company=False) if group else None
            if project is None or str(project.get("OperationType")) in ("Import", "0", "All", "2"):
                imports.append({"job_id": job_id, "definition_group_id": group})
        return imports
