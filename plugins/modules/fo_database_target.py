#!/usr/bin/python
# -*- coding: utf-8 -*-
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)

from __future__ import absolute_import, division, print_function

__metaclass__ = type

DOCUMENTATION = r"""
---
module: fo_database_target
short_description: Prove a connection reaches this target's F&O database and keep the run state in it
version_added: 1.0.0
description:
  - Before a snapshot or any change, proves that the connection reaches the database of the target environment
    O(environment_id), and not the source's or another environment's, and decides whether a copy needs its
    clean-up. Fails before any change, saying what to fix, when it cannot.
  - The run state lives in the target database itself, in the table C(DATAALMSTATE) the collection owns (rows
    C(ENVIRONMENTID), C(GENERATION), C(STATE), C(UPDATEDAT)). A movement replaces it with the copy; any controller
    reads the same state.
  - "O(purpose=movement) (before a movement): proven when the database carries this environment's marker, or when
    O(confirm_database) names the database the connection reaches (the first run on a target)."
  - "O(purpose=cleanup) (after one): the server and database must be those recorded in the snapshot taken before the
    movement (O(snapshot_path)); a copy whose clean-up this environment verified for O(generation) is only verified
    (RV(decision=verified)) unless O(force); otherwise the database must look like what a movement leaves (every user
    but Admin and service accounts disabled, no batch job waiting, executing, ready or cancelling; LCS leaves
    Scheduled jobs as they were), so a live database is never cleaned."
  - O(state=cleaning) records that the clean-up of O(generation) has begun, O(state=verified) that it was verified.
    The first write creates the table (the SQL login needs CREATE TABLE once per database).
  - When the database cannot be reached after a movement, fails at once with the next step (a movement removes the
    just-in-time firewall rule of a Tier-2 sandbox).
author:
  - d365fo.dataalm contributors (@d365fo-dataalm)
extends_documentation_fragment:
  - d365fo.dataalm.fo_sql
attributes:
  check_mode:
    support: full
    description: Reads and decides; writes no marker.
  diff_mode:
    support: none
    description: The marker is returned.
options:
  environment_id:
    description:
      - Id of the target this database must belong to, as its clean-up marker records it - the LCS environment id or,
        for an environment managed in the Power Platform admin center (unified, no LCS environment), its Power
        Platform environment id (what C(playbooks/point_in_time_restore.yml) and the linked playbooks pass).
      - An empty id is refused before connecting.
    type: str
    required: true
  environment_name:
    description: Its name, for messages.
    type: str
    default: ""
  host:
    description: Inventory host name, for messages.
    type: str
    default: ""
  purpose:
    description: Before a movement (V(movement)) or before the clean-up of a copy (V(cleanup)).
    type: str
    choices: [movement, cleanup]
    required: true
  generation:
    description: Identity of the copy, usually the id of the movement operation that produced it.
    type: str
    default: ""
  snapshot_path:
    description: Configuration snapshot taken before the movement; its recorded server and database must match.
    type: path
  snapshot_required:
    description: A copy that needs its clean-up needs O(snapshot_path) to exist (settings are re-applied from it).
    type: bool
    default: false
  other_databases:
    description:
      - Connection strings of the other inventory hosts (the source among them), by host name; the same database
        configured twice is refused before connecting.
    type: dict
    default: {}
  confirm_database:
    description: Name of the database the connection reaches, to confirm it when nothing else proves it.
    type: str
    default: ""
  force:
    description: Clean a copy again although its clean-up was verified.
    type: bool
    default: false
  state:
    description:
      - V(checked) only decides. V(cleaning) also records that the clean-up of O(generation) begins, when the copy
        needs it; V(verified) records that it was verified. Nothing is written in check mode.
    type: str
    choices: [checked, cleaning, verified]
    default: checked
  variable_names:
    description:
      - The names the user typed (inventory variables) to use in messages instead of the option names.
      - "Keys: C(connection) (O(connection_string)), C(confirm) (O(confirm_database)), C(environment)
        (O(environment_id)), C(force), C(snapshot_dir) and C(restore_items) (the clean-up's inputs)."
    type: dict
    default: {}
"""

EXAMPLES = r"""
- name: Prove the connection reaches contoso-uat before the snapshot
  d365fo.dataalm.fo_database_target:
    connection_string: "{{ uat_odbc }}"
    environment_id: 22222222-2222-4222-8222-222222222222
    purpose: movement
"""

RETURN = r"""
decision:
  description: V(proven), V(clean) (the copy needs its clean-up) or V(verified) (only verify it).
  returned: success
  type: str
database:
  description: Server and database the connection reaches, the marker and the copy's state.
  returned: always
  type: dict
marker:
  description: The run state recorded in the database (after a write, the new one).
  returned: always
  type: dict
"""

import os

from ansible_collections.d365fo.dataalm.plugins.module_utils import fo_config, fo_module, fo_sql, fo_target

JIT_HINT = ("A database movement removes the just-in-time (JIT) firewall rule of a Tier-2 sandbox: request JIT access "
            "again in LCS for this controller, update %s if the credentials changed, then run "
            "playbooks/post_restore.yml.")


def refuse_early(module, names):
    """Refusals that need no connection: no target id, the same database configured for two hosts."""
    params = module.params
    if not params["environment_id"].strip():
        module.fail_json(msg="%s is empty: name the target's LCS environment id, or for a unified environment (no LCS "
                         "environment) its Power Platform environment id." % names["environment"])
    shared = fo_target.shared_with(params["connection_string"], params["other_databases"])
    if shared:
        module.fail_json(msg="%s of %s names the same database as %s: each host must name its own target's database."
                         % (names["connection"], params["host"] or "this host", ", ".join(shared)))


def open_or_explain(module, names):
    try:
        return fo_sql.Database(module.params).open()
    except fo_sql.FoSqlError as exc:
        hint = (" " + JIT_HINT % names["connection"]) if module.params["purpose"] == "cleanup" else ""
        module.fail_json(msg="Cannot reach the database of %s: %s.%s" % (module.params["host"] or "the target",
                                                                         exc, hint))


def request_of(params, names):
    snapshot = {}
    if params["snapshot_path"] and os.path.exists(params["snapshot_path"]):
        snapshot = fo_config.read_snapshot(params["snapshot_path"])
    return dict(params, names=names, expected=snapshot.get("database") or {})


def missing_snapshot(module, params, names):
    """A copy that needs its clean-up and whose snapshot is gone stops here (a preview only warns)."""
    message = ("No configuration snapshot at %s for this copy: the settings of %s cannot be re-applied. Copy the "
               "snapshot the movement wrote into %s on this controller, or set %s: [] to clean up without re-applying "
               "them." % (params["snapshot_path"], params["host"] or "the target", names["snapshot_dir"],
                          names["restore_items"]))
    if module.check_mode:
        module.warn("would stop: " + message)
        return
    raise fo_target.RefusedError(message)


def main():
    module = fo_module.new_module(dict(
        environment_id=dict(type="str", required=True), environment_name=dict(type="str", default=""),
        host=dict(type="str", default=""), purpose=dict(type="str", required=True, choices=["movement", "cleanup"]),
        generation=dict(type="str", default=""), snapshot_path=dict(type="path"),
        snapshot_required=dict(type="bool", default=False),
        other_databases=dict(type="dict", default={}, no_log=True),
        confirm_database=dict(type="str", default=""), force=dict(type="bool", default=False),
        state=dict(type="str", choices=["checked", "cleaning", "verified"], default="checked"),
        variable_names=dict(type="dict", default={}),
    ))
    params, names = module.params, dict(fo_target.DEFAULT_NAMES, **module.params["variable_names"])
    refuse_early(module, names)
    if params["state"] != "checked":
        fo_module.guard(module)
    fo_module.require_pyodbc(module)
    db = open_or_explain(module, names)
    observed = {}
    try:
        observed = fo_target.observe(db)
        decision = fo_target.decide(observed, request_of(params, names))
        if decision == "clean" and params["snapshot_required"] and not os.path.exists(params["snapshot_path"] or ""):
            missing_snapshot(module, params, names)
        marker = observed["marker"]
        # "cleaning" is recorded only for a copy that needs its clean-up; "verified" after the verification.
        write = params["state"] == "verified" or (params["state"] == "cleaning" and decision == "clean")
        if write and not module.check_mode:
            marker = fo_target.write_marker(db, params["environment_id"], params["generation"], params["state"])
    except Exception as exc:
        fo_module.fail(module, db, exc, database=observed, marker=observed.get("marker", {}))
    db.close()
    module.exit_json(changed=marker is not observed["marker"], decision=decision, database=observed, marker=marker,
                     executed_statements=db.log)


if __name__ == "__main__":
    main()
