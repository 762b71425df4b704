# -*- coding: utf-8 -*-
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)
"""The declarative catalogue of post-restore clean-up steps for an F&O (AxDB) database.

Each step names its purpose, profiles and the actions it takes. An action is one table, one
predicate that selects exactly the rows not yet in the desired state, and either an UPDATE ... SET
or a DELETE. From that one predicate come the check-mode count, the change statement and, for
large tables, the RECID-batched form, so preview and change can never disagree and a re-run finds
nothing to do. Sources: shared reference fo-database.md sections 2-6 (Microsoft's and d365fo.tools'
statements, the LCS refresh list).

Portability rules (SQL Server / Azure SQL and PostgreSQL): plain unquoted upper-case identifiers,
``?`` parameters, no TOP/LIMIT, no vendor functions. The only function used is ``CONCAT`` for
masking: it exists with the same meaning in SQL Server 2012+ and PostgreSQL 9.1+ and converts its
numeric argument itself, whereas string concatenation differs (``+`` versus ``||``).
"""

from __future__ import absolute_import, division, print_function

__metaclass__ = type

import fnmatch
from dataclasses import dataclass, field, replace

from ansible_collections.d365fo.dataalm.plugins.module_utils.fo_sql import (
    FoSqlError,
    count_sql,
    delete_sql,
    glob_to_like,
    in_list,
    like_clause,
    update_sql,
)

PROFILES = ("standard", "integrations", "hygiene", "tier1")
# BatchStatus values (fo-database.md 2.3). The ones that mean "will run": Waiting, Executing, Ready,
# Cancelling and Scheduled (9, which Microsoft's own statement misses). Roles, modules and the
# verification all take them from here.
BATCH_STATUS = {"withhold": 0, "waiting": 1, "executing": 2, "error": 3, "ended": 4, "ready": 5, "not_run": 6,
                "cancelling": 7, "canceled": 8, "scheduled": 9}
ACTIVE_BATCH_STATUS_VALUES = (1, 2, 5, 7, 9)
ACTIVE_BATCH_STATUSES = ", ".join(str(status) for status in ACTIVE_BATCH_STATUS_VALUES)
# The ones an LCS refresh itself withholds (Microsoft's statement, fo-database.md 4): a fresh copy has none of
# them, while Scheduled jobs survive it.
LCS_HELD_BATCH_STATUS_VALUES = (1, 2, 5, 7)
# Batch jobs of recurring integrations: the import/export job and its monitoring job (fo-database.md 2.9).
RECURRING_INTEGRATION_JOBS = ("(RECID IN (SELECT BATCHJOBID FROM INTEGRATIONACTIVITYRUNTIMETABLE) OR RECID IN "
                              "(SELECT MONITORINGJOBID FROM INTEGRATIONACTIVITYRUNTIMETABLE))")
# Microsoft / service accounts that must keep working in a sandbox (community filters, fo-database.md 2.1).
SERVICE_ACCOUNT_PATTERNS = (
    "%@dynamics.com", "%@contosoax7.onmicrosoft.com", "%@capintegration01.onmicrosoft.com",
    "%@devtesttie.ccsctp.net", "%@DAXMDSRunner.com",
)
DEFAULT_MASK_DOMAIN = "example.invalid"
INITIAL_PARTITION_SQL = "(SELECT MIN(RECID) FROM PARTITIONS WHERE PARTITIONKEY = 'initial')"


@dataclass(frozen=True)
class Action:
    table: str
    where: str = ""
    assignments: str = ""  # empty means DELETE
    params: tuple = ()  # values for the ? in ``where``
    batched: bool = False  # large tables: RECID-range batches with a commit each
    set_params: tuple = ()  # values for the ? in ``assignments`` (they come first in the statement)

    @property
    def count_sql(self):
        return count_sql(self.table, self.where)

    @property
    def action_sql(self):
        """The statement without its WHERE clause (the batcher appends predicate and RECID range)."""
        return ("UPDATE %s SET %s" % (self.table, self.assignments)) if self.assignments else (
            "DELETE FROM %s" % self.table)

    @property
    def change_sql(self):
        if self.assignments:
            return update_sql(self.table, self.assignments, self.where)
        return delete_sql(self.table, self.where)


@dataclass(frozen=True)
class EntityAction:
    """The application-layer form of an action: the records of one data entity not yet in the desired state.

    ``filter`` is a plain OData ``$filter`` (comparisons and enum literals only: F&O's OData does not
    promise string functions); ``skip`` drops records the filter cannot express (wildcard sign-in
    patterns), on the controller. ``values`` None means delete the records.
    """

    entity: str
    filter: str = ""
    values: object = None  # dict of field -> value, or None (delete)
    skip: object = None  # callable(record) -> bool, or None

    def pending(self, records):
        return [r for r in records if self.skip is None or not self.skip(r)]


SQL, APPLICATION = "sql", "application"


@dataclass(frozen=True)
class Step:
    name: str
    purpose: str
    why: str
    profiles: tuple
    build: object  # callable(options) -> list[Action]
    tier1_only: bool = False
    tables: tuple = field(default=())
    entity_build: object = None  # callable(options) -> list[EntityAction]: the application-layer form
    sql_only: str = ""  # why the application layer cannot do this step (steps without entity_build)
    sql_only_part: str = ""  # what the application-layer form leaves undone, and why that is acceptable

    @property
    def transports(self):
        return (SQL, APPLICATION) if self.entity_build is not None else (SQL,)

    def actions(self, options=None):
        return list(self.build(dict(DEFAULT_OPTIONS, **(options or {}))))

    def entity_actions(self, options=None):
        return list(self.entity_build(dict(DEFAULT_OPTIONS, **(options or {})))) if self.entity_build else []


DEFAULT_OPTIONS = {"keep_users": [], "email_mode": "blank", "email_mask_domain": DEFAULT_MASK_DOMAIN,
                   "smtp_relay": "", "resume_batch_jobs": []}


def _fixed(*actions):
    return lambda options: list(actions)


# -- option-dependent steps --------------------------------------------------------------------------
def split_keep_users(keep_users):
    """Entries with ``@`` or a wildcard are sign-in (NETWORKALIAS) patterns, the rest are user ids."""
    ids, patterns = [], []
    for entry in keep_users or ():
        entry = str(entry).strip()
        if not entry:
            continue
        (patterns if ("@" in entry or "*" in entry or "?" in entry) else ids).append(entry)
    return ids, patterns


def _disable_users(options):
    ids, patterns = split_keep_users(options.get("keep_users"))
    where = ["ENABLE = 1", "ID <> 'Admin'"]
    params = []
    if ids:
        where.append(in_list("ID", ids, negate=True))
        params.extend(ids)
    for pattern in patterns:
        where.append("NOT " + like_clause("NETWORKALIAS"))
        params.append(glob_to_like(pattern))
    where.extend("NETWORKALIAS NOT LIKE '%s'" % p for p in SERVICE_ACCOUNT_PATTERNS)
    where.append("NETWORKALIAS <> ''")
    return [Action("USERINFO", " AND ".join(where), "ENABLE = 0, RECVERSION = RECVERSION + 1", tuple(params),
                   batched=True)]


def _email_addresses(options):
    mode = options.get("email_mode") or "blank"
    if mode == "blank":
        return [Action("LOGISTICSELECTRONICADDRESS", "LOCATOR LIKE '%@%'", "LOCATOR = '', RECVERSION = RECVERSION + 1",
                       batched=True)]
    if mode == "mask":
        domain = options.get("email_mask_domain") or DEFAULT_MASK_DOMAIN
        if "@" in domain or " " in domain or "'" in domain:
            raise FoSqlError("email_mask_domain must be a bare domain such as example.invalid")
        masked = "CONCAT('sandbox+', CAST(RECID AS VARCHAR(20)), CAST(? AS VARCHAR(255)))"
        suffix = "@" + domain
        return [Action(
            "LOGISTICSELECTRONICADDRESS", "LOCATOR LIKE '%%@%%' AND LOCATOR <> %s" % masked,
            "LOCATOR = %s, RECVERSION = RECVERSION + 1" % masked, (suffix,), batched=True, set_params=(suffix,))]
    raise FoSqlError("email_mode must be blank or mask, not %r" % mode)


def _smtp(options):
    relay = options.get("smtp_relay") or ""
    if not relay:
        return [Action("SYSEMAILPARAMETERS",
                       "SMTPRELAYSERVERNAME <> '' OR SMTPUSERNAME <> '' OR MAILERNONINTERACTIVE <> 'SMTP'",
                       "SMTPRELAYSERVERNAME = '', SMTPUSERNAME = '', MAILERNONINTERACTIVE = 'SMTP', "
                       "RECVERSION = RECVERSION + 1"),
                Action("SYSEMAILSMTPPASSWORD")]
    if any(ch in relay for ch in " /@'"):
        raise FoSqlError("smtp_relay must be a host name such as smtp.sandbox.example, not %r" % relay)
    return [Action("SYSEMAILPARAMETERS",
                   "SMTPRELAYSERVERNAME <> ? OR SMTPUSERNAME <> '' OR MAILERNONINTERACTIVE <> 'SMTP'",
                   "SMTPRELAYSERVERNAME = ?, SMTPUSERNAME = '', MAILERNONINTERACTIVE = 'SMTP', "
                   "RECVERSION = RECVERSION + 1", (relay,), set_params=(relay,)),
            Action("SYSEMAILSMTPPASSWORD")]


# -- application-layer forms (data entities: names in _fo_app/entities.py, INFERRED from FOMETA) -------------
# BatchStatus members in the order of their values (fo-database.md 2.3): the entity speaks names.
BATCH_STATUS_NAMES = ("Hold", "Waiting", "Executing", "Error", "Finished", "Ready", "NotRun", "Cancelling",
                      "Canceled", "Scheduled")
ENUM_NAMESPACE = "Microsoft.Dynamics.DataEntities."


def enum_literal(enum, member):
    return "%s%s'%s'" % (ENUM_NAMESPACE, enum, member)


def _matches_any(value, globs):
    value = str(value or "").lower()
    return any(fnmatch.fnmatchcase(value, pattern.lower()) for pattern in globs)


def kept_user(keep_users):
    """Predicate over a SystemUsers record: True for the users disable_users leaves enabled (as its SQL form)."""
    ids, patterns = split_keep_users(keep_users)
    ids = {user_id.lower() for user_id in ids} | {"admin"}
    globs = list(patterns) + [pattern.replace("%", "*") for pattern in SERVICE_ACCOUNT_PATTERNS]

    def kept(record):
        alias = record.get("Alias") or ""
        return str(record.get("UserID") or "").lower() in ids or not alias or _matches_any(alias, globs)
    return kept


def _entity_disable_users(options):
    return [EntityAction("SystemUsers", "Enabled eq true", {"Enabled": False}, kept_user(options.get("keep_users")))]


def _entity_hold_batch_jobs(options):
    resumed = list(options.get("resume_batch_jobs") or ())
    active = " or ".join("Status eq %s" % enum_literal("BatchStatus", BATCH_STATUS_NAMES[value])
                         for value in ACTIVE_BATCH_STATUS_VALUES)
    # the chosen jobs are resumed right after (or were): holding them again would undo that on a re-run
    return [EntityAction("BatchJobs", active, {"Status": "Hold"},
                         (lambda r: _matches_any(r.get("JobDescription"), resumed)) if resumed else None)]


def _entity_smtp(options):
    _smtp(options)  # the same checks of smtp_relay, one message
    relay = options.get("smtp_relay") or ""
    return [EntityAction("EmailParameters",
                         "SMTPRelayServerName ne '%s' or SMTPUserName ne '' or MailerNonInteractive ne 'SMTP'" % relay,
                         {"SMTPRelayServerName": relay, "SMTPUserName": "", "MailerNonInteractive": "SMTP"})]


def _entity_business_events(options):
    return [EntityAction("BusinessEventsEndpoints")]


def active_batch_jobs(resume_patterns=(), resumed_jobs=()):
    """Predicate and parameters of the jobs that would run outside the chosen ones (verification)."""
    where, params = ["STATUS IN (%s)" % ACTIVE_BATCH_STATUSES], []
    for pattern in resume_patterns:
        where.append("NOT " + like_clause("CAPTION"))
        params.append(glob_to_like(pattern))
    for job in resumed_jobs:
        where.append("NOT (CAPTION = ? AND COMPANY = ?)")
        params.extend([job["caption"], job["company"]])
    return " AND ".join(where), tuple(params)


# -- the catalogue ----------------------------------------------------------------------------------------
ENVIRONMENT_TABLES = ("SYSSERVERCONFIG", "SYSSERVERSESSIONS", "SYSCLIENTSESSIONS", "SYSCORPNETPRINTERS",
                      "BATCHSERVERCONFIG", "BATCHSERVERGROUP")
DMF_LOG_TABLES = ("DMFSTAGINGLOG", "DMFSTAGINGLOGDETAILS", "DMFSTAGINGEXECUTIONERRORS", "DMFSTAGINGVALIDATIONLOG",
                  "DMFDEFINITIONGROUPEXECUTIONHISTORY")

_SQL_FORMS = (
    Step("environment_tables", "Clear the server, session, printer and batch-server tables of the source environment.",
         "They name the source's AOS machines (e.g. Batch:PRODAOS01); the AOS recreates its own rows at start.",
         ("standard", "tier1"), _fixed(*(Action(t) for t in ENVIRONMENT_TABLES)), tables=ENVIRONMENT_TABLES),
    Step("hold_batch_jobs", "Set Waiting, Executing, Ready, Cancelling and Scheduled batch jobs to Withhold.",
         "Stops the copy from running production's jobs (postings, exports, e-mail). Microsoft's own statement "
         "misses Scheduled (9), used by priority-based scheduling.",
         ("standard", "tier1"),
         _fixed(Action("BATCHJOB", "STATUS IN (%s)" % ACTIVE_BATCH_STATUSES, "STATUS = 0, RECVERSION = RECVERSION + 1",
                       batched=True)), tables=("BATCHJOB",)),
    Step("smtp", "Clear the SMTP relay (or set the sandbox's own, smtp_relay) and user, force the SMTP batch mailer "
                 "and delete the stored SMTP password.",
         "Exchange as batch mailer can still send as the batch user after a refresh; the password is encrypted "
         "for the source and cannot be decrypted here.",
         ("standard", "tier1"),
         _smtp, tables=("SYSEMAILPARAMETERS", "SYSEMAILSMTPPASSWORD")),
    Step("email_addresses", "Blank (or, with email_mode=mask, mask to a sink domain) every e-mail address.",
         "Customers, vendors and workers must never get mail from a sandbox. Selected by '@' in LOCATOR, not by "
         "TYPE, because e-mails are also stored with other types. Masking keeps a unique, valid-looking address.",
         ("standard", "tier1"), _email_addresses, tables=("LOGISTICSELECTRONICADDRESS",)),
    Step("outgoing_email_queue", "Delete unsent, waiting, suspended and executing messages from the e-mail queue.",
         "Messages queued in the source would otherwise be sent by the sandbox's e-mail distributor.",
         ("standard", "tier1"),
         _fixed(Action("SYSOUTGOINGEMAILTABLE", "STATUS IN (0, 2, 4, 5)", batched=True)),
         tables=("SYSOUTGOINGEMAILTABLE",)),
    Step("print_management", "Delete print management settings and document instances.",
         "They route documents to the source's printers and e-mail recipients.",
         ("standard", "tier1"), _fixed(Action("PRINTMGMTSETTINGS"), Action("PRINTMGMTDOCINSTANCE")),
         tables=("PRINTMGMTSETTINGS", "PRINTMGMTDOCINSTANCE")),
    Step("disable_users", "Disable every user except Admin, service accounts and keep_users.",
         "Production users should not work in a copy by mistake; the sandbox's own users are re-enabled from "
         "keep_users or with fo_config_restore.",
         ("standard", "tier1"), _disable_users, tables=("USERINFO",)),
    Step("user_partition", "Reset every user's PARTITION to the 'initial' partition.",
         "A user in another partition cannot sign in.",
         ("standard", "tier1"),
         _fixed(Action("USERINFO", "PARTITION <> %s" % INITIAL_PARTITION_SQL,
                       "PARTITION = %s, RECVERSION = RECVERSION + 1" % INITIAL_PARTITION_SQL)), tables=("USERINFO",)),
    Step("maintenance_mode_off", "Switch maintenance mode off (SQLSYSTEMVARIABLES CONFIGURATIONMODE = 0).",
         "A copy taken in maintenance mode would keep the sandbox in it.",
         ("standard", "tier1"),
         _fixed(Action("SQLSYSTEMVARIABLES", "PARM = 'CONFIGURATIONMODE' AND VALUE <> '0'", "VALUE = '0'")),
         tables=("SQLSYSTEMVARIABLES",)),
    Step("commerce_merchant_properties", "Clear Commerce hardware profiles' secure merchant properties.",
         "Payment connector credentials are encrypted for the source and point at live merchant accounts. "
         "On SQL Server the table has triggers; run with a login that may update it.",
         ("standard", "tier1"),
         _fixed(Action("RETAILHARDWAREPROFILE", "SECUREMERCHANTPROPERTIES IS NOT NULL",
                       "SECUREMERCHANTPROPERTIES = NULL")),
         tables=("RETAILHARDWAREPROFILE",)),
    Step("power_bi", "Blank the Power BI client id, application key and redirect URL.",
         "They belong to the source's app registration and URL.",
         ("standard", "integrations", "tier1"),
         _fixed(Action("POWERBICONFIG", "CLIENTID <> '' OR APPLICATIONKEY <> '' OR REDIRECTURL <> ''",
                       "CLIENTID = '', APPLICATIONKEY = '', REDIRECTURL = '', RECVERSION = RECVERSION + 1")),
         tables=("POWERBICONFIG",)),
    Step("business_events", "Delete business event activations and endpoints and switch business events off.",
         "Endpoints deliver events to the source's Event Grid, Service Bus or Power Automate flows.",
         ("integrations",),
         _fixed(Action("BUSINESSEVENTSCONFIGURATION"), Action("BUSINESSEVENTSENDPOINT"),
                Action("BUSINESSEVENTSPARAMETERS", "ENABLED <> 0", "ENABLED = 0, RECVERSION = RECVERSION + 1")),
         tables=("BUSINESSEVENTSCONFIGURATION", "BUSINESSEVENTSENDPOINT", "BUSINESSEVENTSPARAMETERS")),
    Step("dual_write", "Delete the dual-write key tables (project, field configuration, business event definitions).",
         "Microsoft's relink procedure: the copy is still linked to the source's Dataverse organisation.",
         ("integrations",),
         _fixed(Action("DUALWRITEPROJECTFIELDCONFIGURATION"), Action("DUALWRITEPROJECTCONFIGURATION"),
                Action("BUSINESSEVENTSDEFINITION")),
         tables=("DUALWRITEPROJECTFIELDCONFIGURATION", "DUALWRITEPROJECTCONFIGURATION", "BUSINESSEVENTSDEFINITION")),
    Step("recurring_integrations", "Hold the recurring integrations' batch jobs and disable their client apps.",
         "Recurring imports and exports would otherwise pull from or push to the source's endpoints.",
         ("integrations",),
         _fixed(Action("BATCHJOB", "STATUS IN (%s) AND %s" % (ACTIVE_BATCH_STATUSES, RECURRING_INTEGRATION_JOBS),
                       "STATUS = 0, RECVERSION = RECVERSION + 1"),
                Action("INTEGRATIONCLIENTMAPTABLE", "ISENABLED <> 0", "ISENABLED = 0, RECVERSION = RECVERSION + 1")),
         tables=("BATCHJOB", "INTEGRATIONACTIVITYRUNTIMETABLE", "INTEGRATIONCLIENTMAPTABLE")),
    Step("key_vault", "Blank Key Vault URLs, app ids and secrets in KEYVAULTPARAMETERS.",
         "They reference the source's vault and credentials.",
         ("integrations",),
         _fixed(Action("KEYVAULTPARAMETERS", "URL <> '' OR APPCLIENTID <> '' OR SECRETKEY <> ''",
                       "URL = '', APPCLIENTID = '', SECRETKEY = '', RECVERSION = RECVERSION + 1")),
         tables=("KEYVAULTPARAMETERS",)),
    Step("batch_history", "Delete batch job, task and constraint history.",
         "History of another environment; large and useless in a sandbox (not copied on golden-config either).",
         ("hygiene",),
         _fixed(Action("BATCHCONSTRAINTSHISTORY", batched=True), Action("BATCHHISTORY", batched=True),
                Action("BATCHJOBHISTORY", batched=True)),
         tables=("BATCHCONSTRAINTSHISTORY", "BATCHHISTORY", "BATCHJOBHISTORY")),
    Step("finished_batch_jobs", "Delete ended, failed and canceled batch jobs, then tasks whose job is gone.",
         "Keeps the batch job list to what can still run.",
         ("hygiene",),
         _fixed(Action("BATCHJOB", "STATUS IN (3, 4, 8)", batched=True),
                Action("BATCH", "NOT EXISTS (SELECT 1 FROM BATCHJOB WHERE BATCHJOB.RECID = BATCH.BATCHJOBID)",
                       batched=True)),
         tables=("BATCHJOB", "BATCH")),
    Step("dmf_staging_logs", "Delete data management execution history and staging logs.",
         "Logs of the source's imports and exports.",
         ("hygiene",),
         _fixed(*(Action(t, batched=True) for t in DMF_LOG_TABLES)),
         tables=DMF_LOG_TABLES),
    Step("document_storage_provider", "Point Azure-stored attachments (STORAGEPROVIDERID 1) at the database provider.",
         "Tier-1 only (Microsoft's import script): a developer VM has no access to the source's blob storage. "
         "Never on Tier-2, where Microsoft manages storage.",
         ("tier1",),
         _fixed(Action("DOCUVALUE", "STORAGEPROVIDERID = 1",
                       "STORAGEPROVIDERID = 0, ACCESSINFORMATION = '', MODIFIEDBY = 'Admin', "
                       "MODIFIEDDATETIME = CURRENT_TIMESTAMP, RECVERSION = RECVERSION + 1", batched=True)),
         tier1_only=True, tables=("DOCUVALUE",)),
    Step("backend_flags", "Set BACKENDDB to SQLSERVER and TEMPTABLEINAXDB to 0 in SYSGLOBALCONFIGURATION.",
         "Tier-1 only: needed when an Azure SQL copy is imported into SQL Server; wrong on Azure SQL.",
         ("tier1",),
         _fixed(Action("SYSGLOBALCONFIGURATION", "NAME = 'BACKENDDB' AND VALUE <> 'SQLSERVER'",
                       "VALUE = 'SQLSERVER', RECVERSION = RECVERSION + 1"),
                Action("SYSGLOBALCONFIGURATION", "NAME = 'TEMPTABLEINAXDB' AND VALUE <> '0'",
                       "VALUE = '0', RECVERSION = RECVERSION + 1")),
         tier1_only=True, tables=("SYSGLOBALCONFIGURATION",)),
)

# The application-layer form of each step an entity can express, with what it leaves undone ...
APPLICATION_FORMS = {
    "hold_batch_jobs": (_entity_hold_batch_jobs, ""),
    "disable_users": (_entity_disable_users, ""),
    "smtp": (_entity_smtp, "The stored SMTP password (SYSEMAILSMTPPASSWORD) has no entity; it is encrypted for the "
                           "source, and an LCS refresh clears Microsoft-encrypted fields itself."),
    "business_events": (_entity_business_events,
                        "The business-events switch and activations (BUSINESSEVENTSPARAMETERS, "
                        "BUSINESSEVENTSCONFIGURATION) have no writable entity; without endpoints nothing is "
                        "delivered."),
}
# ... and why every other step needs SQL (fo-database.md section 3 lists what an LCS refresh already does).
SQL_ONLY = {
    "environment_tables": "Kernel tables without a data entity; an LCS refresh clears them and the AOS recreates "
                          "its own rows at start.",
    "email_addresses": "No data entity exposes every party's electronic addresses as one set; a refresh from "
                       "production blanks them itself (LCS).",
    "outgoing_email_queue": "The e-mail queue (SYSOUTGOINGEMAILTABLE) has no data entity.",
    "print_management": "Print management settings have no data entity; an LCS refresh deletes them itself.",
    "user_partition": "PARTITION is a kernel field no entity exposes; an LCS refresh resets it itself.",
    "maintenance_mode_off": "SQLSYSTEMVARIABLES is a kernel table; an LCS refresh switches maintenance mode off.",
    "commerce_merchant_properties": "An encrypted field no entity writes; an LCS refresh clears encrypted fields.",
    "power_bi": "POWERBICONFIG has no data entity.",
    "dual_write": "The dual-write key tables have no writable entity; Microsoft's relink procedure deletes them "
                  "with SQL (just-in-time access on a Tier-2 sandbox).",
    "recurring_integrations": "The link between jobs and integrations (INTEGRATIONACTIVITYRUNTIMETABLE) and the "
                              "client map have no entity; hold_batch_jobs still holds every job that would run.",
    "key_vault": "KEYVAULTPARAMETERS holds encrypted secrets and has no data entity.",
    "batch_history": "Bulk history deletes are set-based SQL; OData would delete row by row for hours.",
    "finished_batch_jobs": "Bulk deletes are set-based SQL; OData would delete row by row.",
    "dmf_staging_logs": "Staging and log tables have no data entities; the deletes are set-based SQL.",
    "document_storage_provider": "Tier-1 only, where the database is always at hand.",
    "backend_flags": "Tier-1 only, where the database is always at hand.",
}


def _with_transports(step):
    entity_build, gap = APPLICATION_FORMS.get(step.name, (None, ""))
    return replace(step, entity_build=entity_build, sql_only_part=gap, sql_only=SQL_ONLY.get(step.name, ""))


CATALOGUE = tuple(_with_transports(step) for step in _SQL_FORMS)
STEPS = {step.name: step for step in CATALOGUE}


def step_names():
    return [step.name for step in CATALOGUE]


def profile_steps(profile):
    if profile not in PROFILES:
        raise FoSqlError("unknown profile %r; choose one of %s" % (profile, ", ".join(PROFILES)))
    return [step.name for step in CATALOGUE if profile in step.profiles]


def select_steps(steps=None, profile=None, exclude_steps=None):
    """Resolve requested steps and/or a profile to catalogue steps in catalogue order.

    Unknown names fail before anything runs, listing what exists.
    """
    wanted = set()
    unknown = [name for name in list(steps or []) + list(exclude_steps or []) if name not in STEPS]
    if unknown:
        raise FoSqlError("unknown step(s) %s; the catalogue has: %s" % (", ".join(unknown), ", ".join(step_names())))
    if profile:
        wanted.update(profile_steps(profile))
    wanted.update(steps or [])
    if not wanted:
        raise FoSqlError("give steps and/or a profile")
    wanted.difference_update(exclude_steps or [])
    return [step for step in CATALOGUE if step.name in wanted]


def all_statements(options=None):
    """Every SQL text the catalogue can produce for the given options (for tests and docs)."""
    from ansible_collections.d365fo.dataalm.plugins.module_utils.fo_sql import (
        batch_statement,
        first_sql_unbounded,
        max_recid_sql,
        next_recid_sql,
    )

    out = []
    for step in CATALOGUE:
        for action in step.actions(options):
            out.extend([action.count_sql, action.change_sql])
            if action.batched:
                out.extend([first_sql_unbounded(action.table, action.where), max_recid_sql(action.table),
                            next_recid_sql(action.table, action.where),
                            batch_statement(action.action_sql, action.where)])
    return out


def run_steps(db, selected, options, check_mode, batch_size=50000, clock=None):
    """Run (or, in check mode, count) the selected steps; returns per-step results.

    Each action first counts the rows its predicate selects. In check mode that count is the result.
    Otherwise small tables change in one transaction per action and large ones in RECID batches.
    """
    import time as _time

    clock = clock or _time.monotonic
    results = []
    for step in selected:
        started = clock()
        rows = 0
        for action in step.actions(options):
            if action.batched and not check_mode:
                # No separate count: on a large table it would cost a full extra pass.
                rows += db.change_batched(action.table, action.action_sql, action.where, action.params, batch_size,
                                          set_params=action.set_params)
                continue
            pending = db.count(action.table, action.where, action.params)
            if check_mode or pending == 0:
                rows += pending
            else:
                rows += db.change(action.change_sql, tuple(action.set_params) + tuple(action.params))
        results.append({"name": step.name, "transport": SQL, "rows": rows, "changed": rows > 0,
                        "duration_ms": round((clock() - started) * 1000)})
    return results
