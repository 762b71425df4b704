"""Run the real ``ansible-playbook`` from the project's virtualenv against the live collection tree."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import yaml

from devtools.collection import REPO_ROOT, ensure_collection_tree

VENV_BIN = Path(sys.executable).parent


def ansible_env(extra: dict | None = None) -> dict:
    """Environment for ansible-playbook / molecule: the collection tree, no colour, venv first on PATH."""
    env = dict(os.environ)
    env.update(
        ANSIBLE_COLLECTIONS_PATH=str(ensure_collection_tree()),
        ANSIBLE_NOCOLOR="1",
        ANSIBLE_FORCE_COLOR="0",
        ANSIBLE_RETRY_FILES_ENABLED="0",
        ANSIBLE_LOCALHOST_WARNING="0",
        ANSIBLE_INVENTORY_UNPARSED_WARNING="0",
        ANSIBLE_PYTHON_INTERPRETER=sys.executable,
        PATH=f"{VENV_BIN}{os.pathsep}{env.get('PATH', '')}",
        PYTHONPATH=str(REPO_ROOT),
    )
    env.update(extra or {})
    return env


def run_playbook(
    playbook: str | os.PathLike,
    extra_vars: dict | None = None,
    check: bool = False,
    diff: bool = False,
    verbosity: int = 0,
    env: dict | None = None,
    timeout: float = 900,
    inventory: str | os.PathLike | None = None,
    args: list[str] | None = None,
) -> subprocess.CompletedProcess:
    """Run a playbook and return the finished process (stdout and stderr as text)."""
    argv = [str(VENV_BIN / "ansible-playbook"), str(playbook)]
    argv += ["-i", str(inventory)] if inventory else ["-i", "localhost,", "-c", "local"]
    if extra_vars:
        argv += ["-e", json.dumps(extra_vars)]
    if check:
        argv.append("--check")
    if diff:
        argv.append("--diff")
    if verbosity:
        argv.append("-" + "v" * verbosity)
    argv += args or []
    return subprocess.run(
        argv, env=ansible_env(env), capture_output=True, text=True, timeout=timeout, check=False,
        cwd=str(Path(playbook).parent),
    )


def write_playbook(
    directory: str | os.PathLike, tasks: list, vars: dict | None = None, name: str = "playbook.yml"
) -> Path:
    """Write a localhost playbook around ``tasks`` and return its path."""
    play = {
        "name": "Test play",
        "hosts": "localhost",
        "connection": "local",
        "gather_facts": False,
        "vars": vars or {},
        "tasks": tasks,
    }
    path = Path(directory) / name
    path.write_text(yaml.safe_dump([play], sort_keys=False))
    return path
