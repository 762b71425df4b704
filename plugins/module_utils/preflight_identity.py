# -*- coding: utf-8 -*-
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)
"""Preflight rules about who the run signs in as after the move, and the data projects it relies on.

Pure rules over what ``fo_app_identity_info`` read from the target and the source before the move.
Facts (dataalm-2026-addendum.md 1.3, fo-database.md 3, seed 001):

- an LCS refresh (and an LCS point-in-time restore, same pipeline) disables every user except ``Admin`` and
  resets ``Admin`` to the target's environment administrator; an application mapped to any other user gets 401
  until that user is enabled. Whether it spares ``DBMovementAPI`` is not documented: assumed not, unless the
  caller says otherwise;
- a Power Platform copy leaves ``DBMovementAPI`` enabled when the source has it (documented), and ``Admin``;
  whether it resets ``Admin`` is not documented (INFERRED: it does not, the emulator models the same);
- a Power Platform restore brings back the environment's own users as of the instant (INFERRED: as they are now);
- the copy carries the source's list of Entra applications (``SysAADClients``) and the source's data projects.
"""

from __future__ import annotations

BLOCKING = "blocking"
WARNING = "warning"
INFO = "info"

MOVEMENTS = ("lcs_refresh", "pp_copy", "pp_restore")
ADMIN = "admin"
DBMOVEMENTAPI = "dbmovementapi"
ENTRA_APPS_SCREEN = "System administration > Setup > Microsoft Entra applications"


def _finding(rule_id, severity, message, remedy):
    return {"id": rule_id, "severity": severity, "message": message, "remedy": remedy}


def _user(facts, user_id):
    wanted = str(user_id or "").lower()
    return next((u for u in facts.get("users") or [] if str(u.get("user_id") or "").lower() == wanted), None)


def _read(facts):
    """Facts of an environment that accepted the identity (empty when it was not read or refused it)."""
    return facts if facts and facts.get("signed_in") else {}


def _who(facts):
    identity = facts.get("identity") or {}
    if identity.get("kind") == "application":
        return "application %s" % identity.get("client_id")
    return identity.get("username") or "the signed-in person"


def check(identity, labels, source_is_production, findings):
    """Every identity finding. ``labels``: (source name, target name) for messages."""
    if not identity:
        return
    target = identity.get("target") or {}
    source = _read(identity.get("source"))
    if not target:
        return
    if not target.get("signed_in"):
        findings.append(_refused_now(target, labels[1]))
        return
    kind = (target.get("identity") or {}).get("kind")
    movement = identity.get("movement") or "lcs_refresh"
    if kind == "application":
        _check_application(identity, movement, target, source, labels, findings)
    elif kind == "delegated":
        _check_person(movement, target, source, labels, findings)
    else:
        findings.append(_finding(
            "identity_unknown_after_move", WARNING,
            "The run signs in to F&O with a given access token (fo_access_token); who it is after the move was not "
            "checked, and the token will have expired by then.",
            "Use an application (fo_client_id, fo_client_secret) or a person's sign-in (playbooks/sign_in.yml) "
            "instead, so the run can renew its token."))
    if source_is_production:
        _check_production_user(identity.get("source") or {}, labels[0], findings)


def _refused_now(target, label):
    application = (target.get("identity") or {}).get("kind") == "application"
    remedy = ("Register application %s in %s (%s), mapped to an enabled user, or correct fo_client_id and "
              "fo_client_secret." % ((target.get("identity") or {}).get("client_id"), label, ENTRA_APPS_SCREEN)
              if application else
              "Sign in again (ansible-playbook playbooks/sign_in.yml) as a user enabled in %s; fo_token_cache names "
              "the cache the run reads." % label)
    return _finding("identity_refused_by_target", BLOCKING,
                    "%s refuses %s now (%s): the settings capture before the move would fail."
                    % (label, _who(target), target.get("refusal") or "HTTP 401"), remedy)


def _survivors(identity, movement):
    if movement == "lcs_refresh":
        return (ADMIN, DBMOVEMENTAPI) if identity.get("dbmovementapi_survives_refresh") else (ADMIN,)
    return (ADMIN, DBMOVEMENTAPI)


def _check_application(identity, movement, target, source, labels, findings):
    client_id = target["identity"].get("client_id")
    facts, where = (source, labels[0]) if source else (target, labels[1])
    mapped = facts.get("mapped_user")
    seen = "" if source else (" (as %s maps it now; %s, whose list the copy carries, refused or was not read)"
                              % (labels[1], labels[0]))
    if movement == "pp_restore":
        user = _user(target, mapped)
        if mapped and user and user.get("enabled"):
            return
        survives = False
    else:
        survives = bool(mapped) and mapped.lower() in _survivors(identity, movement)
    if survives:
        return
    if not mapped:
        message = "Application %s is not registered in %s%s: after the move it gets 401." % (client_id, where, seen)
    else:
        message = ("Application %s is mapped to F&O user %s in %s%s; %s, so after the move it gets 401 until that "
                   "user is enabled." % (client_id, mapped, where, seen, _what_survives(identity, movement)))
    findings.append(_finding("identity_cannot_sign_in_after_move", BLOCKING, message,
                             _application_remedy(movement, client_id, target, labels)))


def _what_survives(identity, movement):
    if movement == "lcs_refresh":
        spared = " and DBMovementAPI" if identity.get("dbmovementapi_survives_refresh") else ""
        return "an LCS refresh disables every user except Admin%s" % spared
    if movement == "pp_copy":
        return "a Power Platform copy disables every user except Admin and DBMovementAPI"
    return "a restore brings the users back as they were"


def _application_remedy(movement, client_id, target, labels):
    if movement == "pp_copy":
        return ("Create the user DBMovementAPI in %s (it may stay disabled there), give it the roles the clean-up "
                "needs, and map application %s to it (%s)." % (labels[0], client_id, ENTRA_APPS_SCREEN))
    admin = _user(target, "Admin") or {}
    return ("Sign in as the target's environment administrator%s instead: leave fo_client_secret unset and run "
            "ansible-playbook playbooks/sign_in.yml as that person (docs/unattended.md, section 1); or map "
            "application %s to Admin in %s (%s)."
            % (" " + admin["alias"] if admin.get("alias") else "", client_id, labels[0], ENTRA_APPS_SCREEN))


def _check_person(movement, target, source, labels, findings):
    person = target["identity"].get("username")
    if movement == "lcs_refresh":
        # the refresh resets Admin to the target's administrator: Admin's sign-in name in the target now
        expected, where = (_user(target, "Admin") or {}).get("alias"), labels[1]
    elif movement == "pp_copy":
        expected, where = (_user(source, "Admin") or {}).get("alias"), labels[0]
    else:
        mine = next((u for u in target.get("users") or [] if str(u.get("alias") or "").lower() == str(person).lower()),
                    None)
        expected, where = (person if mine and mine.get("enabled") else None), labels[1]
    if not person or not expected:
        findings.append(_finding(
            "identity_unknown_after_move", WARNING,
            "Whether %s can sign in to %s after the move could not be told (the sign-in name or Admin's in %s is "
            "unknown)." % (person or "the signed-in person", labels[1], where),
            "Sign in (playbooks/sign_in.yml) as the environment administrator that Admin signs in as."))
        return
    if person.lower() == expected.lower():
        return
    findings.append(_finding(
        "identity_cannot_sign_in_after_move", BLOCKING,
        "The run signs in to %s as %s; after the move only Admin (%s) can sign in among the people, so the "
        "clean-up gets 401." % (labels[1], person, expected),
        "Sign in as %s (ansible-playbook playbooks/sign_in.yml, the cache fo_token_cache names), or use an "
        "application mapped to Admin (fo_client_id, fo_client_secret)." % expected))


def _check_production_user(source, label, findings):
    """The automation's user enabled in production: its secret opens production and the user lives on in copies.

    A refusal by production is the good answer (the user is disabled there); production not asked at all is said.
    """
    if not source:
        findings.append(_finding(
            "automation_user_in_production_unchecked", INFO,
            "Whether the automation's user is enabled in production %s was not checked." % label,
            "Set fo_source_environment_url to production's F&O URL: preflight then signs in there with the same "
            "identity, read only."))
        return
    if not source.get("signed_in"):
        return
    mapped = source.get("mapped_user")
    named = [mapped] if mapped else []
    if str(mapped or "").lower() != DBMOVEMENTAPI:
        named.append("DBMovementAPI")
    for user_id in named:
        user = _user(source, user_id)
        if not (user and user.get("enabled")):
            continue
        remedy = ("Disable %s in %s (System administration > Users); a Power Platform copy enables DBMovementAPI in "
                  "the copy itself." % (user["user_id"], label))
        if str(user_id).lower() == ADMIN:
            remedy = ("Map the application to DBMovementAPI, disabled in %s, for Power Platform copies; for LCS "
                      "refreshes sign in as the target's environment administrator instead." % label)
        findings.append(_finding(
            "automation_user_enabled_in_production", WARNING,
            "%s %s is enabled in production %s: whoever holds the automation's credentials can sign in to "
            "production as it." % ("The automation's user" if user_id == mapped else "The user", user["user_id"],
                                   label),
            remedy))


def check_projects(projects, identity, labels, findings):
    """Data projects the run relies on: required ones (the user's) must exist; the run creates its own."""
    if not projects or not identity:
        return
    target = _read(identity.get("target"))
    if not target:
        return
    source = _read(identity.get("source"))
    variable = projects.get("variable") or "data_projects.required"
    for name in projects.get("created_by_run") or []:
        if not _has(target, name):
            findings.append(_finding(
                "data_project_created_by_run", INFO,
                "Data project %s does not exist in %s yet; the run creates it (fo_data_project, initialize: true) "
                "before the capture, and again in the copy." % (name, labels[1]), "None needed."))
    for name in projects.get("required") or []:
        for facts, label, when in ((target, labels[1], "now"), (source, labels[0], "after the move")):
            if facts and not _has(facts, name):
                findings.append(_data_project_missing(name, label, labels[1], when, variable))
                break


def _has(facts, name):
    return str(name).lower() in {str(found).lower() for found in facts.get("data_projects") or []}


def _data_project_missing(name, label, target_label, when, variable):
    where = ("%s has no data project %s, so a capture or an import with it fails" % (label, name) if when == "now"
             else "%s has no data project %s; after the move %s holds %s's projects, so an import with it fails"
             % (label, name, target_label, label))
    return _finding(
        "data_project_missing", BLOCKING, "%s (named in %s)." % (where, variable),
        "Create it in %s with d365fo.dataalm.fo_data_project (name: %s, its entities, initialize: true) before "
        "the run, or remove it from %s." % (label, name, variable))
