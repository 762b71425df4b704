"""Helpers for the F&O application-layer module tests: the emulator's /fo endpoint, an application registered
in the environment, playbooks with the fo_app module_defaults, and the emulator's fo counters."""

from __future__ import annotations

import json
from pathlib import Path

import psycopg
import yaml

from devtools.ansible_runner import run_playbook
from emulator import fodb

ENV = "contoso-uat"
APP_ID = "6c9f3a4b-8d52-4eaf-c3b7-2a1f4e5d6c7b"  # lcs-confidential in the default world (has a secret)
APP_SECRET = "emu-app-secret"
TENANT = "8f2c1a7e-0d4b-4c2e-9a51-3e6b7c8d9e0f"


class FoApp:
    """The emulator seen from the F&O application layer of one environment."""

    def __init__(self, emu, pg_server, env=ENV):
        self.emu = emu
        self.pg_server = pg_server
        self.env = env
        self.url = f"{emu.base_url}/fo/{env}"
        self.database = emu.env(env)["database"]

    def defaults(self, **extra):
        return dict({"environment_url": self.url, "client_id": APP_ID, "client_secret": APP_SECRET,
                     "tenant_id": TENANT, "authority_url": self.emu.base_url, "ca_path": self.emu.ca_file}, **extra)

    def sql(self, statement, params=None):
        with psycopg.connect(fodb.database_dsn(self.pg_server.admin_dsn, self.database)) as conn:
            cursor = conn.execute(statement, params)
            return cursor.fetchall() if cursor.description else None

    def register_app(self, user="Admin", client_id=APP_ID):
        self.sql("INSERT INTO SYSAADCLIENTTABLE (RECID, AADCLIENTID, USERID, NAME) VALUES "
                 "((SELECT MAX(RECID) + 1 FROM SYSAADCLIENTTABLE), %s, %s, 'dataalm tests')", (client_id, user))

    def settings(self, **values):
        return self.emu._admin("POST", "/fo/settings", json=values)

    def counters(self):
        return self.emu._admin("GET", "/fo/counters")

    def reset(self):
        return self.emu._admin("POST", "/fo/reset", json={})


def play(tmp_path, tasks, defaults, check=False, diff=False, verbosity=0, name="playbook.yml", extra_vars=None,
         env=None):
    """Run ``tasks`` with the fo_app defaults; returns (process, results by register name)."""
    tmp_path = Path(tmp_path)
    out = tmp_path / (name + ".results.json")
    registered = []
    for task in tasks:
        if "register" in task:
            registered.append(task["register"])
            task.setdefault("ignore_errors", True)
    dump = "{{ {%s} | to_json }}" % ", ".join("'%s': %s | default(None)" % (r, r) for r in registered)
    tasks = [*tasks, {"name": "Dump results", "no_log": True, "check_mode": False,
                      "ansible.builtin.copy": {"content": dump, "dest": str(out), "mode": "0600"}}]
    playbook = tmp_path / name
    playbook.write_text(yaml.safe_dump([{
        "name": "F&O application layer test", "hosts": "localhost", "connection": "local", "gather_facts": False,
        "module_defaults": {"group/d365fo.dataalm.fo_app": defaults}, "tasks": tasks}], sort_keys=False))
    process = run_playbook(playbook, check=check, diff=diff, verbosity=verbosity, extra_vars=extra_vars, env=env)
    results = json.loads(out.read_text()) if out.exists() else {}
    return process, results
