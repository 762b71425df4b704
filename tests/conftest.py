"""Shared fixtures: a private PostgreSQL server, the collection on sys.path, the emulator fixtures."""

from __future__ import annotations

import sys
from pathlib import Path

import pytest

from tests.support.collection import ensure_collection_tree
from tests.support.pgserver import PgServer

sys.path.insert(0, str(ensure_collection_tree()))

if (Path(__file__).parent / "support" / "fixtures_emulator.py").exists():
    pytest_plugins = ["tests.support.fixtures_emulator"]


@pytest.fixture(scope="session")
def pg_server():
    """One PostgreSQL server per test session (per xdist worker), removed afterwards.

    Its own temporary directory, not pytest's: pytest's is private to root, and the server runs as
    the postgres OS user when the tests run as root.
    """
    server = PgServer().start()
    yield server
    server.remove()
