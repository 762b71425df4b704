# -*- coding: utf-8 -*-
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)
"""The declarative catalogue of follow-ups Microsoft documents after a database movement.

The clean-up catalogue (cleanup.py) changes rows; this one lists what the platform leaves to the
administrator after a movement and how the collection handles each:

- ``automated``: a documented data change exists; the collection runs it (named in ``automation``)
  and the entry's probe proves it done (0 rows pending);
- ``checked``: the state can be read; the probe's count is the check (0 passes);
- ``handed_over``: no supported API or data change exists; the entry carries the exact screen path
  and the reason, and the run reports it as required.

Every entry cites its source page (shared reference ``microsoft-docs/*.md`` or the learn.microsoft.com
page found with the search tool). Detection reads the target's data with set-based counts only, in
SQL valid on SQL Server and PostgreSQL (plain upper-case identifiers, no TOP/LIMIT, no functions).
"""

from __future__ import absolute_import, division, print_function

__metaclass__ = type

from dataclasses import dataclass

from ansible_collections.d365fo.dataalm.plugins.module_utils.fo_sql import count_sql

# Movement kinds as preflight.KINDS names them (not imported: preflight lists these follow-ups).
# post_restore_only: the database was replaced by other means (a refresh or restore started elsewhere).
COPYING_KINDS = ("refresh", "point_in_time_restore", "post_restore_only")
TIER1_KINDS = ("export", "post_restore_only")
HANDLINGS = ("automated", "checked", "handed_over")
PITR_PAGE = "microsoft-docs/point-in-time-restore-production-to-sandbox.md"
RESTORE_PAGE = "microsoft-docs/restore-database-non-production.md"
DATA_MART_FAQ = ("https://learn.microsoft.com/dynamics365/fin-ops-core/fin-ops/analytics/when-to-reset-data-mart "
                 "(\"The application database was restored\")")
EXPORT_UAT_PAGE = ("https://learn.microsoft.com/dynamics365/fin-ops-core/dev-itpro/database/"
                   "dbmovement-scenario-exportuat "
                   "(Tier-1 import script: UPDATE DOCUVALUE ... WHERE STORAGEPROVIDERID = 1)")


@dataclass(frozen=True)
class Probe:
    """One set-based count over the target database."""
    table: str
    where: str = ""

    @property
    def sql(self):
        return count_sql(self.table, self.where)


# Detection: feature -> the probes whose total > 0 means "in use".
FEATURE_PROBES = {
    "commerce": {"commerce_channels": Probe("RETAILCHANNELTABLE"),
                 "commerce_hardware_profiles": Probe("RETAILHARDWAREPROFILE")},
    # Inferred (no integration table is documented in AxDB): Financial Reporting reads AxDB as its
    # enabled service user FRServiceUser, which an environment without Financial Reporting lacks.
    "financial_reporting": {
        "financial_reporting_service_user": Probe("USERINFO", "ID = 'FRServiceUser' AND ENABLE = 1")},
    # STORAGEPROVIDERID 1 = Azure Blob storage (Microsoft's SQL comment, fo-database.md 2.8).
    "azure_attachments": {"azure_attachments": Probe("DOCUVALUE", "STORAGEPROVIDERID = 1"),
                          "azure_deleted_attachments": Probe("DOCUDELETEDVALUE", "STORAGEPROVIDERID = 1")},
    "office_templates": {"office_templates": Probe("DOCUTEMPLATE")},
}
FEATURES = tuple(FEATURE_PROBES)


@dataclass(frozen=True)
class EntityProbe:
    """The application-layer form of a probe: one record of the entity set matching ``filter`` means in use."""
    entity: str
    filter: str = ""
    key: str = ""  # the one field read ($select): detection needs presence, not the record
    cross_company: bool = False


# Detection without SQL (fo_app_followup_info), for the features a data entity exposes. INFERRED: entity sets
# and fields from a client generated from a real F&O $metadata (FOMETA, asset/client/src/RetailChannels.ts,
# RetailHardwareProfiles.ts, SystemUsers.ts); Microsoft documents none of them.
FEATURE_ENTITY_PROBES = {
    "commerce": {"commerce_channels": EntityProbe("RetailChannels", key="RetailChannelId", cross_company=True),
                 "commerce_hardware_profiles": EntityProbe("RetailHardwareProfiles", key="ProfileId")},
    "financial_reporting": {"financial_reporting_service_user": EntityProbe(
        "SystemUsers", "UserID eq 'FRServiceUser' and Enabled eq true", key="UserID")},
}
# Features no data entity exposes: their follow-ups are listed as not checked, with this reason.
NOT_CHECKED_WITHOUT_SQL = {
    "azure_attachments": "needs SQL (fo_followup_info): no data entity exposes DOCUVALUE's storage provider for all "
                         "attachments (FOMETA: only the leave-request attachment entities carry it)",
    "office_templates": "needs SQL (fo_followup_info): no data entity exposes DOCUTEMPLATE",
}
ENTITY_EVIDENCE = "application layer (entity names INFERRED from a real F&O $metadata): "


@dataclass(frozen=True)
class FollowUp:
    id: str
    title: str
    source: str
    handling: str
    kinds: tuple
    instruction: str
    reason: str
    feature: str = ""  # empty: applies whatever the data holds
    source_types: tuple = ()  # empty: any
    target_types: tuple = ("Sandbox",)
    screen_path: str = ""
    check: tuple = ()  # probes (names in FEATURE_PROBES) whose rows are pending; 0 = done / pass
    automation: str = ""
    api_evidence: str = ""

    def applies(self, kind, source_type, target_type, features):
        return (kind in self.kinds and (not self.source_types or source_type in self.source_types)
                and (not self.target_types or target_type in self.target_types)
                and (not self.feature or bool(features.get(self.feature))))


CATALOGUE = (
    FollowUp(
        "financial_reporting_data_mart_reset", "Reset the Financial Reporting data mart",
        RESTORE_PAGE + " (\"The Management Reporter database will also remain in the current state and must be "
        "reset after the restore is completed\"); " + DATA_MART_FAQ,
        "handed_over", ("point_in_time_restore",), feature="financial_reporting",
        screen_path="Financial Reporting Report designer > Tools > Reset Data Mart (after all integration tasks "
                    "have completed)",
        instruction="Reset the Financial Reporting data mart so it is rebuilt from the restored database.",
        reason="The reset runs in the Financial Reporting service, not in the F&O database; no supported API or "
               "documented data change exists for it (search: only the on-premises SQL script against the "
               "Management Reporter database, which cloud environments do not expose)."),
    FollowUp(
        "commerce_reprovision", "Re-provision Commerce on the target",
        PITR_PAGE + " (\"Steps to complete after a restore is done for environments that use Commerce "
        "functionality\")",
        "handed_over", COPYING_KINDS, feature="commerce",
        screen_path="LCS > Shared asset library > Software deployable package > Environment reprovisioning tool; "
                    "import it to the project asset library and apply it with Environment details > Maintain > "
                    "Update; then Retail and Commerce > Headquarters setup > Commerce scheduler > Initialize "
                    "Commerce scheduler",
        instruction="Apply the Commerce environment reprovisioning tool to the target, re-initialise the Commerce "
                    "scheduler and run a full sync of the channel databases before Commerce channels are used.",
        reason="Re-provisioning is a deployable package applied through LCS; the Database Movement API has no "
               "operation for it."),
    FollowUp(
        "document_attachments_in_blob_storage", "Attachments stored in Azure no longer match their files",
        PITR_PAGE + " (\"No file stored in Azure blob storage is copied ... document attachments\"); " + RESTORE_PAGE,
        "checked", COPYING_KINDS, feature="azure_attachments",
        check=("azure_attachments", "azure_deleted_attachments"),
        screen_path="Organization administration > Document management > Document files (review); attachments "
                    "pane of each record (re-attach)",
        instruction="Attachments stored in Azure Blob storage point at files of the source environment, which the "
                    "target's storage does not hold (or holds in its previous state): re-attach the documents "
                    "testers need, tell users that the others cannot be opened.",
        reason="The files live in the source's storage account, which neither LCS nor the Database Movement API "
               "copies or exposes."),
    FollowUp(
        "office_templates_in_blob_storage", "Custom Office templates stay in their previous state",
        PITR_PAGE + " (\"custom Microsoft Office templates (from the DocuTemplate table)\")",
        "checked", COPYING_KINDS, feature="office_templates", check=("office_templates",),
        screen_path="Common > Common > Office integration > Document templates",
        instruction="Custom Office (Excel/Word) templates keep the target's previous files: upload again the "
                    "templates that changed in the source.",
        reason="Templates are files in blob storage, which a movement does not copy."),
    FollowUp(
        "document_attachments_database_provider", "Point Azure-stored attachments at the database provider (Tier-1)",
        EXPORT_UAT_PAGE, "automated", TIER1_KINDS, feature="azure_attachments", target_types=("DevTestDev",),
        check=("azure_attachments",),  # what the automation changes: DOCUVALUE only
        automation="d365fo.dataalm.fo_database_cleanup steps=[document_storage_provider]",
        instruction="Run fo_database_cleanup with the document_storage_provider step (Microsoft's Tier-1 import "
                    "statement).",
        reason="A developer VM cannot reach the source's blob storage."),
    FollowUp(
        "lcs_sql_credential_access", "Restrict who can read the SQL credentials of non-production environments",
        PITR_PAGE + " (\"Any user who has the Project owner or Environment manager role in LCS will have access to "
        "the SQL and machine credentials for all nonproduction environments\"); " + RESTORE_PAGE,
        "handed_over", COPYING_KINDS, source_types=("Production",),
        screen_path="LCS > the project > Project users: review members with the Project owner or Environment "
                    "manager role",
        instruction="The target now holds production data: keep the LCS Project owner and Environment manager roles "
                    "to the people allowed to read it.",
        reason="LCS project membership has no supported API (the LCS API covers database movement, environment "
               "metadata and history only)."),
)
FOLLOW_UPS = {entry.id: entry for entry in CATALOGUE}


def all_statements():
    """Every SQL text detection can send (for the portability test and docs)."""
    return [probe.sql for probes in FEATURE_PROBES.values() for probe in probes.values()]


def detect(db):
    """Count each probe on the target; a feature is in use when any of its probes counts rows."""
    counts, features = {}, {}
    for feature, probes in FEATURE_PROBES.items():
        for name, probe in probes.items():
            counts[name] = db.count(probe.table, probe.where)
        features[feature] = any(counts[name] for name in probes)
    return {"counts": counts, "features": features}


def status_of(entry, counts):
    """done / required for automated, pass / fail for checked, required for handed-over entries (evaluate() gives
    not_checked when the feature could not be read)."""
    if entry.handling == "handed_over":
        return "required", None
    pending = sum(counts.get(name, 0) for name in entry.check)
    if entry.handling == "automated":
        return ("done" if pending == 0 else "required"), pending
    return ("pass" if pending == 0 else "fail"), pending


def describe(entry, status=None, rows=None):
    out = {"id": entry.id, "title": entry.title, "source": entry.source, "handling": entry.handling,
           "instruction": entry.instruction, "reason": entry.reason, "screen_path": entry.screen_path,
           "feature": entry.feature or None, "automation": entry.automation or None}
    if status is not None:
        out.update(status=status, rows=rows)
    return out


def evaluate(kind, source_type, target_type, detection):
    """The follow-ups that apply to this movement and target, each with its status.

    An automated entry is listed on its kinds and target type whatever the data holds, so the run
    after the automation shows it as done (its probe reads 0) instead of dropping it.
    A feature detection could not read (None, the reason in ``detection["not_checked"]``) lists its entries as
    ``not_checked`` with that reason, so the administrator knows what nobody looked at.
    """
    counts, features = detection["counts"], dict(detection["features"])
    unread = detection.get("not_checked") or {}
    out = []
    for entry in CATALOGUE:
        unknown = bool(entry.feature) and features.get(entry.feature) is None
        # an automated entry is listed whatever the data holds, an unread feature is assumed in use
        relaxed = features
        if unknown or (entry.handling == "automated" and bool(entry.feature)):
            relaxed = dict(features, **{entry.feature: True})
        if not entry.applies(kind, source_type, target_type, relaxed):
            continue
        item = describe(entry, *(("not_checked", None) if unknown else status_of(entry, counts)))
        if unknown:
            item["not_checked"] = unread.get(entry.feature) or "needs SQL (fo_followup_info)"
        elif entry.feature in (detection.get("evidence") or {}):
            item["detected_by"] = detection["evidence"][entry.feature]
        out.append(item)
    return out


def plan(kind, source_type, target_type):
    """Before the move: the follow-ups this movement can create, with the feature each depends on."""
    everything = {feature: True for feature in FEATURES}
    return [describe(entry) for entry in CATALOGUE if entry.applies(kind, source_type, target_type, everything)]


# The options that say which follow-ups apply (fo_followup_info; fo_database_verify's followups option).
MOVEMENT_KINDS = ["refresh", "export", "point_in_time_restore", "post_restore_only"]
ENVIRONMENT_TYPES = ["Production", "Sandbox", "DevTestDev"]


def argument_spec():
    return dict(
        movement_kind=dict(type="str", required=True, choices=MOVEMENT_KINDS),
        source_type=dict(type="str", required=True, choices=ENVIRONMENT_TYPES),
        target_type=dict(type="str", required=True, choices=ENVIRONMENT_TYPES),
    )


def report(db, params):
    """Detection on the open database and the follow-ups that apply to ``params`` (argument_spec's options)."""
    return report_from(detect(db), params)


def summary(followups):
    """Counts per status and the ids still required (handed over, automated not done, failed checks)."""
    counts = {}
    for item in followups:
        counts[item.get("status", "planned")] = counts.get(item.get("status", "planned"), 0) + 1
    required = [item["id"] for item in followups if item.get("status") in ("required", "fail")]
    not_checked = [item["id"] for item in followups if item.get("status") == "not_checked"]
    return {"counts": counts, "required": required, "not_checked": not_checked}


def application_detection(found, unreadable):
    """Detection from entity reads: ``found`` probe -> bool (a record exists), ``unreadable`` feature -> why its
    entity could not be read. Features without an entity, or whose read failed, are None (not checked)."""
    features, evidence = {}, {}
    for feature in FEATURES:
        probes = FEATURE_ENTITY_PROBES.get(feature)
        if not probes or feature in unreadable:
            features[feature] = None
            continue
        features[feature] = any(found.get(name) for name in probes)
        evidence[feature] = ENTITY_EVIDENCE + ", ".join(probe.entity for probe in probes.values())
    not_checked = dict(NOT_CHECKED_WITHOUT_SQL, **unreadable)
    return {"counts": {}, "found": dict(found), "features": features, "evidence": evidence,
            "not_checked": {feature: not_checked[feature] for feature in FEATURES if features[feature] is None},
            "transport": "application"}


def report_from(detection, params):
    """The follow-ups that apply to ``params`` (argument_spec's options) on a detection made elsewhere."""
    found = evaluate(params["movement_kind"], params["source_type"], params["target_type"], detection)
    return {"followups": found, "detection": detection, "summary": summary(found)}
