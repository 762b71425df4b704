# -*- coding: utf-8 -*-
# Copyright: (c) 2026, d365fo.dataalm contributors
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)
"""Labelled manual backups, idempotent by label inside a time window.

Labels are not unique in the Power Platform, so only a backup with the label whose backup point lies
inside the window (``not_before`` and/or ``max_age``) counts as done; an older one with the same label
does not. The backup point is the service's time, so the window is measured in the service's clock.
"""

from __future__ import annotations

import datetime
import re

from .._dates import UTC, format_datetime, parse_datetime
from .._movement.errors import InputError
from .errors import PpError
from .model import backup_facts, backups_newest_first, environment_facts

DEFAULT_MAX_AGE = "24h"
MAX_LABEL_LENGTH = 100
# environment types whose manual backups Microsoft does not support (power-platform.md §1.5)
NO_MANUAL_BACKUP_TYPES = ("default", "trial", "subscriptionbasedtrial")
# a start whose answer was lost is found again among backups taken since shortly before it
ADOPT_SLACK = datetime.timedelta(minutes=2)
_CONTROL_RE = re.compile(r"[\x00-\x1f\x7f]")


def check_label(label, name="label"):
    text = str(label or "").strip()
    if not text:
        raise InputError("%s must not be empty; give the backup a label such as before-refresh-2026-11-29" % name)
    if len(text) > MAX_LABEL_LENGTH or _CONTROL_RE.search(text):
        raise InputError("%s must be one line of at most %d characters; got %d characters"
                         % (name, MAX_LABEL_LENGTH, len(text)))
    return text


def matching_backup(rows, label, start):
    """The newest backup with ``label`` whose backup point is at or after ``start``, or None."""
    for facts in backups_newest_first(rows):
        point = parse_datetime(facts["backup_point"])
        if facts["label"] == label and point is not None and (start is None or point >= start):
            return facts
    return None


def check_backup_allowed(environment, environment_id):
    """Refuse environments that cannot have a manual backup, before anything is created."""
    facts = environment_facts(environment)
    if not facts["dataverse"]:
        raise PpError("environment %s (%s) has no Dataverse database, so the Power Platform cannot back it up"
                      % (environment_id, facts["name"]),
                      hint="back up its finance and operations database with lcs_database_export, or add Dataverse "
                           "through Power Platform Integration in LCS (docs/power-platform.md)")
    if str(facts["type"] or "").lower() in NO_MANUAL_BACKUP_TYPES:
        raise PpError("environment %s is of type %s, which has no manual backups" % (environment_id, facts["type"]),
                      hint="take manual backups of production, sandbox or developer environments only")
    return facts


def create_labelled_backup(client, environment_id, label, now):
    """POST the backup and return its facts; finds it by label when the service sent no body or lost it."""
    attempted_at = now
    try:
        body = client.create_backup(environment_id, label)
    except PpError as exc:
        if not exc.transient:
            raise
        # the answer was lost (dropped connection, 5xx): look before ever creating a second one
        adopted = matching_backup(client.backups(environment_id), label, attempted_at - ADOPT_SLACK)
        if adopted is None:
            raise
        return adopted
    facts = backup_facts(body) if body else {}
    if facts.get("id") and facts.get("backup_point"):
        return facts
    adopted = matching_backup(client.backups(environment_id), label, attempted_at - ADOPT_SLACK)
    return adopted or facts


def ensure_backup(client, environment_id, label, start, check_mode):
    """(changed, backup facts or None, message) for one labelled backup inside the window from ``start``."""
    existing = matching_backup(client.backups(environment_id), label, start)
    if existing is not None:
        return False, existing, "backup %r taken at %s is inside the window from %s; nothing to do" % (
            label, existing["backup_point"], format_datetime(start))
    if check_mode:
        return True, None, "would create backup %r of environment %s" % (label, environment_id)
    backup = create_labelled_backup(client, environment_id, label, client.now() or datetime.datetime.now(UTC))
    return True, backup, "created backup %r of environment %s" % (label, environment_id)
