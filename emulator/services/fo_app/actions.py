"""The data management package actions bound to DataManagementDefinitionGroups (data-management-api.md)."""

from __future__ import annotations

import json

from . import dmf
from .backend import ODataError

GROUPS = "DataManagementDefinitionGroups"
DETAILS = "DataManagementDefinitionGroupDetails"


def _require(body, *names):
    for name in names:
        if body.get(name) in (None, ""):
            raise ODataError(400, f"The parameter '{name}' of the action is missing or empty.")


def _group_entities(backend, env, group):
    if backend.get(env, GROUPS, {"Name": group}) is None:
        raise ODataError(400, f"Data project {group} does not exist.")
    rows = backend.query(env, DETAILS, "DefinitionGroupId eq '%s'" % group.replace("'", "''"), None, None)
    rows.sort(key=lambda r: (r["ExecutionUnit"], r["LevelInExecutionUnit"], r["SequenceInLevel"]))
    return [row["EntityName"] for row in rows]


def export_to_package(backend, env, body, base_url):
    _require(body, "definitionGroupId", "packageName", "executionId", "legalEntityId")
    existing = backend._env_executions(env).get(body["executionId"])
    if existing is not None and not body.get("reExecute"):
        raise ODataError(400, f"Execution {body['executionId']} already exists; set reExecute to run it again.")
    entities = _group_entities(backend, env, body["definitionGroupId"])
    backend.new_execution(env, "export", body["executionId"], body["definitionGroupId"], body["legalEntityId"],
                          entities)
    return body["executionId"]


def import_from_package(backend, env, body, base_url):
    _require(body, "packageUrl", "definitionGroupId", "executionId", "legalEntityId")
    if body["executionId"] in backend._env_executions(env):
        raise ODataError(400, f"Execution {body['executionId']} already exists.")
    blob = backend.blobs.get(backend.blob_name_from_url(body["packageUrl"]) or "")
    if blob is None or blob.data is None:
        raise ODataError(400, "The package could not be read from packageUrl; upload it to the URL that "
                              "GetAzureWriteUrl returned.")
    entities = _group_entities(backend, env, body["definitionGroupId"])
    now = backend.now()
    if any(e.kind == "import" and e.status(now) in ("NotRun", "Executing")
           for e in backend._env_executions(env).values()):
        backend.started["parallel_imports"] += 1  # DMAPI: do not call ImportFromPackage in parallel
    # the job lists the project's entities from the start; the package's own list replaces it when it runs
    execution = backend.new_execution(env, "import", body["executionId"], body["definitionGroupId"],
                                      body["legalEntityId"], entities)
    execution.package_blob = blob.name
    return body["executionId"]


def summary_status(backend, env, body, base_url):
    _require(body, "executionId")
    execution = backend._env_executions(env).get(body["executionId"])
    return execution.status(backend.now()) if execution else "Unknown"


def exported_package_url(backend, env, body, base_url):
    _require(body, "executionId")
    execution = backend._env_executions(env).get(body["executionId"])
    now = backend.now()
    if execution is None or execution.package_blob is None or execution.status(now) not in (
            "Succeeded", "PartiallySucceeded"):
        return ""
    blob = backend.blobs.get(execution.package_blob)
    if blob is None or now > blob.created + dmf.PACKAGE_RETENTION:
        return ""
    return backend.signer.url(base_url, blob.name, now, backend.settings["package_url_lifetime_seconds"], "r")


def azure_write_url(backend, env, body, base_url):
    _require(body, "uniqueFileName")
    now = backend.now()
    name = "import-%s-%s" % (now.strftime("%Y%m%d%H%M%S"), body["uniqueFileName"])
    backend.blobs[name] = dmf.Blob(name, now)
    url = backend.signer.url(base_url, name, now, backend.settings["write_url_lifetime_seconds"], "w")
    # documented as a JSON-encoded string inside value (decode twice)
    return json.dumps({"BlobId": "{%s}" % name, "BlobUrl": url})


def execution_errors(backend, env, body, base_url):
    _require(body, "executionId")
    execution = backend._env_executions(env).get(body["executionId"])
    return json.dumps(execution.errors if execution else [])


def _result(backend, env, body):
    _require(body, "executionId", "entityName")
    execution = backend._env_executions(env).get(body["executionId"])
    return execution.results.get(body["entityName"]) if execution else None


def _error_file(backend, env, body, base_url, kind):
    result = _result(backend, env, body)
    if result is None or not result.errors:
        return ""
    now = backend.now()
    name = f"{kind}-{body['executionId']}-{body['entityName'].replace(' ', '_')}.csv"
    backend.blobs[name] = dmf.Blob(name, now, ("\n".join(result.errors) + "\n").encode())
    return backend.signer.url(base_url, name, now, backend.settings["package_url_lifetime_seconds"], "r")


def staging_error_file(backend, env, body, base_url):
    return _error_file(backend, env, body, base_url, "staging-errors")


def generate_target_keys(backend, env, body, base_url):
    result = _result(backend, env, body)
    if result is not None and result.errors:
        result.keys_requested = True
        return True
    return False


def target_keys_file(backend, env, body, base_url):
    result = _result(backend, env, body)
    if result is None or not result.keys_requested:
        return ""
    result.keys_asks += 1
    if result.keys_asks == 1:
        return ""  # DMAPI: "" while the file is being generated, so clients must ask again
    return _error_file(backend, env, body, base_url, "target-error-keys")


def initialize_data_management(backend, env, body, base_url):
    """Refresh the data entity list (INFERRED: INTEG, FOCLIENT call it after a refresh): every entity the
    environment serves is listed again, with the ones a copy's list misses added."""
    from .entities import BY_DMF_NAME

    with backend.store(env).transaction() as cur:
        listed = {row[0] for row in cur.execute("SELECT ENTITYNAME FROM DMFENTITY").fetchall()}
        next_recid = cur.execute("SELECT COALESCE(MAX(RECID), 5637144576) + 1 FROM DMFENTITY").fetchone()[0]
        for number, (name, entity) in enumerate(sorted(n for n in BY_DMF_NAME.items() if n[0] not in listed)):
            cur.execute("INSERT INTO DMFENTITY (RECID, ENTITYNAME, TARGETENTITY) VALUES (%s, %s, %s)",
                        (next_recid + number, name, entity.set_name))
    backend.started["entity_list_refreshes"] += 1
    return ""


ACTIONS = {
    "ExportToPackage": export_to_package,
    "ImportFromPackage": import_from_package,
    "GetExecutionSummaryStatus": summary_status,
    "GetExportedPackageUrl": exported_package_url,
    "GetAzureWriteUrl": azure_write_url,
    "GetExecutionErrors": execution_errors,
    "GetImportStagingErrorFileUrl": staging_error_file,
    "GenerateImportTargetErrorKeysFile": generate_target_keys,
    "GetImportTargetErrorKeysFileUrl": target_keys_file,
    "InitializeDataManagement": initialize_data_management,
}
MUTATING = {"ExportToPackage", "ImportFromPackage", "GetAzureWriteUrl", "GenerateImportTargetErrorKeysFile",
            "InitializeDataManagement"}
