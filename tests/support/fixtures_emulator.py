"""pytest fixtures for the emulator (auto-loaded by tests/conftest.py).

- ``emulator_server`` (session): the default world with PostgreSQL databases, started once.
- ``emulator`` (function): that server reset to the world's initial state (clock, operations, faults,
  counters, tokens, and every environment database recreated from its seeded template).
- ``emulator_http`` (function): the same server reset WITHOUT recreating databases, for tests that
  only speak HTTP (faster). Tests that read or write databases use ``emulator``.
- ``start_emulator`` (function): factory for an extra emulator with another world file; stopped after
  the test. ``start_emulator(world_path, databases=True, speed=None) -> EmulatorClient``.
"""

from __future__ import annotations

import pytest

from tests.support.emulator import DEFAULT_WORLD, EmulatorClient, EmulatorProcess


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
