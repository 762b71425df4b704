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

from dataclasses import dataclass, field

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
class Step:
    name: str
    purpose: str
    why: str
    profiles: tuple
    build: object  # callable(options) -> list[Action]
    tier1_only: bool = False
    tables: tuple = field(default=())

    def actions(self, options=None):
        return list(self.build(dict(DEFAULT_OPTIONS, **(options or {}))))


DEFAULT_OPTIONS = {"keep_users": [], "email_mode": "blank", "email_mask_domain": DEFAULT_MASK_DOMAIN,
                   "smtp_relay": ""}


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

CATALOGUE = (
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
        results.append({"name": step.name, "rows": rows, "changed": rows > 0,
                        "duration_ms": round((clock() - started) * 1000)})
    return results
