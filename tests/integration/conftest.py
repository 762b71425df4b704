"""Fixtures of the integration tests (helpers they share live in ``lcs_support``/``fo_support``/``pairs_support``)."""

from __future__ import annotations

import pytest

from devtools.emulator import DEFAULT_WORLD, EmulatorProcess
from tests.integration.fo_app_support import FoApp
from tests.integration.pairs_support import PAIRS_WORLD


@pytest.fixture(scope="session")
def lcs_emulator_process():
    """An HTTP-only emulator (no PostgreSQL): the lcs_* module tests are about the LCS API behaviour
    (starts, joins, waits, faults), not database contents, which the runbook and fo_* tests cover."""
    process = EmulatorProcess(DEFAULT_WORLD, pg_admin_dsn=None).start()
    yield process
    process.stop()


@pytest.fixture
def lcs_emu(lcs_emulator_process):
    client = lcs_emulator_process.client()
    client.reset(databases=False)
    return client


@pytest.fixture
def fo(emulator, pg_server):
    """The F&O application layer of contoso-uat with the test application registered (fo_app_support.FoApp)."""
    app = FoApp(emulator, pg_server)
    app.reset()
    app.register_app()
    emulator.set_speed(600)  # a 60 s data package execution takes 0.1 s
    return app


@pytest.fixture
def pairs_db(start_emulator):
    """The pairs world (tests/worlds/pairs.yml) with its PostgreSQL databases, its clock at 600x (pairs_support)."""
    return start_emulator(PAIRS_WORLD, databases=True, speed=600)
