# -*- coding: utf-8 -*-
# Copyright: (c) 2026, d365fo.dataalm contributors
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)

from __future__ import absolute_import, division, print_function

__metaclass__ = type


class ModuleDocFragment(object):
    DOCUMENTATION = r"""
options:
  connection_string:
    description:
      - A complete ODBC connection string, used as is (any driver, for example psqlODBC in tests).
      - Mutually exclusive with O(server) and O(access_token). Never logged.
      - Falls back to the environment variable E(FO_SQL_CONNECTION_STRING).
    type: str
  server:
    description:
      - SQL Server or Azure SQL host name, for example V(spartan-srv-eu-d365opsprod-1234.database.windows.net),
        optionally with C(,port). Used with O(database) when O(connection_string) is not given.
      - Falls back to E(FO_SQL_SERVER).
    type: str
  database:
    description:
      - Database name, for example V(db_d365opsprod_contoso_uat_ax_20260101_0102_abcd).
      - Falls back to E(FO_SQL_DATABASE).
    type: str
  login_user:
    description:
      - SQL login, for example the just-in-time account LCS shows for the sandbox.
      - Falls back to E(FO_SQL_USER).
    type: str
  login_password:
    description:
      - Password of O(login_user). Never logged.
      - Falls back to E(FO_SQL_PASSWORD).
    type: str
  driver:
    description:
      - ODBC driver name as registered with unixODBC (see C(odbcinst -q -d)).
      - Falls back to E(FO_SQL_DRIVER).
    type: str
    default: ODBC Driver 18 for SQL Server
  access_token:
    description:
      - Entra ID access token for the scope V(https://database.windows.net//.default), passed to the Microsoft
        ODBC driver as C(SQL_COPT_SS_ACCESS_TOKEN). Mutually exclusive with O(login_password). Never logged.
      - Falls back to E(FO_SQL_ACCESS_TOKEN).
    type: str
  encrypt:
    description:
      - Ask the driver to encrypt the connection (C(Encrypt=yes)). Azure SQL requires it.
    type: bool
    default: false
  trust_server_certificate:
    description:
      - Accept the server certificate without validation (C(TrustServerCertificate=yes)).
    type: bool
    default: false
  connect_timeout:
    description:
      - Seconds to wait for a connection.
    type: int
    default: 15
  query_timeout:
    description:
      - Seconds a single statement may run; V(0) means no limit.
    type: int
    default: 0
  environment_type:
    description:
      - Type of the environment that owns the database, as LCS reports it. Required by every module that changes
        data; V(Production) is refused unless O(allow_production=true); Tier-1-only steps need V(DevTestDev).
    type: str
    choices: [Production, Sandbox, DevTestDev]
  allow_production:
    description:
      - Allow changes to a database whose O(environment_type) is V(Production).
    type: bool
    default: false
notes:
  - A blank environment variable counts as unset (AWX injects the fields of a credential left blank that way).
  - Requires the Python package C(pyodbc), unixODBC and an ODBC driver (Microsoft ODBC Driver 18 for SQL Server for
    F&O databases) on the controller.
  - Transient errors (dropped connection, Azure SQL throttling and failover numbers, deadlock victim) are retried
    with exponential backoff; every change statement only selects rows not yet in the desired state, so a retry
    or a re-run never applies a change twice.
requirements:
  - pyodbc
"""
