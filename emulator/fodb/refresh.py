"""What LCS itself does to a refreshed sandbox database (fo-database.md section 3), and no more.

The collection's clean-up catalogue goes further on purpose (Scheduled batch jobs, Exchange mailer,
outgoing e-mail queue, integrations, Power BI, ...); leaving those untouched here is what makes the
emulated refresh realistic and the module tests meaningful.
"""

from __future__ import annotations

import psycopg

from . import identity
from .admin import database_dsn
from .seed import INITIAL_PARTITION

LCS_REFRESH_STATEMENTS = (
    # Prod -> sandbox: e-mail addresses blanked (by pattern, not by type, as Microsoft's script does).
    "UPDATE LOGISTICSELECTRONICADDRESS SET LOCATOR = '' WHERE LOCATOR LIKE '%@%'",
    # SMTP relay cleared (Microsoft leaves the batch mailer as it was).
    "UPDATE SYSEMAILPARAMETERS SET SMTPRELAYSERVERNAME = ''",
    "DELETE FROM PRINTMGMTSETTINGS",
    "DELETE FROM PRINTMGMTDOCINSTANCE",
    # All users except Admin disabled, Admin reset to the target's administrator: identity.after_copy.
    # Environment-specific tables, recreated by the AOS at start.
    "DELETE FROM SYSSERVERCONFIG",
    "DELETE FROM SYSSERVERSESSIONS",
    "DELETE FROM SYSCORPNETPRINTERS",
    "DELETE FROM SYSCLIENTSESSIONS",
    "DELETE FROM BATCHSERVERCONFIG",
    "DELETE FROM BATCHSERVERGROUP",
    # Batch jobs to Withhold: Microsoft's own statement holds Waiting, Executing, Ready, Cancelling;
    # Scheduled (9) is left as it was (fo-database.md 2.3 and 4).
    "UPDATE BATCHJOB SET STATUS = 0 WHERE STATUS IN (1, 2, 5, 7)",
    # Every user's partition reset to the 'initial' partition.
    f"UPDATE USERINFO SET PARTITION = {INITIAL_PARTITION} WHERE PARTITION <> {INITIAL_PARTITION}",
    # Microsoft-encrypted fields cleared (they cannot be decrypted in another environment).
    "UPDATE SYSEMAILSMTPPASSWORD SET PASSWORD = NULL WHERE PASSWORD IS NOT NULL",
    "UPDATE RETAILHARDWAREPROFILE SET SECUREMERCHANTPROPERTIES = NULL WHERE SECUREMERCHANTPROPERTIES IS NOT NULL",
    "UPDATE RETAILCONNDATABASEPROFILE SET CONNECTIONSTRING = NULL WHERE CONNECTIONSTRING IS NOT NULL",
    # Maintenance mode off.
    "UPDATE SQLSYSTEMVARIABLES SET VALUE = '0' WHERE PARM = 'CONFIGURATIONMODE'",
    # Dual-write configuration removed.
    "DELETE FROM DUALWRITEPROJECTFIELDCONFIGURATION",
    "DELETE FROM DUALWRITEPROJECTCONFIGURATION",
    # Business-event / data-event endpoints removed.
    "DELETE FROM BUSINESSEVENTSENDPOINT",
    # Not modelled: blob files are not copied (no blobs here), entity change tracking (no such tables).
)


def apply_lcs_refresh(admin_dsn: str, dbname: str, administrator: str = "", keep_dbmovementapi: bool = False) -> dict:
    """Apply the LCS post-copy steps in one transaction; returns affected rows per statement."""
    affected = {}
    with psycopg.connect(database_dsn(admin_dsn, dbname)) as conn, conn.cursor() as cur:
        for statement in LCS_REFRESH_STATEMENTS:
            cur.execute(statement)
            affected[statement] = cur.rowcount
        affected.update(identity.after_copy(cur, administrator, keep_dbmovementapi))
    return affected
