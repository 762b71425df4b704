"""Shared fixtures: a private PostgreSQL server, the collection on sys.path, and the emulator.

- ``pg_server`` (session): one PostgreSQL server per test session (per xdist worker).
- ``emulator_server`` (session): the default world with PostgreSQL databases, started once.
- ``emulator`` (function): that server reset to the world's initial state (clock, operations, faults,
  counters, events, tokens, and every environment database recreated from its seeded template).
- ``emulator_http`` (function): the same server reset WITHOUT recreating databases, for tests that
  only speak HTTP (faster). Tests that read or write databases use ``emulator``.
- ``pp_emulator_server`` (session), ``pp_emulator`` / ``pp_emulator_db`` (function): the same for the
  Power Platform world (tests/worlds/powerplatform.yml); ``pp_emulator_db`` also recreates databases.
- ``start_emulator`` (function): factory for an extra emulator with another world file; stopped after
  the test. ``start_emulator(world_path, databases=True, speed=None) -> EmulatorClient``.

The processes and clients come from ``devtools`` (the tooling the demo, molecule and benchmarks share).
"""

from __future__ import annotations

import sys

import pytest

from devtools.collection import ensure_collection_tree
from devtools.emulator import DEFAULT_WORLD, PP_WORLD, EmulatorClient, EmulatorProcess
from devtools.pgserver import PgServer

sys.path.insert(0, str(ensure_collection_tree()))


@pytest.fixture(scope="session")
def pg_server():
    """Its own temporary directory, not pytest's: pytest's is private to root, and the server runs as
    the postgres OS user when the tests run as root."""
    server = PgServer().start()
    yield server
    server.remove()


@pytest.fixture(scope="session")
def emulator_server(pg_server):
    process = EmulatorProcess(DEFAULT_WORLD, pg_admin_dsn=pg_server.admin_dsn).start()
    yield process
    process.stop()


@pytest.fixture
def emulator(emulator_server) -> EmulatorClient:
    client = emulator_server.client()
    client.reset(databases=True)
    return client


@pytest.fixture
def emulator_http(emulator_server) -> EmulatorClient:
    client = emulator_server.client()
    client.reset(databases=False)
    return client


@pytest.fixture(scope="session")
def pp_emulator_server(pg_server):
    process = EmulatorProcess(PP_WORLD, pg_admin_dsn=pg_server.admin_dsn).start()
    yield process
    process.stop()


@pytest.fixture
def pp_emulator(pp_emulator_server) -> EmulatorClient:
    client = pp_emulator_server.client()
    client.reset(databases=False)
    return client


@pytest.fixture
def pp_emulator_db(pp_emulator_server) -> EmulatorClient:
    client = pp_emulator_server.client()
    client.reset(databases=True)
    return client


@pytest.fixture
def start_emulator(request):
    started: list[EmulatorProcess] = []

    def start(world, databases: bool = True, speed: float | None = None) -> EmulatorClient:
        admin_dsn = request.getfixturevalue("pg_server").admin_dsn if databases else None
        process = EmulatorProcess(world, pg_admin_dsn=admin_dsn, speed=speed).start()
        started.append(process)
        return process.client()

    yield start
    for process in started:
        process.stop()
