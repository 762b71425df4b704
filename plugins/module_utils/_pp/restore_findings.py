# -*- coding: utf-8 -*-
# Copyright: (c) 2026, d365fo.dataalm contributors
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)
"""What a restore to an instant takes away, as preflight findings ``{id, severity, message, remedy}``.

A Power Platform restore brings back data **and code** as of the instant (power-platform.md §1.5 and §2):
the Dataverse solutions installed or upgraded after it and the finance and operations packages deployed
after it come back at their older versions, or disappear. Microsoft's follow-ups after a restore are
listed with them: code alignment (redeploy the solutions, or the package matching the instant), flows
switched off, connection references and custom connectors, canvas app ids and sharing, admin mode.

Both lists are read from the source's Dataverse Web API: ``solutions`` (``installedon`` is documented as
"installed/upgraded") and ``packagehistories`` (one row per package deployment; the package name and
version columns are inferred, so several spellings are tolerated and a row without a readable time is left
out). "Deployed after the instant" is ``deployed_after`` (shared with the code-alignment drift of pairs).
"""

from __future__ import annotations

from .._auth import AuthError
from .._http import HttpClient, HttpError, RetryPolicy
from ..deployed_after import deployed_after, records
from .auth import token_provider

API_PATH = "api/data/v9.2"
MAX_PAGES = 100
SOLUTION_COLUMNS = "uniquename,friendlyname,version,installedon"
# Package history columns: createdon and applicationname/executionname are documented; the others inferred.
PACKAGE_NAME_KEYS = ("packageuniquename", "applicationname", "executionname")
PACKAGE_VERSION_KEYS = ("packageversion", "version")
DATAVERSE_RESTORE_DOC = "https://learn.microsoft.com/power-platform/admin/backup-restore-environments"
CODE_ALIGNMENT_DOC = ("https://learn.microsoft.com/dynamics365/fin-ops-core/dev-itpro/sysadmin/"
                      "database-movements-with-power-platform-integration")
# Microsoft's list of what to do after every restore (power-platform.md §1.5), each as (id, message, remedy).
AFTER_RESTORE = (
    ("restore_admin_mode", "The restored environment is left in administration mode: only administrators can "
     "sign in and background operations may be off.",
     "Turn administration mode off when the checks are done (the point-in-time runbook sets it back to the state "
     "recorded before the restore); pp_environment_admin_mode does it alone."),
    ("restore_flows_off", "Flows in solutions are switched off by the restore.",
     "Switch the solution flows that must run back on (Power Automate, Solutions)."),
    ("restore_connection_references", "Connection references need new connections; custom connectors may need to be "
     "installed again; canvas apps get new ids and lose sharing with Everyone.",
     "Edit the connection references of each solution, reinstall custom connectors, and share the canvas apps again."),
)


class DataverseReader:
    """Rows of the Dataverse Web API at one organisation URL (GET only, all pages)."""

    def __init__(self, http):
        self.http = http

    @classmethod
    def for_environment(cls, params, org_url, warn=None, on_retry=None):
        auth = token_provider(params, org_url.rstrip("/") + "/.default", warn=warn)
        http = HttpClient(org_url.rstrip("/") + "/" + API_PATH, timeout=params["timeout"],
                          validate_certs=params["validate_certs"], ca_path=params["ca_path"], auth=auth,
                          retry=RetryPolicy(), on_retry=on_retry)
        return cls(http)

    def rows(self, entity_set, select=None):
        rows, path = [], entity_set + ("?$select=" + select if select else "")
        for _page in range(MAX_PAGES):
            body = self.http.get_json(path)
            body = body if isinstance(body, dict) else {}
            rows.extend(row for row in body.get("value") or [] if isinstance(row, dict))
            path = str(body.get("@odata.nextLink") or "")
            # a next link is followed only on the same organisation: the bearer token goes nowhere else
            if not path.startswith(self.http.base_url + "/"):
                break
        return rows


def _first_key(rows, keys):
    """The first of ``keys`` any row carries (the column spelling this service uses)."""
    return next((key for key in keys if any(isinstance(r, dict) and r.get(key) for r in rows)), keys[0])


def code_after(reader, instant):
    """{"solutions": [...], "packages": [...]} deployed after ``instant`` (deployed_after's dicts)."""
    solutions = records(reader.rows("solutions", SOLUTION_COLUMNS), "uniquename", "version", "installedon")
    history = reader.rows("packagehistories")
    packages = records(history, _first_key(history, PACKAGE_NAME_KEYS), _first_key(history, PACKAGE_VERSION_KEYS),
                       "createdon")
    return {"solutions": deployed_after(solutions, instant), "packages": deployed_after(packages, instant)}


def finding(rule_id, severity, message, remedy):
    return {"id": rule_id, "severity": severity, "message": message, "remedy": remedy}


def _listing(items):
    return ", ".join("%s %s (%s, back to %s)" % (i["name"], i["version"] or "", i["deployed_at"],
                                                 i["version_at_instant"] or "its version of the instant or none")
                     for i in items)


# (kind in code_after, finding id, what, how it changed, the code-alignment step)
CODE_KINDS = (
    ("packages", "restore_packages_deployed_after_instant", "Finance and operations packages", "deployed to",
     "redeploy the package that matches the instant, or deploy the current package again"),
    ("solutions", "restore_solutions_deployed_after_instant", "Dataverse solutions", "installed or upgraded in",
     "import these solutions again at the versions you need"),
)


def code_findings(after, instant_text, source_name):
    """One warning per kind of code the instant takes back, each with Microsoft's code-alignment step."""
    return [finding(rule, "warning", "%s %s %s after %s come back as of the instant: %s."
                    % (what, how, source_name, instant_text, _listing(after[kind])),
                    "After the restore, %s (code alignment, %s)." % (step, CODE_ALIGNMENT_DOC))
            for kind, rule, what, how, step in CODE_KINDS if after[kind]]


def restore_findings(reader, instant, instant_text, source_name):
    """(findings, code after the instant or None when it could not be read)."""
    found = []
    try:
        after = code_after(reader, instant)
    except (HttpError, AuthError) as exc:
        after = None
        found.append(finding("restore_code_history_unreadable", "warning",
                             "The solutions and package history of %s could not be read (%s), so the code deployed "
                             "after %s is not listed." % (source_name, exc, instant_text),
                             "Give the identity read access to the environment's Dataverse (an application user, "
                             "or a Power Platform administrator) to see them here."))
    else:
        found.extend(code_findings(after, instant_text, source_name))
    found.extend(finding(rule, "info", message, remedy + " (%s)" % DATAVERSE_RESTORE_DOC)
                 for rule, message, remedy in AFTER_RESTORE)
    return found, after
