"""The just-in-time SQL answer read tolerantly (its shape is known only from community tools: INFERRED)."""

from __future__ import annotations

import datetime

import pytest
from ansible_collections.d365fo.dataalm.plugins.module_utils._dataverse import sql_jit
from ansible_collections.d365fo.dataalm.plugins.module_utils._movement.errors import InputError, MovementError
from ansible_collections.d365fo.dataalm.plugins.module_utils._redact import odbc_secrets, redact

ANSWER = {"@odata.context": "https://x/api/data/v9.2/$metadata#x", "servername": "srv.database.windows.net",
          "databasename": "db_uat", "sqljitusername": "jit_user", "sqljitpassword": "p;w{d}=1",
          "sqljitexpiration": "2026-03-02T16:00:12.1234567Z", "sqljitrole": "Writer", "ipaddress": "203.0.113.7",
          "databasetype": "SqlServer", "operationhistoryid": "abc", "somethingnew": 1}


def test_the_documented_answer_of_the_tools():
    found = sql_jit.credentials(ANSWER)
    assert found["server"] == "srv.database.windows.net" and found["user"] == "jit_user"
    assert found["expires_at"] == datetime.datetime(2026, 3, 2, 16, 0, 12, 123456, tzinfo=datetime.UTC)
    assert found["access"] == "Writer" and found["database_type"] == "SqlServer"


@pytest.mark.parametrize("shape", [
    {k.upper(): v for k, v in ANSWER.items()},  # field names in another case
    {"value": ANSWER},  # wrapped
    {k: v for k, v in ANSWER.items() if k not in ("sqljitexpiration", "ipaddress", "databasetype")},  # fewer
])
def test_other_shapes_are_read(shape):
    assert sql_jit.credentials(shape)["database"] == "db_uat"


@pytest.mark.parametrize(("value", "expected"), [
    ("/Date(1772467212000)/", datetime.datetime(2026, 3, 2, 16, 0, 12, tzinfo=datetime.UTC)),
    ("2026-03-02T17:00:12+01:00", datetime.datetime(2026, 3, 2, 16, 0, 12, tzinfo=datetime.UTC)),
    ("", None), (None, None), ("soon", None),
])
def test_expiry_formats(value, expected):
    assert sql_jit.parse_expiry(value) == expected


def test_an_answer_without_credentials_says_what_is_missing():
    with pytest.raises(MovementError, match="no sqljitpassword"):
        sql_jit.credentials({k: v for k, v in ANSWER.items() if k != "sqljitpassword"})


def test_connection_strings_carry_the_password_where_the_redaction_finds_it():
    found = sql_jit.credentials(ANSWER)
    sql_server = sql_jit.connection_string(found)
    assert sql_server.startswith("DRIVER={ODBC Driver 18 for SQL Server};SERVER=srv.database.windows.net;")
    assert "Encrypt=yes" in sql_server and odbc_secrets(sql_server) == ["p;w{d}=1"]
    assert "p;w" not in redact(sql_server)
    postgres = sql_jit.connection_string(dict(found, server="tcp:127.0.0.1,5433"), "PostgreSQL Unicode")
    assert "Server=127.0.0.1;Port=5433;Database=db_uat;" in postgres and odbc_secrets(postgres) == ["p;w{d}=1"]


def test_the_request_sends_the_client_ip_only_when_given():
    assert sql_jit.request_body("Reader", "why", None) == {"sqljitrole": "Reader", "sqljitreason": "why"}
    assert sql_jit.request_body("Writer", "why", "::1")["sqljitclientipaddress"] == "::1"


@pytest.mark.parametrize("value", ["my laptop", "10.0.0.0/8", "300.1.1.1"])
def test_a_client_ip_must_be_one_address(value):
    with pytest.raises(InputError, match="client_ip"):
        sql_jit.check_client_ip(value)
    assert sql_jit.check_client_ip(" 203.0.113.7 ") == "203.0.113.7" and sql_jit.check_client_ip("") is None
