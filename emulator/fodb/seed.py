"""Deterministic, realistic seed data for an emulated F&O database (AxDB subset).

Every statement runs server-side; the bulk tables are filled with ``INSERT ... SELECT`` over
``generate_series`` so a million rows take seconds and nothing is streamed through Python.

Sizes (``scale`` multiplies the bulk tables; scale 1 is small enough for unit-speed tests):

=============================== ======================== ==========================================
table                           rows per scale unit      notes
=============================== ======================== ==========================================
LOGISTICSELECTRONICADDRESS      1 000 e-mail addresses   + half as many phone/URL/fax rows;
                                                         every 10th e-mail is stored with TYPE 0;
                                                         override with ``addresses`` (= e-mails)
BATCHJOB                        100 jobs (+ fixed set)   statuses cycle 0..9; 2 BATCH tasks each;
                                                         override with ``batch_jobs``
BATCHJOBHISTORY / BATCHHISTORY  200 / 400
SYSOUTGOINGEMAILTABLE           50                       statuses cycle 0..5
USERINFO                        5 customer users         + the fixed users listed below
DOCUVALUE                       20                       storage providers 0 and 1
DMFSTAGINGLOG (+ errors)        100
=============================== ======================== ==========================================

So ``scale=1000`` (or ``addresses=1_000_000``) gives 1 M e-mail addresses. The ``seed`` value
shifts the pseudo-random choices (which users are enabled, statuses of bulk rows) without changing
the fixed rows tests rely on.
"""

from __future__ import annotations

INITIAL_PARTITION = 5637144576
# A partition RECID that does not exist: LCS resets such users to the initial partition.
FOREIGN_PARTITION = 5637144577
# First RECID for generated bulk rows; fixed rows use RECIDs below it.
BULK_RECID_BASE = 5637200000
FIXED_RECID_BASE = 5637145000

FOREIGN_BATCH_SERVER = "Batch:PRODAOS01"
PRODUCTION_SMTP_RELAY = "smtp.office365.com"
DATAVERSE_PRODUCTION_URL = "https://prod.crm.dynamics.com"

# id, name, enabled, network alias, partition, external user
FIXED_USERS = [
    ("Admin", "Administrator", 1, "admin@contoso.example", INITIAL_PARTITION, 0),
    ("Guest", "Guest", 0, "", INITIAL_PARTITION, 0),
    ("FRServiceUser", "Financial reporting service", 1, "FRServiceUser@dynamics.com", INITIAL_PARTITION, 0),
    ("RetailServiceAccount", "Retail service account", 1, "RetailServiceAccount@dynamics.com", INITIAL_PARTITION, 0),
    ("axrunner", "AX runner", 1, "axrunner@DAXMDSRunner.com", INITIAL_PARTITION, 0),
    ("alice", "Alice Accountant", 1, "alice@contoso.example", INITIAL_PARTITION, 0),
    ("bob", "Bob Buyer", 1, "bob@contoso.example", INITIAL_PARTITION, 0),
    ("carol", "Carol Controller", 0, "carol@contoso.example", INITIAL_PARTITION, 0),
    ("dave", "Dave Developer", 1, "dave@contoso.example", FOREIGN_PARTITION, 0),
    ("erin", "Erin Engineer", 1, "erin@contoso.example", INITIAL_PARTITION, 0),
    ("tester1", "Sandbox tester", 0, "tester1@contoso.example", INITIAL_PARTITION, 0),
    ("partner1", "Partner consultant", 1, "consultant@fabrikam.example", INITIAL_PARTITION, 1),
]

# BatchStatus 0..9 (fo-database.md 2.3): one recognisable job per status.
FIXED_BATCH_JOBS = [
    (0, "Nightly inventory close (held)", "usmf", 0),
    (1, "Email distributor batch", "dat", 0),
    (2, "Process automation polling", "dat", 0),
    (3, "Vendor invoice posting", "usmf", 0),
    (4, "Customer aging snapshot", "usmf", 0),
    (5, "Alert processing", "dat", 0),
    (6, "Cost calculation (did not run)", "demf", 0),
    (7, "Master planning (cancelling)", "usmf", 0),
    (8, "Bank statement import (canceled)", "gbsi", 0),
    (9, "Priority-scheduled settlement", "usmf", 0),
    (1, "Recurring integration: Customers import", "usmf", 1),
    (1, "Recurring integration: Customers import monitor", "usmf", 1),
    (9, "Recurring integration: Sales orders export", "usmf", 1),
]


FEATURES = ("commerce", "financial_reporting", "azure_attachments", "office_templates")


def _fixed_recid(table_offset: int, index: int) -> int:
    return FIXED_RECID_BASE + table_offset * 1000 + index


def seed_statements(scale: int = 1, seed: int = 0, environment_name: str = "",
                    production_like: bool = True, addresses: int | None = None,
                    batch_jobs: int | None = None, features=None) -> list[tuple[str, dict]]:
    """Return (sql, params) pairs that fill an empty database created from schema.sql.

    ``features`` (default all of FEATURES) chooses what the environment uses, for the follow-up
    worlds: ``commerce`` (channels, hardware profiles, channel database), ``financial_reporting``
    (an enabled FRServiceUser), ``azure_attachments`` (DOCUVALUE rows in Azure Blob storage, the
    rest in the database) and ``office_templates`` (DOCUTEMPLATE rows).
    """
    features = set(FEATURES if features is None else features)
    unknown = features - set(FEATURES)
    if unknown:
        raise ValueError("unknown features %s; choose from %s" % (sorted(unknown), ", ".join(FEATURES)))
    if scale < 0:
        raise ValueError("scale must be >= 0")
    env = environment_name or "contoso-prod"
    own_server = "Batch:" + "".join(ch for ch in env.upper() if ch.isalnum())[:20] + "AOS01"
    params = {
        "p": INITIAL_PARTITION,
        "seed": int(seed),
        "base": BULK_RECID_BASE,
        "emails": int(addresses if addresses is not None else 1000 * scale),
        "jobs": int(batch_jobs if batch_jobs is not None else 100 * scale),
        "history": 200 * scale,
        "outgoing": 50 * scale,
        "bulk_users": 5 * scale,
        "documents": 20 * scale,
        "staging": 100 * scale,
        "env": env,
        "own_server": own_server,
        "foreign_server": FOREIGN_BATCH_SERVER,
        "relay": PRODUCTION_SMTP_RELAY if production_like else f"smtp-{env}.contoso.example",
        "mailer": "Exchange" if production_like else "SMTP",
        "dataverse": DATAVERSE_PRODUCTION_URL if production_like else f"https://{env}.crm.dynamics.com",
        "azure": 1 if "azure_attachments" in features else 0,
    }
    out: list[tuple[str, dict]] = []

    def add(sql: str, extra: dict | None = None) -> None:
        out.append((sql, dict(params, **(extra or {}))))

    add("INSERT INTO PARTITIONS (RECID, PARTITIONKEY, NAME) VALUES (%(p)s, 'initial', 'Initial partition')")

    # -- users and roles ---------------------------------------------------------------------
    for i, (uid, name, enable, alias, partition, external) in enumerate(FIXED_USERS):
        add(
            "INSERT INTO USERINFO (RECID, ID, NAME, ENABLE, NETWORKDOMAIN, NETWORKALIAS, SID, IDENTITYPROVIDER,"
            " OBJECTID, EXTERNALUSER, PARTITION) VALUES (%(r)s, %(id)s, %(name)s, %(en)s,"
            " 'https://sts.windows.net/', %(alias)s, %(sid)s, 'https://sts.windows.net/', %(oid)s, %(ext)s, %(part)s)",
            {"r": _fixed_recid(0, i), "id": uid, "name": name,
             "en": 0 if uid == "FRServiceUser" and "financial_reporting" not in features else enable, "alias": alias,
             "sid": f"S-1-19-{1000 + i}", "oid": f"00000000-0000-4000-8000-{i:012d}", "ext": external,
             "part": partition},
        )
    add(
        "INSERT INTO USERINFO (RECID, ID, NAME, ENABLE, NETWORKDOMAIN, NETWORKALIAS, SID, IDENTITYPROVIDER, PARTITION)"
        " SELECT %(base)s + i, 'user' || lpad(i::text, 5, '0'), 'Customer user ' || i,"
        " CASE WHEN (i + %(seed)s) %% 3 = 0 THEN 0 ELSE 1 END, 'https://sts.windows.net/',"
        " 'user' || lpad(i::text, 5, '0') || '@contoso.example', 'S-1-19-' || (100000 + i),"
        " 'https://sts.windows.net/', %(p)s FROM generate_series(1, %(bulk_users)s) AS i"
    )
    add("INSERT INTO SECURITYROLE (RECID, AOTNAME, NAME) VALUES (%(r1)s, '-SYSADMIN-', 'System administrator'),"
        " (%(r2)s, 'SYSTEMUSER', 'System user')", {"r1": _fixed_recid(1, 0), "r2": _fixed_recid(1, 1)})
    add("INSERT INTO SECURITYUSERROLE (RECID, USER_, SECURITYROLE)"
        " SELECT %(base)s + row_number() OVER (ORDER BY RECID), ID, %(role)s FROM USERINFO",
        {"role": _fixed_recid(1, 1)})
    add("INSERT INTO SECURITYUSERROLE (RECID, USER_, SECURITYROLE) VALUES (%(r)s, 'Admin', %(role)s)",
        {"r": _fixed_recid(2, 0), "role": _fixed_recid(1, 0)})
    add("INSERT INTO SYSAADCLIENTTABLE (RECID, AADCLIENTID, USERID, NAME) VALUES"
        " (%(r1)s, '0cdb527f-a8d1-4bf8-9436-b352c68682b2', 'RetailServiceAccount', 'Retail Server'),"
        " (%(r2)s, '9b1c4a2d-1111-4c1d-8e2f-0a1b2c3d4e5f', 'Admin', 'Contoso integration app')",
        {"r1": _fixed_recid(3, 0), "r2": _fixed_recid(3, 1)})

    # -- batch framework -----------------------------------------------------------------------
    add("INSERT INTO BATCHGROUP (RECID, GROUP_, DESCRIPTION) VALUES (%(r1)s, '', 'Empty batch group'),"
        " (%(r2)s, 'INTEG', 'Integrations'), (%(r3)s, 'FIN', 'Finance')",
        {"r1": _fixed_recid(4, 0), "r2": _fixed_recid(4, 1), "r3": _fixed_recid(4, 2)})
    for i, (status, caption, company, runtime) in enumerate(FIXED_BATCH_JOBS):
        job = _fixed_recid(5, i)
        add("INSERT INTO BATCHJOB (RECID, CAPTION, STATUS, COMPANY, RUNTIMEJOB, BATCHGROUP, CREATEDBY,"
            " ORIGSTARTDATETIME, STARTDATETIME) VALUES (%(r)s, %(c)s, %(s)s, %(co)s, %(rt)s, %(g)s, 'Admin',"
            " TIMESTAMP '2026-01-01 02:00:00', TIMESTAMP '2026-01-01 02:00:00')",
            {"r": job, "c": caption, "s": status, "co": company, "rt": runtime, "g": "INTEG" if runtime else "FIN"})
        for t in range(2):
            add("INSERT INTO BATCH (RECID, BATCHJOBID, CAPTION, CLASSNUMBER, COMPANY, GROUPID, STATUS, SERVERID)"
                " VALUES (%(r)s, %(job)s, %(c)s, %(cls)s, %(co)s, %(g)s, %(s)s, %(srv)s)",
                {"r": _fixed_recid(6, i * 2 + t), "job": job, "c": f"{caption} task {t + 1}",
                 "cls": 1000 + i, "co": company, "g": "INTEG" if runtime else "FIN", "s": status,
                 "srv": FOREIGN_BATCH_SERVER if status == 2 else ""})
    # An orphan task whose job no longer exists (hygiene removes it).
    add("INSERT INTO BATCH (RECID, BATCHJOBID, CAPTION, CLASSNUMBER, COMPANY, STATUS)"
        " VALUES (%(r)s, 1, 'Orphaned task', 999, 'dat', 4)", {"r": _fixed_recid(6, 999)})
    add("INSERT INTO BATCHJOB (RECID, CAPTION, STATUS, COMPANY, BATCHGROUP, CREATEDBY)"
        " SELECT %(base)s + i, 'Generated job ' || i, (i + %(seed)s) %% 10,"
        " (ARRAY['usmf', 'demf', 'gbsi', 'dat'])[1 + i %% 4], 'FIN', 'alice'"
        " FROM generate_series(1, %(jobs)s) AS i")
    add("INSERT INTO BATCH (RECID, BATCHJOBID, CAPTION, CLASSNUMBER, COMPANY, GROUPID, STATUS)"
        " SELECT %(base)s + i * 2 + t, %(base)s + i, 'Generated task ' || i || '.' || t, 2000 + i %% 50,"
        " (ARRAY['usmf', 'demf', 'gbsi', 'dat'])[1 + i %% 4], 'FIN', (i + %(seed)s) %% 10"
        " FROM generate_series(1, %(jobs)s) AS i CROSS JOIN generate_series(0, 1) AS t")
    add("INSERT INTO BATCHCONSTRAINTS (RECID, BATCHID, DEPENDSONBATCHID) VALUES (%(r)s, %(a)s, %(b)s)",
        {"r": _fixed_recid(7, 0), "a": _fixed_recid(6, 1), "b": _fixed_recid(6, 0)})
    add("INSERT INTO BATCHJOBHISTORY (RECID, BATCHJOBID, CAPTION, STATUS, STARTDATETIME, ENDDATETIME)"
        " SELECT %(base)s + i, %(base)s + 1 + i %% greatest(%(jobs)s, 1), 'History ' || i, 3 + (i %% 2),"
        " TIMESTAMP '2026-01-01' + i * INTERVAL '1 minute', TIMESTAMP '2026-01-01' + i * INTERVAL '2 minute'"
        " FROM generate_series(1, %(history)s) AS i")
    add("INSERT INTO BATCHHISTORY (RECID, BATCHJOBHISTORYID, BATCHID, CAPTION, STATUS, SERVERID)"
        " SELECT %(base)s + i * 2 + t, %(base)s + i, 0, 'History task ' || i, 4, %(foreign_server)s"
        " FROM generate_series(1, %(history)s) AS i CROSS JOIN generate_series(0, 1) AS t")
    add("INSERT INTO BATCHCONSTRAINTSHISTORY (RECID, BATCHID, DEPENDSONBATCHID)"
        " SELECT %(base)s + i, %(base)s + i * 2, %(base)s + i * 2 + 1 FROM generate_series(1, %(history)s / 10) AS i")

    # -- environment-specific system tables (one own AOS, one that belongs to production) ------
    for k, server in enumerate(("own_server", "foreign_server")):
        add(f"INSERT INTO SYSSERVERCONFIG (RECID, SERVERID, ENABLEBATCH, SERVERGUID) VALUES"
            f" (%(r)s, %({server})s, 1, %(g)s)",
            {"r": _fixed_recid(8, k), "g": f"{{0000000{k}-aaaa-4bbb-8ccc-000000000000}}"})
        add(f"INSERT INTO BATCHSERVERCONFIG (RECID, SERVERID) VALUES (%(r)s, %({server})s)", {"r": _fixed_recid(9, k)})
        add(f"INSERT INTO BATCHSERVERGROUP (RECID, GROUPID, SERVERID, CREATEDBY) VALUES"
            f" (%(r1)s, '', %({server})s, 'Admin'), (%(r2)s, 'INTEG', %({server})s, 'Admin')",
            {"r1": _fixed_recid(10, k * 2), "r2": _fixed_recid(10, k * 2 + 1)})
        add("INSERT INTO SYSSERVERSESSIONS (RECID, SERVERID, AOSID, INSTANCE_NAME, STATUS) VALUES"
            " (%(r)s, %(n)s, %(aos)s, 'AOS', 1)", {"r": _fixed_recid(11, k), "n": k + 1, "aos": f"0{k + 1}@AOS"})
    add("INSERT INTO SYSCLIENTSESSIONS (RECID, SESSIONID, SERVERID, USERID, STATUS, CLIENTCOMPUTER)"
        " SELECT %(base)s + i, i, 1 + i %% 2, 'alice', 1, 'PRODWEB0' || (i %% 3) FROM generate_series(1, 8) AS i")
    add("INSERT INTO SYSCORPNETPRINTERS (RECID, PRINTERNAME, PRINTERPATH, PRINTERID) VALUES"
        " (%(r)s, 'PROD-FLOOR2-HP', '\\\\prodprint01\\floor2', '{11111111-2222-4333-8444-555555555555}')",
        {"r": _fixed_recid(12, 0)})
    add("INSERT INTO SYSBROADCASTMESSAGE (RECID, FROMDATETIME, TODATETIME, AOSID, MESSAGE) VALUES"
        " (%(r)s, TIMESTAMP '2026-01-01', TIMESTAMP '2026-01-02', '01@AOS', 'Production maintenance tonight')",
        {"r": _fixed_recid(12, 1)})

    # -- e-mail -------------------------------------------------------------------------------
    add("INSERT INTO SYSEMAILPARAMETERS (RECID, KEY_, SMTPRELAYSERVERNAME, SMTPPORTNUMBER, SMTPUSERNAME,"
        " SMTPREQUIRESSL, MAILERNONINTERACTIVE, NUMDAYSTORETAINHISTORY) VALUES"
        " (%(r)s, 0, %(relay)s, 587, 'noreply@contoso.example', 1, %(mailer)s, 30)", {"r": _fixed_recid(13, 0)})
    add("INSERT INTO SYSEMAILSMTPPASSWORD (RECID, AOSID, INSTANCENAME, PASSWORD) VALUES"
        " (%(r)s, '01@AOS', 'AOS', decode('0102030405060708090a0b0c0d0e0f10', 'hex'))", {"r": _fixed_recid(13, 1)})
    add("INSERT INTO SYSOUTGOINGEMAILTABLE (RECID, EMAILITEMID, STATUS, RECIPIENT, SENDER, SUBJECT, MESSAGE, USERID)"
        " SELECT %(base)s + i, 1000 + i, (i + %(seed)s) %% 6, 'customer' || i || '@fabrikam.example',"
        " 'noreply@contoso.example', 'Invoice ' || i, 'Dear customer, please find invoice ' || i, 'alice'"
        " FROM generate_series(1, %(outgoing)s) AS i")

    # -- electronic addresses: e-mails (every 10th stored with TYPE 0), phones, URLs, fax -------
    add("INSERT INTO LOGISTICSELECTRONICADDRESS (RECID, LOCATOR, TYPE, DESCRIPTION, LOCATION, ISPRIMARY)"
        " SELECT %(base)s + i, 'customer' || i || '@' || (ARRAY['fabrikam.example', 'adatum.example',"
        " 'litware.example', 'gmail.example'])[1 + (i + %(seed)s) %% 4],"
        " CASE WHEN i %% 10 = 0 THEN 0 ELSE 2 END, 'Email', 5637150000 + i, CASE WHEN i %% 3 = 0 THEN 1 ELSE 0 END"
        " FROM generate_series(1, %(emails)s) AS i")
    add("INSERT INTO LOGISTICSELECTRONICADDRESS (RECID, LOCATOR, TYPE, DESCRIPTION, LOCATION)"
        " SELECT %(base)s + %(emails)s + i,"
        " CASE i %% 3 WHEN 0 THEN '+1 425 555 ' || lpad((i %% 10000)::text, 4, '0')"
        " WHEN 1 THEN 'https://www.customer' || i || '.example'"
        " ELSE '+1 425 556 ' || lpad((i %% 10000)::text, 4, '0') END,"
        " CASE i %% 3 WHEN 0 THEN 1 WHEN 1 THEN 3 ELSE 5 END,"
        " CASE i %% 3 WHEN 0 THEN 'Phone' WHEN 1 THEN 'Web site' ELSE 'Fax' END, 5637150000 + i"
        " FROM generate_series(1, (%(emails)s + 1) / 2) AS i")

    # -- print management ------------------------------------------------------------------------
    add("INSERT INTO PRINTMGMTDOCINSTANCE (RECID, DOCUMENTTYPE, NAME, PRINTTYPE, DATAAREAID)"
        " SELECT %(base)s + i, i, 'Document instance ' || i, 0, 'usmf' FROM generate_series(1, 5) AS i")
    add("INSERT INTO PRINTMGMTSETTINGS (RECID, PARENTID, DESCRIPTION, NUMBEROFCOPIES, PRINTJOBSETTINGS, DATAAREAID)"
        " SELECT %(base)s + i, %(base)s + 1 + i %% 5, 'Email invoice to customer ' || i, 1,"
        " convert_to('email:ar@contoso.example;printer:\\\\prodprint01\\floor2', 'UTF8'), 'usmf'"
        " FROM generate_series(1, 10) AS i")

    # -- documents ---------------------------------------------------------------------------------
    add("INSERT INTO DOCUVALUE (RECID, FILENAME, FILETYPE, NAME, FILEID, ACCESSINFORMATION, STORAGEPROVIDERID,"
        " MODIFIEDBY, MODIFIEDDATETIME)"
        " SELECT %(base)s + i, 'attachment' || i, 'pdf', 'Attachment ' || i,"
        " '{' || md5(i::text || %(seed)s::text) || '}',"
        " CASE WHEN i %% 4 = 0 OR %(azure)s = 0 THEN ''"
        " ELSE 'https://prodstorage.blob.core.windows.net/documents/' || i END,"
        " CASE WHEN i %% 4 = 0 OR %(azure)s = 0 THEN 0 ELSE 1 END, 'alice', TIMESTAMP '2026-01-01'"
        " FROM generate_series(1, %(documents)s) AS i")
    add("INSERT INTO DOCUREF (RECID, REFTABLEID, REFRECID, REFCOMPANYID, VALUERECID, NAME)"
        " SELECT %(base)s + i, 77, 5637150000 + i, 'usmf', %(base)s + i, 'Attachment ' || i"
        " FROM generate_series(1, %(documents)s) AS i")
    add("INSERT INTO DOCUDELETEDVALUE (RECID, ORIGINALRECID, FILENAME, ACCESSINFORMATION, STORAGEPROVIDERID)"
        " VALUES (%(r)s, 42, 'deleted.pdf', 'https://prodstorage.blob.core.windows.net/documents/42', %(azure)s)",
        {"r": _fixed_recid(14, 0)})
    if "office_templates" in features:
        add("INSERT INTO DOCUTEMPLATE (RECID, TEMPLATEID, LEGALENTITYID, FILENAME) VALUES"
            " (%(r)s, 'CustomerTemplate.xlsx', 'usmf', 'CustomerTemplate.xlsx')", {"r": _fixed_recid(14, 1)})

    # -- recurring integrations with their runtime batch jobs --------------------------------------
    import_job, monitor_job, export_job = (_fixed_recid(5, 10), _fixed_recid(5, 11), _fixed_recid(5, 12))
    add("INSERT INTO INTEGRATIONACTIVITYTABLE (RECID, NAME, DESCRIPTION, ACTIVITYID, STATE, DIRECTION,"
        " DEFINITIONGROUPNAME) VALUES"
        " (%(a1)s, 'Customers import', 'CRM customers', '{6D31E09F-0249-459F-94F0-AAD9C2C47B64}', 1, 0, 'CustImport'),"
        " (%(a2)s, 'Sales orders export', 'To the data lake',"
        " '{A7B8C9D0-1234-4E5F-8A9B-0C1D2E3F4A5B}', 1, 1, 'SOExport')",
        {"a1": _fixed_recid(15, 0), "a2": _fixed_recid(15, 1)})
    add("INSERT INTO INTEGRATIONACTIVITYRUNTIMETABLE (RECID, ACTIVITYTABLE, BATCHJOBID, MONITORINGJOBID) VALUES"
        " (%(r1)s, %(a1)s, %(j1)s, %(m1)s), (%(r2)s, %(a2)s, %(j2)s, 0)",
        {"r1": _fixed_recid(16, 0), "r2": _fixed_recid(16, 1), "a1": _fixed_recid(15, 0), "a2": _fixed_recid(15, 1),
         "j1": import_job, "m1": monitor_job, "j2": export_job})
    add("INSERT INTO INTEGRATIONCLIENTMAPTABLE (RECID, CLIENTID, ACTIVITYTABLE, ISENABLED) VALUES"
        " (%(r1)s, '9b1c4a2d-1111-4c1d-8e2f-0a1b2c3d4e5f', %(a1)s, 1),"
        " (%(r2)s, '9b1c4a2d-2222-4c1d-8e2f-0a1b2c3d4e5f', %(a2)s, 1)",
        {"r1": _fixed_recid(17, 0), "r2": _fixed_recid(17, 1), "a1": _fixed_recid(15, 0), "a2": _fixed_recid(15, 1)})

    # -- data management history and staging ---------------------------------------------------------
    add("INSERT INTO DMFDEFINITIONGROUPEXECUTION (RECID, DEFINITIONGROUP, EXECUTIONID)"
        " SELECT %(base)s + i, 'CustImport', 'CustImport-' || i FROM generate_series(1, 10) AS i")
    add("INSERT INTO DMFDEFINITIONGROUPEXECUTIONHISTORY (RECID, DEFINITIONGROUP, EXECUTIONID, ENTITY)"
        " SELECT %(base)s + i, 'CustImport', 'CustImport-' || i, 'Customers V3' FROM generate_series(1, 10) AS i")
    add("INSERT INTO DMFEXECUTION (RECID, EXECUTIONID, DEFINITIONGROUP, STATUS)"
        " SELECT %(base)s + i, 'CustImport-' || i, 'CustImport', 2 FROM generate_series(1, 10) AS i")
    for table, column in (("DMFSTAGINGLOG", "LOGTEXT"), ("DMFSTAGINGLOGDETAILS", "ERRORMESSAGE"),
                          ("DMFSTAGINGEXECUTIONERRORS", "ERRORMESSAGE"), ("DMFSTAGINGVALIDATIONLOG", "ERRORMESSAGE")):
        add(f"INSERT INTO {table} (RECID, EXECUTIONID, {column})"
            f" SELECT %(base)s + i, 'CustImport-' || (1 + i %% 10), 'Row ' || i || ' staged'"
            f" FROM generate_series(1, %(staging)s) AS i")

    # -- business events and dual-write ------------------------------------------------------------
    add("INSERT INTO BUSINESSEVENTSENDPOINT (RECID, NAME, TYPE, KEYVAULTDNSNAME, KEYVAULTSECRETNAME, AZUREAPPID,"
        " AZUREAPPSECRET, ENDPOINTURL, FLOWENDPOINTURL) VALUES"
        " (%(r1)s, 'Prod event grid', 2, 'https://contoso-prod-kv.vault.azure.net/', 'eventgrid-key',"
        " '9b1c4a2d-1111-4c1d-8e2f-0a1b2c3d4e5f', 'prod-app-secret-value',"
        " 'https://contoso-prod.westeurope-1.eventgrid.azure.net/api/events', ''),"
        " (%(r2)s, 'Prod Power Automate', 5, '', '', '', '', '', 'https://prod-01.westeurope.logic.azure.com/workflows/abc')",
        {"r1": _fixed_recid(18, 0), "r2": _fixed_recid(18, 1)})
    add("INSERT INTO BUSINESSEVENTSCONFIGURATION (RECID, BUSINESSEVENTSTABLE, LEGALENTITY, BUSINESSEVENTSENDPOINT)"
        " VALUES (%(c1)s, 'VendorInvoicePostedBusinessEvent', 'usmf', %(r1)s),"
        " (%(c2)s, 'SalesOrderConfirmedBusinessEvent', 'usmf', %(r2)s)",
        {"c1": _fixed_recid(19, 0), "c2": _fixed_recid(19, 1), "r1": _fixed_recid(18, 0), "r2": _fixed_recid(18, 1)})
    add("INSERT INTO BUSINESSEVENTSPARAMETERS (RECID, KEY_, ENABLED, BATCHENABLED) VALUES (%(r)s, 0, 1, 1)",
        {"r": _fixed_recid(19, 10)})
    add("INSERT INTO BUSINESSEVENTSDEFINITION (RECID, REFTABLENAME, REFENTITYNAME, CHANNEL, ENABLED) VALUES"
        " (%(r1)s, 'CustTable', 'CustCustomerV3Entity', 'DualWrite', 1),"
        " (%(r2)s, 'VendTable', 'VendVendorV2Entity', 'DualWrite', 1)",
        {"r1": _fixed_recid(20, 0), "r2": _fixed_recid(20, 1)})
    add("INSERT INTO DUALWRITEPROJECTCONFIGURATION (RECID, PROJECTNAME, EXTERNALENTITYNAME, INTERNALENTITYNAME,"
        " EXTERNALENVIRONMENTURL, STATUS) VALUES"
        " (%(r1)s, 'Customers', 'accounts', 'Customers V3', %(dataverse)s, 1),"
        " (%(r2)s, 'Vendors', 'msdyn_vendors', 'Vendors V2', %(dataverse)s, 1)",
        {"r1": _fixed_recid(21, 0), "r2": _fixed_recid(21, 1)})
    add("INSERT INTO DUALWRITEPROJECTFIELDCONFIGURATION (RECID, PROJECTNAME, FIELDMAP, EXTERNALLOOKUPURLS) VALUES"
        " (%(r1)s, 'Customers', 'ACCOUNTNUMBER=accountnumber', %(dataverse)s),"
        " (%(r2)s, 'Vendors', 'VENDORACCOUNTNUMBER=msdyn_vendoraccountnumber', %(dataverse)s)",
        {"r1": _fixed_recid(22, 0), "r2": _fixed_recid(22, 1)})

    # -- system configuration ---------------------------------------------------------------------
    add("INSERT INTO SYSGLOBALCONFIGURATION (RECID, NAME, VALUE) VALUES (%(r1)s, 'BACKENDDB', 'SQLAZURE'),"
        " (%(r2)s, 'TEMPTABLEINAXDB', '1')", {"r1": _fixed_recid(23, 0), "r2": _fixed_recid(23, 1)})
    add("INSERT INTO SQLSYSTEMVARIABLES (PARM, VALUE, IPARM, IVALUE) VALUES ('CONFIGURATIONMODE', '1', 0, 0),"
        " ('SYSTABVERSION', '138', 0, 138), ('RUNDATAUPGRADE', '0', 0, 0)")
    add("INSERT INTO SQLDICTIONARY (RECID, TABLEID, FIELDID, NAME, SQLNAME) VALUES"
        " (%(r1)s, 65535, 0, 'UserInfo', 'USERINFO'), (%(r2)s, 2867, 0, 'BatchJob', 'BATCHJOB'),"
        " (%(r3)s, 1214, 0, 'LogisticsElectronicAddress', 'LOGISTICSELECTRONICADDRESS')",
        {"r1": _fixed_recid(24, 0), "r2": _fixed_recid(24, 1), "r3": _fixed_recid(24, 2)})
    add("INSERT INTO SYSSETUPLOG (RECID, NAME, DESCRIPTION, VERSION, CREATEDDATETIME, CREATEDBY) VALUES"
        " (%(r)s, 'ReleaseUpdateDBgetFromVersion', '194', '7.0', TIMESTAMP '2025-06-01', 'Admin')",
        {"r": _fixed_recid(25, 0)})
    add("INSERT INTO SYSFLIGHTING (RECID, FLIGHTNAME, ENABLED) VALUES (%(r1)s, 'DMFEnableAllCompanyExport', 1),"
        " (%(r2)s, 'EnablePriorityBasedBatchScheduling', 1)", {"r1": _fixed_recid(26, 0), "r2": _fixed_recid(26, 1)})
    add("INSERT INTO SYSSQMSETTINGS (RECID, ENABLED, GLOBALGUID) VALUES"
        " (%(r)s, 1, '{5C2D7B1E-0F3A-4B6C-9D8E-7F6A5B4C3D2E}')",
        {"r": _fixed_recid(27, 0)})
    add("INSERT INTO SYSSERVICECONFIGURATIONSETTING (RECID, NAME, VALUE) VALUES"
        " (%(r1)s, 'TENANTID', '8f2c1a7e-0d4b-4c2e-9a51-3e6b7c8d9e0f'), (%(r2)s, 'ENVIRONMENTNAME', %(env)s)",
        {"r1": _fixed_recid(28, 0), "r2": _fixed_recid(28, 1)})
    add("INSERT INTO POWERBICONFIG (RECID, ISENABLED, TENANTID, CLIENTID, APPLICATIONKEY, REDIRECTURL) VALUES"
        " (%(r)s, 1, '8f2c1a7e-0d4b-4c2e-9a51-3e6b7c8d9e0f', 'a1b2c3d4-5e6f-4a1b-8c2d-3e4f5a6b7c8d',"
        " 'prod-powerbi-app-key', 'https://contoso-prod.operations.dynamics.com/oauth')", {"r": _fixed_recid(29, 0)})
    add("INSERT INTO KEYVAULTPARAMETERS (RECID, NAME, URL, APPCLIENTID, SECRETKEY, DATAAREAID) VALUES"
        " (%(r)s, 'ProdVault', 'https://contoso-prod-kv.vault.azure.net/', '9b1c4a2d-1111-4c1d-8e2f-0a1b2c3d4e5f',"
        " 'prod-keyvault-secret', 'usmf')", {"r": _fixed_recid(30, 0)})

    # -- Commerce -----------------------------------------------------------------------------------------
    if "commerce" in features:
        out.extend(_commerce_statements(params))
    return out


def _commerce_statements(params: dict) -> list[tuple[str, dict]]:
    out: list[tuple[str, dict]] = []

    def add(sql: str, extra: dict | None = None) -> None:
        out.append((sql, dict(params, **(extra or {}))))

    add("INSERT INTO RETAILCHANNELTABLE (RECID, RETAILCHANNELID, CHANNELTYPE, INVENTLOCATIONDATAAREAID) VALUES"
        " (%(r1)s, 'HOUSTON-1', 0, 'usrt'), (%(r2)s, 'CALLCENTER', 1, 'usrt'), (%(r3)s, 'ONLINE', 2, 'usrt')",
        {"r1": _fixed_recid(35, 0), "r2": _fixed_recid(35, 1), "r3": _fixed_recid(35, 2)})
    add("INSERT INTO RETAILCONNDATABASEPROFILE (RECID, NAME, DATAGROUP, CONNECTIONSTRING, SOURCESCALEUNITID) VALUES"
        " (%(r)s, 'Default', 1, 'Server=prod-csu.database.windows.net;Database=RetailChannel;', 'prod-csu')",
        {"r": _fixed_recid(31, 0)})
    add("INSERT INTO RETAILCHANNELPROFILEPROPERTY (RECID, CHANNELPROFILE, KEY_, VALUE) VALUES"
        " (%(r1)s, 1, 1, 'https://contoso-prod-ret.commerce.dynamics.com/RetailServer/Commerce'),"
        " (%(r2)s, 1, 7, 'https://contoso-prod-ret.commerce.dynamics.com/POS')",
        {"r1": _fixed_recid(32, 0), "r2": _fixed_recid(32, 1)})
    add("INSERT INTO RETAILSHAREDPARAMETERS (RECID, KEY_, TENANTID) VALUES"
        " (%(r)s, 0, '8f2c1a7e-0d4b-4c2e-9a51-3e6b7c8d9e0f')",
        {"r": _fixed_recid(33, 0)})
    add("INSERT INTO RETAILHARDWAREPROFILE (RECID, PROFILEID, SECUREMERCHANTPROPERTIES) VALUES"
        " (%(r1)s, 'HW001', convert_to('<MerchantAccount>prod-adyen-key</MerchantAccount>', 'UTF8')),"
        " (%(r2)s, 'HW002', convert_to('<MerchantAccount>prod-adyen-key-2</MerchantAccount>', 'UTF8')),"
        " (%(r3)s, 'HW003', NULL)",
        {"r1": _fixed_recid(34, 0), "r2": _fixed_recid(34, 1), "r3": _fixed_recid(34, 2)})
    return out
