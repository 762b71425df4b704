"""Power Platform backend: environments, manual backups, lifecycle operations and the BAP runtime state
(admin mode, background operations) of the world's ``power_platform`` section; who may call what.

Wire names and enum values follow Microsoft's generated SDK (shared/reference/pp-api-sdk.md); what
the references leave open is chosen here and listed in emulator/README.md ("Power Platform").
"""

from __future__ import annotations

import base64
import datetime as dt
import uuid
from dataclasses import dataclass, field

from ...core import Backend
from ...formats import new_guid
from ..entra.backend import normalize_audience
from .world import PowerPlatformWorld, PpEnvironment

PP_API_APP_ID = "8578e004-a5c6-46e7-913e-12f58912df43"
PP_API_AUDIENCES = {"https://api.powerplatform.com", PP_API_APP_ID}
BAP_AUDIENCES = {"https://service.powerapps.com", "https://gov.service.powerapps.us", "https://high.service.powerapps.us"}
PP_API_SCOPE = "https://api.powerplatform.com/.default"
BAP_SCOPE = "https://service.powerapps.com/.default"
API_VERSIONS = ("2024-10-01", "2022-03-01-preview")
BAP_API_VERSIONS = ("2019-05-01", "2020-10-01", "2021-04-01", "2023-06-01", "2024-05-01")
STAGES = ("Validate", "Prepare", "Run", "Finalize")
# the StepExecutionStatus of each stage, by the operation's OperationStatus
STAGE_STATUSES = {
    "Queued": ("NotStarted",) * 4,
    "InProgress": ("Succeeded", "Succeeded", "InProgress", "NotStarted"),
    "Succeeded": ("Succeeded",) * 4,
    "Failed": ("Succeeded", "Succeeded", "Failed", "Skipped"),
    "ValidationFailed": ("Failed", "Skipped", "Skipped", "Skipped"),
    "ValidationPassed": ("Succeeded", "NotStarted", "NotStarted", "NotStarted"),
    "NoOperation": ("Skipped",) * 4,
}


class PpError(Exception):
    """An error answer. ``shape`` "error": ``{"error": {"code", "message"}}``; "validation": the
    ValidationResponse ``{"errorDetail": {"code", "fieldErrors"}}`` the SDK maps 400/409 to."""

    def __init__(self, status: int, code: str, message: str, shape: str = "error", field_errors=None,
                 headers: dict | None = None):
        super().__init__(message)
        self.status, self.code, self.message, self.shape = status, code, message, shape
        self.field_errors = field_errors or {}
        self.headers = headers or {}

    def body(self) -> dict:
        if self.shape == "validation":
            return {"errorDetail": {"code": self.code, "fieldErrors": self.field_errors}}
        return {"error": {"code": self.code, "message": self.message}}


def field_error(status: int, code: str, name: str, message: str, suggested=None) -> PpError:
    return PpError(status, code, message, shape="validation",
                   field_errors={name: {"errorMessages": [message], "suggestedValue": suggested}})


@dataclass
class Caller:
    """Who a valid token speaks for."""

    tenant_id: str
    object_id: str
    app_id: str
    username: str | None  # None for a service principal (client credentials)
    display_name: str

    @property
    def key(self) -> str:
        return self.username or self.app_id

    def identity(self) -> dict:
        """A UserIdentity."""
        return {"userId": self.object_id, "type": "User" if self.username else "ServicePrincipal",
                "displayName": self.display_name, "tenantId": self.tenant_id}


@dataclass
class Backup:
    id: str
    environment_id: str
    label: str
    backup_point: dt.datetime
    expires: dt.datetime
    created_by: dict
    restorable_after: dt.datetime


@dataclass
class Operation:
    """A lifecycle operation: declared by the world (fixed status) or started here (on the clock)."""

    id: str
    environment_id: str
    name: str
    created: dt.datetime
    requested_by: dict
    queue_seconds: int = 0
    run_seconds: int = 0
    fixed_status: str | None = None
    fixed_end: dt.datetime | None = None
    fail: bool = False
    extra: dict = field(default_factory=dict)

    @property
    def started(self) -> dt.datetime:
        return self.created + dt.timedelta(seconds=self.queue_seconds)

    @property
    def ends(self) -> dt.datetime:
        return self.started + dt.timedelta(seconds=self.run_seconds)

    def status(self, now: dt.datetime) -> str:
        if self.fixed_status is not None:
            return self.fixed_status
        if now < self.started:
            return "Queued"
        if now < self.ends:
            return "InProgress"
        return "Failed" if self.fail else "Succeeded"

    def end_time(self, now: dt.datetime) -> dt.datetime | None:
        if self.fixed_status is not None:
            return self.fixed_end
        return self.ends if now >= self.ends else None


def iso(value: dt.datetime | None) -> str | None:
    """``2026-03-02T08:00:00.000Z``: UTC with milliseconds and Z."""
    if value is None:
        return None
    value = value.astimezone(dt.UTC)
    return value.strftime("%Y-%m-%dT%H:%M:%S.") + f"{value.microsecond // 1000:03d}Z"


def continuation_token(offset: int) -> str:
    """An opaque token for the page that starts at ``offset``."""
    return base64.urlsafe_b64encode(f"offset:{offset}".encode()).decode().rstrip("=")


def parse_continuation(token: str | None, name: str = "continuationToken") -> int:
    if not token:
        return 0
    try:
        text = base64.urlsafe_b64decode(token + "=" * (-len(token) % 4)).decode()
        kind, _colon, number = text.partition(":")
        if kind == "offset" and number.isdigit():
            return int(number)
    except (ValueError, UnicodeDecodeError):
        pass
    raise field_error(400, "InvalidContinuationToken", name, "The continuation token is not valid: pass the value "
                                                             "the previous page returned, unchanged.")


class PowerPlatformBackend(Backend):
    name = "powerplatform"

    def __init__(self, emulator, core):
        super().__init__(emulator, core)
        self.pp: PowerPlatformWorld | None = self.world.power_platform

    @property
    def environments(self) -> list[PpEnvironment]:
        return self.pp.environments if self.pp else []

    def reset(self, databases: bool) -> None:
        self.admin_mode = {e.id: e.admin_mode for e in self.environments}
        self.background_operations = {e.id: e.background_operations for e in self.environments}
        self.backups: dict[str, list[Backup]] = {}
        self.operations: dict[str, Operation] = {}
        for env in self.environments:
            self.backups[env.id] = [self._world_backup(env, b) for b in env.backups]
            for op in env.operations:
                self.operations[op.id] = Operation(
                    id=op.id, environment_id=env.id, name=op.name, created=op.started, fixed_status=op.status,
                    fixed_end=op.ended, run_seconds=op.run_seconds, fail=op.fail,
                    requested_by=self._world_identity("admin"))

    def _world_backup(self, env: PpEnvironment, b) -> Backup:
        return Backup(id=b.id, environment_id=env.id, label=b.label, backup_point=b.backup_point,
                      expires=b.backup_point + dt.timedelta(days=env.retention_days),
                      created_by=self._world_identity(b.created_by),
                      restorable_after=b.backup_point)

    def _world_identity(self, name: str) -> dict:
        """The UserIdentity of someone the world file names (who made a backup before the clock started)."""
        return {"userId": str(uuid.uuid5(uuid.NAMESPACE_URL, f"user:{name}")), "type": "User", "displayName": name,
                "tenantId": self.pp.tenant}

    def environment_keys(self) -> dict[str, str]:
        keys = {}
        for env in self.environments:
            keys[env.id] = env.id
            keys[env.name.lower()] = env.id
        return keys

    # -- who is calling ---------------------------------------------------------------------------------------
    def caller(self, token: str, audiences: set[str], api: str, scope: str) -> Caller:
        """The caller of a bearer token meant for ``audiences`` (``scope`` is named in the 401)."""
        claims = self.emulator.backend("entra").decode(token) if token else None
        if claims is None or claims.get("exp", 0) <= self.now().timestamp():
            raise PpError(401, "InvalidAuthenticationToken", "The access token is missing, malformed or expired.",
                          headers={"WWW-Authenticate": 'Bearer error="invalid_token"'})
        audience = normalize_audience(str(claims.get("aud", "")))
        if audience not in audiences:
            raise PpError(401, "InvalidAudience",
                          f"The access token was issued for '{claims.get('aud')}', not for the {api}. Request a "
                          f"token for the scope {scope}.",
                          headers={"WWW-Authenticate": 'Bearer error="invalid_token", '
                                                       'error_description="The audience is invalid"'})
        if self.pp is None or claims.get("tid") != self.pp.tenant:
            raise PpError(401, "InvalidTenant", "The access token is for a tenant without Power Platform "
                                                "environments in this world.")
        return Caller(tenant_id=claims["tid"], object_id=claims.get("oid", ""), app_id=claims.get("appid", ""),
                      username=(claims.get("upn") or "").lower() or None,
                      display_name=claims.get("name") or claims.get("appid", ""))

    def require_admin(self, caller: Caller, contributor: bool) -> None:
        """Tenant-level rights: a registered admin application (and, for the Power Platform API, the Power
        Platform Contributor role), or a user with the Power Platform administrator role."""
        if caller.username is not None:
            if caller.username not in self.pp.admins:
                raise PpError(403, "UserNotPowerPlatformAdmin",
                              f"The user {caller.username} does not hold the Power Platform administrator role. "
                              "Assign it in the Microsoft 365 admin center (Roles > Power Platform "
                              "Administrator).")
            return
        if caller.app_id not in self.pp.admin_applications:
            raise PpError(403, "ServicePrincipalNotRegistered",
                          f"The application {caller.app_id} is not registered as a Power Platform management "
                          f"application. A tenant admin registers it with: pac admin application register "
                          f"--application-id {caller.app_id}")
        if contributor and caller.app_id not in self.pp.contributors:
            raise PpError(403, "MissingPowerPlatformContributorRole",
                          f"The application {caller.app_id} has no Power Platform Contributor role assignment at "
                          "tenant scope. Assign the role to its service principal (Power Platform admin center "
                          "> Security > Role-based access control).")

    def require_environment_access(self, caller: Caller, env: PpEnvironment) -> None:
        """Environment-level rights: an application user with System Administrator in the environment."""
        if caller.username is not None or env.dataverse is None:
            # a Power Platform administrator is System Administrator everywhere; without Dataverse there is
            # no application user to have, and the call itself says what the environment lacks
            return
        if caller.app_id not in env.dataverse.application_users:
            raise PpError(403, "NoApplicationUser",
                          f"The application {caller.app_id} has no application user with the System Administrator "
                          f"role in environment {env.name} ({env.id}). Add one in the Power Platform admin center: "
                          "Environments > the environment > Settings > Users + permissions > Application users.")

    def rate_limit(self, caller: Caller) -> int | None:
        """Retry-After seconds once the caller used ``requests_per_minute`` (sliding, virtual time)."""
        return self.core.windows.check([(("powerplatform", caller.key), self.pp.requests_per_minute, 60)],
                                       self.core.clock.timestamp())

    # -- environments ------------------------------------------------------------------------------------------
    def environment(self, key: str) -> PpEnvironment:
        env = self.pp.environment(key) if self.pp else None
        if env is None:
            raise PpError(404, "EnvironmentNotFound", f"Environment '{key}' was not found.")
        return env

    @staticmethod
    def dataverse_url(env: PpEnvironment, base_url: str) -> str | None:
        return f"{base_url}/dataverse/{env.dataverse.domain}" if env.dataverse else None

    def environment_body(self, env: PpEnvironment, base_url: str) -> dict:
        """An EnvironmentResponse."""
        now = self.now()
        body = {
            "id": env.id, "tenantId": self.pp.tenant, "displayName": env.name, "type": env.type, "state": env.state,
            "azureRegion": env.azure_region, "geo": env.geo,
            "dataverseId": env.dataverse.organization_id if env.dataverse else None,
            "domainName": env.dataverse.domain if env.dataverse else None,
            "url": self.dataverse_url(env, base_url),
            "version": env.dataverse.version if env.dataverse else None,
            "adminMode": "Enabled" if self.admin_mode[env.id] else "Disabled",
            "backgroundOperationsState": "Enabled" if self.background_operations[env.id] else "Disabled",
            "protectionLevel": "Standard" if env.managed else "Basic",
            "createdDateTime": iso(env.created),
            "retentionDetails": {"availableFromDateTime": iso(now - dt.timedelta(days=env.retention_days)),
                                 "retentionPeriod": f"P{env.retention_days}D"},
        }
        if env.fin_ops is not None:
            body["finOpsMetadata"] = {"id": env.fin_ops.id, "type": "Internal" if env.unified else "Linked",
                                      "url": env.fin_ops.url}
        return body

    # -- backups -----------------------------------------------------------------------------------------------
    def live_backups(self, env: PpEnvironment) -> list[Backup]:
        """Unexpired backups, newest first."""
        now = self.now()
        return sorted((b for b in self.backups[env.id] if b.expires > now), key=lambda b: b.backup_point,
                      reverse=True)

    def create_backup(self, env: PpEnvironment, label, caller: Caller) -> Backup:
        if not isinstance(label, str) or not label.strip():
            raise field_error(400, "InvalidRequest", "label", "A backup needs a non-empty label.")
        if len(label) > 1000:
            raise field_error(400, "InvalidRequest", "label", "The label is longer than 1000 characters.")
        if env.dataverse is None:
            raise PpError(400, "EnvironmentHasNoDataverse",
                          f"Environment {env.name} has no Dataverse database: it cannot be backed up here (an LCS "
                          "environment's database is backed up through LCS).", shape="validation")
        if env.retention_days == 0:
            raise PpError(400, "BackupNotSupported", f"Environments of type {env.type} are not backed up.",
                          shape="validation")
        if self.running_operation(env) is not None or self.core.env_fault("busy", env.id) is not None:
            raise PpError(409, "EnvironmentBusy", f"Another operation is running on environment {env.name}.",
                          shape="validation")
        now = self.now()
        backup = Backup(id=new_guid(), environment_id=env.id, label=label, backup_point=now,
                        expires=now + dt.timedelta(days=env.retention_days), created_by=caller.identity(),
                        restorable_after=now + dt.timedelta(seconds=self.pp.manual_backup_restorable_after_seconds))
        self.backups[env.id].append(backup)
        op = Operation(id=new_guid(), environment_id=env.id, name="Backup", created=now,
                       requested_by=caller.identity())
        self.operations[op.id] = op
        self.record("backup_created", env.name, backup_id=backup.id, label=label, operation_id=op.id)
        return backup

    def delete_backup(self, env: PpEnvironment, backup_id: str) -> None:
        found = next((b for b in self.live_backups(env) if b.id == (backup_id or "").lower()), None)
        if found is None:
            raise PpError(404, "BackupNotFound", f"Backup '{backup_id}' was not found in environment {env.name}.")
        self.backups[env.id].remove(found)
        self.record("backup_deleted", env.name, backup_id=found.id, label=found.label)

    @staticmethod
    def backup_body(backup: Backup) -> dict:
        """An EnvironmentBackup."""
        return {"id": backup.id, "label": backup.label, "backupPointDateTime": iso(backup.backup_point),
                "backupExpiryDateTime": iso(backup.expires), "createdBy": backup.created_by}

    # -- operations --------------------------------------------------------------------------------------------
    def start_operation(self, env: PpEnvironment, name: str, run_seconds: int, fail: bool,
                        caller_name: str) -> Operation:
        """An operation on the clock (the restore and copy of the next issue start theirs here)."""
        op = Operation(id=new_guid(), environment_id=env.id, name=name, created=self.now(),
                       requested_by=self._world_identity(caller_name), queue_seconds=env.durations.queue,
                       run_seconds=run_seconds, fail=fail)
        self.operations[op.id] = op
        self.record("operation_started", env.name, operation=name, operation_id=op.id)
        return op

    def running_operation(self, env: PpEnvironment) -> Operation | None:
        now = self.now()
        return next((op for op in self.operations.values() if op.environment_id == env.id
                     and op.status(now) in ("Queued", "InProgress")), None)

    def environment_operations(self, env: PpEnvironment) -> list[Operation]:
        return sorted((op for op in self.operations.values() if op.environment_id == env.id),
                      key=lambda op: op.created, reverse=True)

    def operation(self, operation_id: str, env: PpEnvironment | None = None) -> Operation:
        op = self.operations.get((operation_id or "").lower())
        if op is None or (env is not None and op.environment_id != env.id):
            where = f" in environment {env.name}" if env is not None else ""
            raise PpError(404, "OperationNotFound", f"Operation '{operation_id}' was not found{where}.")
        return op

    def operation_body(self, op: Operation, base_url: str) -> dict:
        """An OperationExecutionResult, with stage statuses derived from the operation's status."""
        now = self.now()
        status = op.status(now)
        env = self.environment(op.environment_id)
        return {
            "operationId": op.id, "name": op.name, "status": status, "startTime": iso(op.started),
            "endTime": iso(op.end_time(now)), "requestedBy": op.requested_by,
            "errorDetail": {"code": "OperationFailed", "fieldErrors": {}} if status == "Failed" else None,
            "updatedEnvironment": {"environmentId": env.id, "displayName": env.name,
                                   "dataverseOrganizationUrl": self.dataverse_url(env, base_url)},
            "stageStatuses": self._stages(op, status),
        }

    def _stages(self, op: Operation, status: str) -> list[dict]:
        end = iso(op.end_time(self.now()))
        return [{"name": name, "status": stage, "startTime": None if stage == "NotStarted" else iso(op.started),
                 "endTime": end if stage in ("Succeeded", "Failed") else None, "errorDetail": None}
                for name, stage in zip(STAGES, STAGE_STATUSES[status], strict=True)]

    # -- F&O in Power Platform ---------------------------------------------------------------------------------
    def finops_properties(self, env: PpEnvironment) -> dict:
        if env.fin_ops is None:
            raise PpError(404, "FinOpsEnvironmentNotFound",
                          f"Environment {env.name} has no finance and operations environment.")
        fin_ops = env.fin_ops
        return {"appId": fin_ops.id, "demoDataset": "None", "deploymentType": env.deployment_type,
                "lastObservedAOSCount": fin_ops.aos_count, "lastObservedBatchAOSCount": fin_ops.batch_aos_count,
                "maxAOSCount": str(max(fin_ops.aos_count, 2) * 2),
                "maxBatchAOSCount": str(max(fin_ops.batch_aos_count, 1) * 2)}

    def finops_versions(self, env: PpEnvironment) -> dict:
        if env.fin_ops is None:
            raise PpError(404, "FinOpsEnvironmentNotFound",
                          f"Environment {env.name} has no finance and operations environment.")
        if not env.unified:
            raise PpError(400, "NotSupportedForLcsEnvironment",
                          f"Environment {env.name} is managed in Lifecycle Services: update it there.")
        return {"availableVersions": [dict(v) for v in self.pp.finops_versions
                                      if v["version"] > env.fin_ops.version]}

    # -- capacity ----------------------------------------------------------------------------------------------
    def tenant_capacity(self) -> dict:
        """A TenantCapacityDetailsModel: Dataverse database capacity, with ``free_capacity_gb`` left.
        Restore, copy and create need at least 1 GB free (power-platform.md §1.5)."""
        total_mb = 100 * 1024.0
        free_mb = self.pp.free_capacity_gb * 1024.0
        used_mb = max(total_mb - free_mb, 0.0)
        status = "Available" if free_mb >= 1024 else "NotAvailable"
        stamp = iso(self.now())
        return {
            "tenantId": self.pp.tenant, "licenseModelType": "StorageDriven",
            "tenantCapacities": [{
                "capacityType": "Database", "capacityUnits": "MB", "totalCapacity": max(total_mb, free_mb),
                "maxCapacity": max(total_mb, free_mb), "status": status, "overflowCapacity": [],
                "capacityEntitlements": [],
                "consumption": {"actual": used_mb, "rated": used_mb, "actualUpdatedOn": stamp,
                                "ratedUpdatedOn": stamp},
            }],
            "capacitySummary": {"status": status, "statusMessage": f"{self.pp.free_capacity_gb:g} GB of Dataverse "
                                                                   "database capacity free.",
                                "finOpsStatus": "Available", "finOpsStatusMessage": None},
        }

    # -- BAP runtime state -------------------------------------------------------------------------------------
    def set_runtime_state(self, env: PpEnvironment, admin_mode: bool | None, background: bool | None) -> None:
        changes = {}
        if admin_mode is not None and admin_mode != self.admin_mode[env.id]:
            self.admin_mode[env.id] = admin_mode
            changes["admin_mode"] = admin_mode
        if background is not None and background != self.background_operations[env.id]:
            self.background_operations[env.id] = background
            changes["background_operations"] = background
        if changes:
            self.record("runtime_state_changed", env.name, **changes)

    def bap_environment(self, env: PpEnvironment, base_url: str) -> dict:
        """The BAP admin view of an environment (scopes/admin/environments), as d365bap.tools reads it."""
        properties = {
            "displayName": env.name, "environmentSku": env.type, "azureRegion": env.azure_region,
            "createdTime": iso(env.created),
            "states": {"management": {"id": "Ready" if env.state == "Ready" else "NotReady"},
                       "runtime": {"id": "AdminMode" if self.admin_mode[env.id] else "Enabled"},
                       "backgroundOperations": {"id": "Enabled" if self.background_operations[env.id]
                                                else "Disabled"}},
        }
        if env.dataverse is not None:
            url = self.dataverse_url(env, base_url)
            properties["linkedEnvironmentMetadata"] = {
                "instanceUrl": f"{url}/", "instanceApiUrl": url, "resourceId": env.dataverse.organization_id,
                "uniqueName": env.dataverse.domain, "domainName": env.dataverse.domain,
                "version": env.dataverse.version, "instanceState": "Ready"}
        if env.fin_ops is not None:
            properties["linkedAppMetadata"] = {"id": env.fin_ops.id, "url": env.fin_ops.url,
                                               "type": "Internal" if env.unified else "Linked"}
        return {"id": f"/providers/Microsoft.BusinessAppPlatform/scopes/admin/environments/{env.id}", "name": env.id,
                "type": "Microsoft.BusinessAppPlatform/scopes/environments", "location": env.geo,
                "properties": properties}

    # -- admin views -------------------------------------------------------------------------------------------
    def http_fault_body(self, status: int) -> dict | None:
        if status == 429:
            return {"error": {"code": "TooManyRequests", "message": "Rate limit exceeded. Retry after the interval in "
                                                                    "the Retry-After header."}}
        return {"error": {"code": "ServiceUnavailable" if status == 503 else f"Http{status}",
                          "message": "An error has occurred."}}

    def snapshot(self) -> dict:
        if self.pp is None:
            return {}
        now = self.now()
        return {"power_platform": {
            "free_capacity_gb": self.pp.free_capacity_gb,
            "environments": [{
                "id": env.id, "name": env.name, "type": env.type, "unified": env.unified,
                "dataverse": env.dataverse.domain if env.dataverse else None,
                "fin_ops": env.fin_ops.kind if env.fin_ops else None,
                "admin_mode": self.admin_mode[env.id], "background_operations": self.background_operations[env.id],
                "retention_days": env.retention_days,
                **(self.emulator.backend("databases").describe(env) if env.database is not None else {}),
                "backups": [{**self.backup_body(b), "restorableAfter": iso(b.restorable_after)}
                            for b in self.live_backups(env)],
            } for env in self.environments],
            "operations": [{"id": op.id, "environment": self.environment(op.environment_id).name, "name": op.name,
                            "status": op.status(now)} for op in self.operations.values()],
        }}


BACKEND = PowerPlatformBackend
