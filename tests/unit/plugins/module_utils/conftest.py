"""Fixtures of the module_utils unit tests: the scripted HTTP(S) server of http_support.py on loopback."""

from __future__ import annotations

import pytest
from http_support import ScriptedServer


@pytest.fixture
def server():
    srv = ScriptedServer()
    yield srv
    srv.stop()


@pytest.fixture
def tls_server(tmp_path):
    srv = ScriptedServer(tls_dir=tmp_path)
    yield srv
    srv.stop()
