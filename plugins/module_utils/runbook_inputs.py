# -*- coding: utf-8 -*-
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)
"""Every inventory variable of the runbooks, checked before anything starts.

The ready runbooks (``playbooks/*.yml``) read inventory variables (``dataalm_*``) and feed them to the
roles. A role validates its own arguments only when it starts, which for the clean-up is after the
database was replaced; so the runbooks validate every input of every role they will use here, in
preflight, before the first call to LCS or SQL. Types are coerced (a single user becomes a list) or
refused, contradictions fail, and every message names the inventory variable to fix. The coerced
values, with their defaults, are what the runbooks pass on to the roles.
"""

from __future__ import absolute_import, division, print_function

__metaclass__ = type

import datetime
import difflib
import os
import re

from ansible.module_utils.common.arg_spec import ArgumentSpecValidator

from ansible_collections.d365fo.dataalm.plugins.module_utils import cleanup, fo_config
from ansible_collections.d365fo.dataalm.plugins.module_utils._dataverse import sql_jit
from ansible_collections.d365fo.dataalm.plugins.module_utils._dates import parse_datetime
from ansible_collections.d365fo.dataalm.plugins.module_utils._fo_app import settings
from ansible_collections.d365fo.dataalm.plugins.module_utils.fo_sql import FoSqlError
from ansible_collections.d365fo.dataalm.plugins.module_utils._movement.errors import InputError
from ansible_collections.d365fo.dataalm.plugins.module_utils._movement.inputs import parse_duration, parse_not_before
from ansible_collections.d365fo.dataalm.plugins.module_utils._pp.lifecycle_checks import (
    check_restore_choice, parse_restore_point)

RUNBOOKS = ("refresh", "export", "post_restore", "preflight", "point_in_time_restore")
# runbooks whose target is a Power Platform environment (its id is the admin center's, not LCS's)
PP_RUNBOOKS = ("point_in_time_restore",)
PREFIX = "dataalm_"
NO_WINDOW = "none"
GUID = re.compile(r"^[0-9a-fA-F]{8}-?[0-9a-fA-F]{4}-?[0-9a-fA-F]{4}-?[0-9a-fA-F]{4}-?[0-9a-fA-F]{12}$")
HOST_NAME = re.compile(r"^[A-Za-z0-9]([A-Za-z0-9-]*[A-Za-z0-9])?(\.[A-Za-z0-9]([A-Za-z0-9-]*[A-Za-z0-9])?)*$")

SPEC = dict(
    targets=dict(type="str"),
    kind=dict(type="str", choices=["refresh", "export", "point_in_time_restore", "post_restore_only"],
              default="refresh"),
    target_environment_id=dict(type="str", default=""),
    source_environment_id=dict(type="str", default=""),
    environment_type=dict(type="str", choices=["Sandbox", "DevTestDev"]),
    check_lcs=dict(type="bool", default=True),
    point_in_time=dict(type="str", default=""),
    spartan_managed=dict(type="bool", default=False),
    financial_reporting=dict(type="dict", default={}),
    database_capacity=dict(type="dict", default={}),
    max_age=dict(type="str", default="12h"),
    not_before=dict(type="str", default=""),
    now=dict(type="str", default=""),
    poll_interval=dict(type="int", default=60),
    wait=dict(type="bool", default=True),
    wait_timeout=dict(type="int", default=90000),
    backup_name=dict(type="str", default=""),
    download_dir=dict(type="str", default=""),
    snapshot_dir=dict(type="str", default=""),
    cleanup_profile=dict(type="str", choices=list(cleanup.PROFILES) + [""], default="standard"),
    cleanup_steps=dict(type="list", elements="str", default=[]),
    cleanup_exclude_steps=dict(type="list", elements="str", default=[]),
    email_mode=dict(type="str", choices=["blank", "mask"], default="blank"),
    email_mask_domain=dict(type="str", default=cleanup.DEFAULT_MASK_DOMAIN),
    keep_users=dict(type="list", elements="str", default=["Admin"]),
    resume_batch_jobs=dict(type="list", elements="str", default=[]),
    smtp_relay=dict(type="str", default=""),
    restore_items=dict(type="list", elements="str", choices=list(fo_config.ITEMS), default=list(fo_config.ITEMS)),
    database_generation=dict(type="str", default=""),
    force_cleanup=dict(type="bool", default=False),
    confirm_database=dict(type="str", default=""),
    confirm_environment=dict(type="str", default=""),  # the same, without SQL: the environment's host name
    # the target's own settings as a data package (application layer, docs/unattended.md)
    settings_project=dict(type="str", default=settings.DEFAULT_PROJECT),
    settings_entities=dict(type="list", elements="str", default=list(settings.DEFAULT_ENTITIES)),
    settings_extra_entities=dict(type="list", elements="str", default=[]),
    settings_legal_entity=dict(type="str", default="DAT"),
    # data projects of the user's own that must exist in the target and the source (preflight, docs/runbooks.md)
    data_projects=dict(type="list", elements="str", default=[]),
    # point_in_time_restore (Power Platform)
    restore_point=dict(type="str", default=""),
    backup_label=dict(type="str", default=""),
    admin_mode_after_restore=dict(type="str", choices=["recorded", "keep"], default="recorded"),
    # just-in-time SQL credentials from the target's Dataverse (unified environments, docs/sql-access.md)
    sql_jit=dict(type="bool", default=False),
    sql_jit_client_ip=dict(type="str", default=""),
    sql_jit_driver=dict(type="str", default=""),
)


class Problems:
    """Every problem at once, each naming the inventory variable to fix."""

    def __init__(self):
        self.errors, self.warnings = [], []

    def error(self, name, text):
        self.errors.append("%s%s: %s" % (PREFIX, name, text))

    def warn(self, name, text):
        self.warnings.append("%s%s: %s" % (PREFIX, name, text))


def coerce(raw, problems):
    """Types and choices through Ansible's own argument-spec validator; unknown look-alikes fail."""
    given = {k[len(PREFIX):]: v for k, v in (raw or {}).items() if k.startswith(PREFIX)}
    known = {k: v for k, v in given.items() if k in SPEC}
    for name in set(given) - set(known):
        close = difflib.get_close_matches(name, SPEC, n=1, cutoff=0.85)
        if close:
            problems.error(name, "is not a variable of the runbooks; did you mean %s%s?" % (PREFIX, close[0]))
    spec = {PREFIX + k: v for k, v in SPEC.items()}
    result = ArgumentSpecValidator(spec).validate({PREFIX + k: v for k, v in known.items()})
    for message in result.error_messages:
        problems.errors.append(message)
    values = {k[len(PREFIX):]: v for k, v in result.validated_parameters.items()}
    bad = {match.group(1) for match in (re.search(PREFIX + r"(\w+)", m) for m in result.error_messages) if match}
    # A refused value falls back to its default so the rules below can still report everything else.
    return {k: (SPEC[k].get("default") if k in bad else v) for k, v in values.items()}


# -- rules ------------------------------------------------------------------------------------------------
def check_identity(values, runbook, problems):
    needed = {"refresh": ("target", "source"), "export": ("target",), "preflight": ("target",),
              "post_restore": ("target",), "point_in_time_restore": ("target",)}[runbook]
    service = "Power Platform" if runbook in PP_RUNBOOKS else "LCS"
    if runbook == "preflight" and values.get("kind", "refresh") in ("refresh", "point_in_time_restore"):
        needed = ("target", "source")
    for which in needed:
        value = values["%s_environment_id" % which]
        if not value:
            problems.error("%s_environment_id" % which, "is required: the %s environment id (a GUID) of the %s"
                           % (service, which))
        elif not GUID.match(value):
            problems.error("%s_environment_id" % which, "must be a %s environment id (a GUID), not %r"
                           % (service, value))
    if runbook in PP_RUNBOOKS and values["source_environment_id"] and not GUID.match(values["source_environment_id"]):
        problems.error("source_environment_id", "must be a Power Platform environment id (a GUID), not %r"
                       % values["source_environment_id"])
    if values["source_environment_id"] and values["source_environment_id"] == values["target_environment_id"] \
            and runbook in ("refresh", "preflight") and values.get("kind", "refresh") == "refresh":
        problems.error("source_environment_id", "is the target itself; a refresh needs another source")
    if not values["check_lcs"] and not values.get("environment_type"):
        problems.error("environment_type", "is required when dataalm_check_lcs is false: LCS is not asked, so state "
                       "the target's type (Sandbox or DevTestDev); there is no default")


def check_window(values, runbook, problems):
    if runbook not in ("refresh", "export", "point_in_time_restore"):
        return
    text = str(values["max_age"]).strip()
    if text.lower() == NO_WINDOW:
        problems.warn("max_age", "none: no idempotency window; a re-run may start a second movement")
        values["max_age"] = ""
        return
    try:
        parse_duration(text)
    except InputError:
        problems.error("max_age", "%r turns idempotency off; give a window such as 12h or 3d (a movement that "
                       "succeeded within it counts as done), or none to run without one on purpose" % text)
    if values["not_before"]:
        try:
            parse_not_before(values["not_before"], datetime.datetime.now(datetime.timezone.utc))
        except InputError as exc:
            problems.error("not_before", str(exc))
    parsed_now = parse_datetime(values["now"], naive_is_utc=False) if values["now"] else None
    if values["now"] and (parsed_now is None or parsed_now.tzinfo is None):
        problems.error("now", "must be a time with its zone, such as 2026-03-04T08:00:00Z, not %r" % values["now"])
    if values["poll_interval"] < 1 or values["wait_timeout"] < values["poll_interval"]:
        problems.error("poll_interval" if values["poll_interval"] < 1 else "wait_timeout",
                       "poll_interval must be at least 1 second and wait_timeout longer than it")


def resolve_steps(values, problems):
    try:
        selected = cleanup.select_steps(values["cleanup_steps"], values["cleanup_profile"],
                                        values["cleanup_exclude_steps"])
    except FoSqlError as exc:
        unknown = [n for n in values["cleanup_exclude_steps"] if n not in cleanup.STEPS]
        name = "cleanup_exclude_steps" if unknown else "cleanup_steps" if values["cleanup_steps"] else "cleanup_profile"
        problems.error(name, str(exc))
        return []
    tier1 = [step.name for step in selected if step.tier1_only]
    if tier1 and values.get("environment_type") == "Sandbox":
        problems.error("cleanup_profile", "steps %s are for Tier-1 (DevTestDev) only; dataalm_environment_type is "
                       "Sandbox" % ", ".join(tier1))
    return [step.name for step in selected]


def check_cleanup(values, problems):
    """The clean-up, re-configuration and verification settings, alone and against each other."""
    steps = resolve_steps(values, problems)
    values["resolved_cleanup_steps"] = steps
    if steps and "email_addresses" not in steps and (values["email_mode"] == "mask"
                                                     or values["email_mask_domain"] != cleanup.DEFAULT_MASK_DOMAIN):
        problems.error("email_mode", "mask has no effect: the clean-up (%s) has no email_addresses step; use "
                       "dataalm_cleanup_profile standard or add email_addresses to dataalm_cleanup_steps"
                       % _profile_text(values))
    if values["smtp_relay"] and "smtp" not in steps:
        problems.error("smtp_relay", "is applied by the smtp step, which the clean-up (%s) does not include"
                       % _profile_text(values))
    _check_values(values, problems)
    keep_held = "recurring_integrations" in steps and "batch_jobs" in values["restore_items"]
    values["keep_recurring_integrations_held"] = keep_held
    if keep_held:
        problems.warn("restore_items", "batch_jobs re-applies the snapshot's waiting jobs except the recurring "
                      "integrations, which the integrations clean-up holds on purpose")
    if values["smtp_relay"] and "smtp" in values["restore_items"]:
        values["restore_items"] = [item for item in values["restore_items"] if item != "smtp"]


def _profile_text(values):
    return "dataalm_cleanup_profile %s%s" % (values["cleanup_profile"] or "''", " with dataalm_cleanup_steps %s"
                                             % ", ".join(values["cleanup_steps"]) if values["cleanup_steps"] else "")


def _check_values(values, problems):
    if any(not str(user).strip() for user in values["keep_users"]):
        problems.error("keep_users", "has an empty entry; list user ids or sign-in patterns such as qa-*@contoso.com")
    everything = [p for p in values["resume_batch_jobs"] if not str(p).strip("*? ")]
    if everything:
        problems.error("resume_batch_jobs", "%r would resume every batch job of the copy, including production's; "
                       "name the sandbox's own jobs" % everything[0])
    if values["smtp_relay"] and not HOST_NAME.match(values["smtp_relay"]):
        problems.error("smtp_relay", "must be a host name such as smtp-uat.contoso.com, not %r" % values["smtp_relay"])
    domain = values["email_mask_domain"]
    if not HOST_NAME.match(domain or ""):
        problems.error("email_mask_domain", "must be a bare domain such as example.invalid, not %r" % domain)
    _check_settings(values, problems)


def _check_settings(values, problems):
    """The settings data package: never system users, a project name F&O accepts; one list for the roles."""
    for name in ("settings_entities", "settings_extra_entities"):
        for entity in settings.forbidden(values[name]):
            problems.error(name, "must not list %r: importing users after a movement would re-enable the people it "
                                 "disabled; keep the sandbox's own users with dataalm_keep_users" % entity)
    project = values["settings_project"]
    if not project.strip() or len(project) > 60:
        problems.error("settings_project", "must be a data project name of 1 to 60 characters, not %r" % project)
    merged = list(values["settings_entities"]) + list(values["settings_extra_entities"])
    values["settings_project_entities"] = [{"entity": name} for name in dict.fromkeys(merged) if str(name).strip()]


def check_state_location(values, context, problems):
    """The snapshot must live where the user says, outside the collection (it is the run's record)."""
    # the point-in-time runbook records the admin mode before the restore there, with or without SQL
    needed = context["runbook"] in PP_RUNBOOKS or context.get("sql_enabled")
    if not needed or context["runbook"] not in ("refresh", "post_restore", "point_in_time_restore"):
        return
    directory = values["snapshot_dir"]
    if not directory:
        problems.error("snapshot_dir", "is required%s: the directory (outside the collection, kept between runs, for "
                       "example on a share) for the configuration snapshots and the run's record"
                       % ("" if context["runbook"] in PP_RUNBOOKS else " with dataalm_sql_connection_string"))
        return
    if not os.path.isabs(directory):
        problems.error("snapshot_dir", "must be an absolute path, not %r" % directory)
        return
    real = os.path.realpath(directory)
    for inside in [d for d in (context.get("collection_dir"),) if d]:
        if real == os.path.realpath(inside) or real.startswith(os.path.realpath(inside) + os.sep):
            problems.error("snapshot_dir", "%s is inside the collection (%s), which an upgrade replaces; choose a "
                           "directory of your own" % (directory, inside))


def check_restore_point(values, problems):
    """One of restore_point (RFC 3339 with an offset, or latest) and backup_label."""
    try:
        check_restore_choice(values["restore_point"], values["backup_label"])
        if values["restore_point"]:
            parse_restore_point(values["restore_point"], datetime.datetime.now(datetime.timezone.utc))
    except InputError as exc:
        name = "backup_label" if values["backup_label"] and not values["restore_point"] else "restore_point"
        problems.error(name, str(exc).replace("restore_point", PREFIX + "restore_point").replace(
            "backup_label", PREFIX + "backup_label"))


def check_sql_jit(values, context, problems):
    """Just-in-time SQL access replaces the connection string; only a unified environment's Dataverse offers it."""
    if not values["sql_jit"]:
        return
    if context["runbook"] not in PP_RUNBOOKS:
        problems.error("sql_jit", "is for unified environments (the point-in-time restore runbook); on an LCS "
                                  "environment request JIT access in LCS and give dataalm_sql_connection_string")
    if context.get("sql_enabled"):
        problems.error("sql_jit", "and dataalm_sql_connection_string both give SQL access; keep one (just-in-time "
                                  "credentials are requested before and after the restore)")
    try:
        sql_jit.check_client_ip(values["sql_jit_client_ip"])
    except InputError as exc:
        problems.error("sql_jit_client_ip", str(exc).replace("client_ip", "the value"))


def validate(raw, context):
    """Coerced values (without the prefix) and the problems; the caller fails when there are errors."""
    problems = Problems()
    values = coerce(raw, problems)
    runbook = context["runbook"]
    check_identity(values, runbook, problems)
    check_window(values, runbook, problems)
    if runbook in PP_RUNBOOKS:
        check_restore_point(values, problems)
    if runbook in ("refresh", "post_restore", "point_in_time_restore"):
        check_cleanup(values, problems)
        check_state_location(values, context, problems)
    check_sql_jit(values, context, problems)
    values["sql_enabled"] = bool(context.get("sql_enabled"))
    return values, problems
