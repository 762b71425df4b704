#!/usr/bin/python
# -*- coding: utf-8 -*-
# Copyright: (c) 2026, d365fo.dataalm contributors
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)

from __future__ import absolute_import, division, print_function

__metaclass__ = type

DOCUMENTATION = r"""
---
module: dataverse_sql_jit_access
short_description: Just-in-time SQL credentials for the F&O database of a unified environment
version_added: 1.1.0
description:
  - Calls the Dataverse action C(msprov_getfinopssqljitaccessasync) of a finance and operations environment managed
    in the Power Platform admin center (unified), which issues a SQL login on the environment's own database with
    C(Reader) or C(Writer) rights for a limited time, allowed from one client IP address.
  - The password is never shown. It is returned only inside RV(connection_string), an ODBC connection string for
    the O(d365fo.dataalm.fo_sql#module:connection_string) option of the SQL modules, and the action plugin hides
    the whole result of a successful run from the output (as C(no_log) does), printing one line without the
    secret instead. Keep the registered result out of C(debug) and out of files.
  - A movement of the environment (restore, copy) drops the login, so request fresh credentials after it.
  - Every run asks the service for a new login (the service has no call to look up an earlier one); nothing is
    written to disk. Obtaining access changes nothing in the environment's data or configuration, so the module
    reports C(changed=false).
  - The action and its answer are documented only by community tools (d365bap.tools, d365fo.tools); the answer is
    read tolerantly (field names in any case, the expiry in several formats or missing).
author:
  - d365fo.dataalm contributors (@d365fo-dataalm)
extends_documentation_fragment:
  - d365fo.dataalm.powerplatform
  - d365fo.dataalm.dataverse
attributes:
  check_mode:
    support: partial
    description: Checks the inputs only.
    details: Issuing a login is a call that creates one, so check mode makes no call and returns RV(requested=false)
      without credentials; SQL tasks that follow in check mode have no connection.
  diff_mode:
    support: none
    description: Nothing to diff.
options:
  access:
    description:
      - C(Reader) reads every table; C(Writer) may also change rows (the post-movement clean-up needs it).
    type: str
    choices: [Reader, Writer]
    default: Reader
  reason:
    description: Why access is needed; the service records it with the request.
    type: str
    default: Database movement clean-up (d365fo.dataalm)
  client_ip:
    description:
      - The public IP address the SQL connection will come from, which the service allows. Without it the service
        decides which address to allow (the request's own, as far as is known).
    type: str
  driver:
    description:
      - The ODBC driver RV(connection_string) names. With a PostgreSQL driver the string takes psqlODBC's form
        (C(Server), C(Port)), as the collection's emulator needs.
    type: str
    default: ODBC Driver 18 for SQL Server
seealso:
  - module: d365fo.dataalm.fo_sql
  - module: d365fo.dataalm.pp_environment_info
"""

EXAMPLES = r"""
- name: Just-in-time SQL access for the clean-up after the restore
  d365fo.dataalm.dataverse_sql_jit_access:
    organization_url: https://fabrikam-uat.crm4.dynamics.com
    access: Writer
    reason: Clean-up after the point-in-time restore
    client_ip: 203.0.113.7
  register: sql_jit

- name: Use it for the SQL modules (the string is a secret option there)
  d365fo.dataalm.fo_database_cleanup:
    connection_string: "{{ sql_jit.connection_string }}"
    environment_type: Sandbox
    profile: standard
"""

RETURN = r"""
requested:
  description: Whether credentials were issued (false in check mode).
  returned: always
  type: bool
connection_string:
  description: ODBC connection string with the login and its password, for the SQL modules' C(connection_string).
    The only place the password is returned; the run's output never shows it.
  returned: when requested
  type: str
server:
  description: The SQL server name the service gave (C(servername)).
  returned: when requested
  type: str
database:
  description: The database name (C(databasename)).
  returned: when requested
  type: str
user:
  description: The login's name (C(sqljitusername)).
  returned: when requested
  type: str
access:
  description: The rights the service granted (C(sqljitrole)).
  returned: when requested
  type: str
expires_at:
  description: When the login expires, ISO 8601 UTC; null when the service did not say.
  returned: when requested
  type: str
client_ip:
  description: The client IP address the service allowed (C(ipaddress)).
  returned: when requested
  type: str
database_type:
  description: The database type the service named (C(databasetype)).
  returned: when requested
  type: str
operation_history_id:
  description: The service's record of the request (C(operationhistoryid)).
  returned: when requested
  type: str
api_calls:
  description: HTTP calls made (including retries).
  returned: when the service was called
  type: int
http_status:
  description: HTTP status of the call that failed.
  returned: on failure of a call
  type: int
error_code:
  description: The service's error code of the call that failed.
  returned: on failure of a call, when the service gave one
  type: str
request_id:
  description: Request id of the call that failed, for a support case.
  returned: on failure of a call
  type: str
"""

from ansible_collections.d365fo.dataalm.plugins.module_utils._dataverse.module import DataverseModule
from ansible_collections.d365fo.dataalm.plugins.module_utils._dataverse.sql_jit import ACCESS, check_client_ip, obtain


def main():
    dm = DataverseModule(dict(
        access=dict(type="str", choices=list(ACCESS), default="Reader"),
        reason=dict(type="str", default="Database movement clean-up (d365fo.dataalm)"),
        client_ip=dict(type="str"),
        driver=dict(type="str", default="ODBC Driver 18 for SQL Server"),
    ))
    dm.checked(check_client_ip, dm.params["client_ip"])
    if dm.check_mode:
        dm.module.exit_json(changed=False, requested=False)
    dm.run(lambda: obtain(dm.web_api, dm.params))


if __name__ == "__main__":
    main()
