"""Entity sets the emulator serves, and the AxDB tables behind them (fo-database.md, FOMETA field names).

Enums travel as member names in JSON (``"Status": "Waiting"``) and as integers in the tables, as in F&O.
"""

from __future__ import annotations

from dataclasses import dataclass, field

NOYES = {"No": 0, "Yes": 1}
BATCH_STATUS = {"Hold": 0, "Waiting": 1, "Executing": 2, "Error": 3, "Finished": 4, "Ready": 5, "NotRun": 6,
                "Cancelling": 7, "Canceled": 8, "Scheduled": 9}
ACCOUNT_TYPE = {"ADUser": 0, "ADGroup": 1, "ClaimsUser": 2, "ClaimsGroup": 3}
ENDPOINT_TYPE = {"AzureServiceBusQueue": 0, "AzureServiceBusTopic": 1, "AzureEventGrid": 2, "Flow": 3,
                 "AzureEventHub": 4, "Http": 5, "AzureBlobStorage": 6, "CDS": 8}
DUALWRITE_STATUS = {"Enabled": 0, "Disabled": 1, "Queueing": 4}  # DualWriteProjectStatus (addendum §4)
PRODUCER_CONSUMER = {"BusinessEvents": 0, "DataFeeds": 1}
PROJECT_CATEGORY = {"Project": 0, "Configuration": 1, "Integration": 2, "Other": 3, "CDS": 4}
OPERATION_TYPE = {"Import": 0, "Export": 1, "All": 2, "Company": 3}
# Configuration entities (golden configuration promotion, issue 22). INFERRED: enum members and their integers
# from the generated client of a real F&O $metadata (FOMETA: ntrtd/d365-agent, asset/client/src/*.ts).
NUMBER_SEQUENCE_TYPE = {"DataArea": 0, "DataAreaFiscalCalender": 1, "LegalEntity": 2, "LegalEntityFiscalCalender": 3,
                        "OperatingUnit": 4, "OperatingUnitType": 5}
NET_CURRENT = {"Net": 0, "CurrentMth": 1, "CurrentQuart": 2, "CurrentYear": 3, "CurrentWeek": 4, "COD": 5,
               "CutOffDate": 7}
DMF_JOB_STATUS = {"NotStarted": 0, "Waiting": 1, "Executing": 2, "Error": 3, "Finished": 4, "Ready": 5, "NotRun": 6,
                  "Cancelling": 7, "Canceled": 8, "Hold": 9}


@dataclass
class Field:
    name: str
    column: str
    kind: str = "str"  # str | int | bool | enum
    enum: dict | None = None
    write_only: bool = False  # secrets F&O never returns

    def to_json(self, value):
        if self.write_only:
            return ""
        if self.kind == "bool":
            return bool(value)
        if self.kind == "enum":
            names = {v: k for k, v in self.enum.items()}
            return names.get(value, str(value))
        return value

    def to_db(self, value):
        """The column value for a JSON value; ValueError with F&O-like text when it does not fit."""
        if self.kind == "bool":
            if not isinstance(value, bool):
                raise ValueError(f"Invalid value for field '{self.name}': expected Edm.Boolean")
            return int(value)
        if self.kind == "enum":
            if value not in self.enum:
                raise ValueError(f"Requested value '{value}' was not found in enum for field '{self.name}'.")
            return self.enum[value]
        if self.kind == "int":
            if isinstance(value, bool) or not isinstance(value, int):
                raise ValueError(f"Invalid value for field '{self.name}': expected Edm.Int")
            return value
        if value is not None and not isinstance(value, str):
            raise ValueError(f"Invalid value for field '{self.name}': expected Edm.String")
        return value or ""


@dataclass
class Entity:
    set_name: str
    table: str
    keys: tuple
    fields: list = field(default_factory=list)
    dmf_name: str | None = None  # the name under Data management > Data entities
    generated_key: str | None = None  # a key F&O assigns itself (RecId)
    # per-company entities: the field holding the legal entity; exports take one company, imports write into one
    company_field: str | None = None
    # field -> (entity set, key field) a non-empty value must name in the same company, as F&O's table relations
    references: dict = field(default_factory=dict)

    def field_named(self, name):
        return next((f for f in self.fields if f.name == name), None)


ENTITIES = [
    Entity("SystemUsers", "USERINFO", ("UserID",), [
        Field("UserID", "ID"), Field("UserName", "NAME"), Field("Enabled", "ENABLE", "bool"),
        Field("Alias", "NETWORKALIAS"), Field("Email", "NETWORKALIAS"), Field("NetworkDomain", "NETWORKDOMAIN"),
        Field("Company", "COMPANY"), Field("Language", "LANGUAGE"),
        Field("AccountType", "ACCOUNTTYPE", "enum", ACCOUNT_TYPE), Field("ExternalUser", "EXTERNALUSER", "bool"),
    ], dmf_name="Users"),
    Entity("SysAADClients", "SYSAADCLIENTTABLE", ("AADClientId",), [
        Field("AADClientId", "AADCLIENTID"), Field("UserId", "USERID"), Field("Name", "NAME"),
    ], dmf_name="Microsoft Entra applications"),
    Entity("BatchJobs", "BATCHJOB", ("BatchJobRecId",), [
        Field("BatchJobRecId", "RECID", "int"), Field("JobDescription", "CAPTION"),
        Field("Status", "STATUS", "enum", BATCH_STATUS), Field("CompanyAccounts", "COMPANY"),
        Field("ExecutingBy", "EXECUTINGBY"), Field("CanceledBy", "CANCELEDBY"),
        Field("RuntimeJob", "RUNTIMEJOB", "bool"),
    ], dmf_name="Batch jobs", generated_key="BatchJobRecId"),
    Entity("EmailParameters", "SYSEMAILPARAMETERS", ("ID",), [
        Field("ID", "KEY_", "int"), Field("SMTPRelayServerName", "SMTPRELAYSERVERNAME"),
        Field("SMTPPortNumber", "SMTPPORTNUMBER", "int"), Field("SMTPUserName", "SMTPUSERNAME"),
        Field("SMTPRequireSSL", "SMTPREQUIRESSL", "enum", NOYES), Field("SMTPUseNTLM", "SMTPUSENTLM", "enum", NOYES),
        Field("MailerNonInteractive", "MAILERNONINTERACTIVE"),
        Field("MaximumEmailAttachmentSize", "MAXEMAILATTACHMENTSIZE", "int"),
    ], dmf_name="Email parameters"),
    # Configuration entities. INFERRED: entity sets, keys and field names from FOMETA (SequenceV2Tables.ts,
    # PaymentTerms.ts, CustomerGroups.ts, CustomerPostingProfiles.ts); the data management names and the AxDB
    # tables/columns from the F&O application as commonly known, not from a cited source (NUMBERSEQUENCETABLE
    # holds the scope through NUMBERSEQUENCESCOPE in F&O; here the scope is two columns of its own).
    Entity("SequenceV2Tables", "NUMBERSEQUENCETABLE", ("NumberSequenceCode", "ScopeType", "ScopeValue"), [
        Field("NumberSequenceCode", "NUMBERSEQUENCE"), Field("ScopeType", "SCOPETYPE", "enum", NUMBER_SEQUENCE_TYPE),
        Field("ScopeValue", "SCOPEVALUE"), Field("Name", "TXT"), Field("Format", "FORMAT"),
        Field("Smallest", "LOWEST", "int"), Field("Largest", "HIGHEST", "int"), Field("Next", "NEXTREC", "int"),
        Field("Continuous", "CONTINUOUS", "enum", NOYES), Field("Manual", "MANUAL", "enum", NOYES),
        Field("Stopped", "BLOCKED", "enum", NOYES),
    ], dmf_name="Number sequence code"),
    Entity("PaymentTerms", "PAYMTERM", ("dataAreaId", "Name"), [
        Field("dataAreaId", "DATAAREAID"), Field("Name", "PAYMTERMID"), Field("Description", "DESCRIPTION"),
        Field("PaymentMethodType", "PAYMMETHOD", "enum", NET_CURRENT), Field("NumberOfDays", "NUMOFDAYS", "int"),
        Field("NumberOfMonths", "NUMOFMONTHS", "int"), Field("CutoffDayOfMonth", "CUTOFFDAY", "int"),
    ], dmf_name="Terms of payment", company_field="dataAreaId"),
    Entity("CustomerGroups", "CUSTGROUP", ("dataAreaId", "CustomerGroupId"), [
        Field("dataAreaId", "DATAAREAID"), Field("CustomerGroupId", "CUSTGROUP"), Field("Description", "NAME"),
        Field("PaymentTermId", "PAYMTERMID"), Field("CustomerAccountNumberSequence", "CUSTACCOUNTNUMSEQ"),
        Field("TaxGroupId", "TAXGROUPID"),
    ], dmf_name="Customer groups", company_field="dataAreaId",
        references={"PaymentTermId": ("PaymentTerms", "Name")}),
    Entity("CustomerPostingProfiles", "CUSTLEDGER", ("dataAreaId", "PostingProfile"), [
        Field("dataAreaId", "DATAAREAID"), Field("PostingProfile", "POSTINGPROFILE"), Field("Description", "NAME"),
        Field("PostingProfileToCloseSettlement", "POSTINGPROFILECLOSE"),
        Field("IsTransactionIncludedInAutoSettlement", "SETTLE", "enum", NOYES),
        Field("IsTransactionIncludedInInterestCalculation", "INTEREST", "enum", NOYES),
        Field("IsTransactionIncludedInCollectionLetterGeneration", "COLLECTIONLETTER", "enum", NOYES),
    ], dmf_name="Customer posting profiles", company_field="dataAreaId"),
    Entity("BusinessEventsEndpoints", "BUSINESSEVENTSENDPOINT", ("Name",), [
        Field("Name", "NAME"), Field("Type", "TYPE", "enum", ENDPOINT_TYPE),
        Field("ProducerConsumerType", "PRODUCERCONSUMERTYPE", "enum", PRODUCER_CONSUMER),
        Field("AzureAppId", "AZUREAPPID"), Field("KeyVaultDnsName", "KEYVAULTDNSNAME"),
        Field("KeyVaultSecretName", "KEYVAULTSECRETNAME"),
        Field("DecryptedAzureAppSecret", "AZUREAPPSECRET", write_only=True),
        Field("EventGridEndpointURL", "ENDPOINTURL"), Field("ServiceBusQueueName", "QUEUENAME"),
        Field("AzureBlobContainerName", "CONTAINERNAME"),
    ], dmf_name="Business events endpoints"),
    # activations of business events (addendum §3.2); the endpoint travels by name, the table holds its RecId in F&O
    Entity("BusinessEventsConfigurations", "BUSINESSEVENTSCONFIGURATION",
           ("BusinessEventsTable", "LegalEntity", "BusinessEventsEndpoint_Name"), [
               Field("BusinessEventsTable", "BUSINESSEVENTSTABLE"), Field("LegalEntity", "LEGALENTITY"),
               Field("BusinessEventsEndpoint_Name", "ENDPOINTNAME"), Field("Disabled", "DISABLED", "enum", NOYES),
           ]),
    # BUSINESSEVENTSDEFINITION: shared by data events and dual-write (addendum §3.2; the emulator keys two fields)
    Entity("EventsDefinitions", "BUSINESSEVENTSDEFINITION", ("RefEntityName", "Channel"), [
        Field("RefEntityName", "REFENTITYNAME"), Field("Channel", "CHANNEL"), Field("RefTableName", "REFTABLENAME"),
        Field("Enabled", "ENABLED", "enum", NOYES),
    ]),
    Entity("DualWriteProjectConfigurations", "DUALWRITEPROJECTCONFIGURATION", ("ProjectName",), [
        Field("ProjectName", "PROJECTNAME"), Field("ExternalEntityName", "EXTERNALENTITYNAME"),
        Field("InternalEntityName", "INTERNALENTITYNAME"), Field("ExternalEnvironmentUrl", "EXTERNALENVIRONMENTURL"),
        Field("Status", "STATUS", "enum", DUALWRITE_STATUS),
    ]),
    Entity("DataManagementDefinitionGroups", "DMFDEFINITIONGROUP", ("Name",), [
        Field("Name", "NAME"), Field("Description", "DESCRIPTION"),
        Field("ProjectCategory", "PROJECTCATEGORY", "enum", PROJECT_CATEGORY),
        Field("OperationType", "OPERATIONTYPE", "enum", OPERATION_TYPE),
        Field("GenerateDataPackage", "GENERATEDATAPACKAGE", "enum", NOYES),
    ]),
    Entity("DataManagementDefinitionGroupDetails", "DMFDEFINITIONGROUPENTITY", ("DefinitionGroupId", "EntityName"), [
        Field("DefinitionGroupId", "DEFINITIONGROUP"), Field("EntityName", "ENTITY"),
        Field("ExecutionUnit", "EXECUTIONUNIT", "int"), Field("LevelInExecutionUnit", "LEVELINEXECUTIONUNIT", "int"),
        Field("SequenceInLevel", "SEQUENCEINLEVEL", "int"), Field("SourceFormat", "SOURCEFORMAT"),
    ]),
    Entity("DataManagementEntities", "DMFENTITY", ("EntityName",), [
        Field("EntityName", "ENTITYNAME"), Field("TargetName", "TARGETENTITY"),
    ]),
    # Commerce, read by fo_app_followup_info (issue 23). INFERRED: sets and keys from FOMETA (RetailChannels.ts,
    # RetailHardwareProfiles.ts); the merchant properties stay out (F&O's entity does not carry them either).
    Entity("RetailChannels", "RETAILCHANNELTABLE", ("dataAreaId", "RetailChannelId"), [
        Field("dataAreaId", "INVENTLOCATIONDATAAREAID"), Field("RetailChannelId", "RETAILCHANNELID"),
    ], company_field="dataAreaId"),
    Entity("RetailHardwareProfiles", "RETAILHARDWAREPROFILE", ("ProfileId",), [Field("ProfileId", "PROFILEID")]),
]
BY_SET = {e.set_name: e for e in ENTITIES}
BY_DMF_NAME = {e.dmf_name: e for e in ENTITIES if e.dmf_name}

# Tables F&O has and the emulator's seeded schema (owned by the SQL work) does not: created on first use.
EXTRA_DDL = [
    "CREATE TABLE IF NOT EXISTS DMFDEFINITIONGROUP (RECID BIGINT NOT NULL PRIMARY KEY, NAME VARCHAR(60) NOT NULL,"
    " DESCRIPTION VARCHAR(255) NOT NULL DEFAULT '', PROJECTCATEGORY INT NOT NULL DEFAULT 0,"
    " OPERATIONTYPE INT NOT NULL DEFAULT 0, GENERATEDATAPACKAGE INT NOT NULL DEFAULT 1,"
    " PARTITION BIGINT NOT NULL DEFAULT 5637144576, RECVERSION INT NOT NULL DEFAULT 1)",
    "CREATE TABLE IF NOT EXISTS DMFDEFINITIONGROUPENTITY (RECID BIGINT NOT NULL PRIMARY KEY,"
    " DEFINITIONGROUP VARCHAR(60) NOT NULL, ENTITY VARCHAR(60) NOT NULL, EXECUTIONUNIT INT NOT NULL DEFAULT 1,"
    " LEVELINEXECUTIONUNIT INT NOT NULL DEFAULT 1, SEQUENCEINLEVEL INT NOT NULL DEFAULT 1,"
    " SOURCEFORMAT VARCHAR(60) NOT NULL DEFAULT 'XML-Element', PARTITION BIGINT NOT NULL DEFAULT 5637144576,"
    " RECVERSION INT NOT NULL DEFAULT 1)",
    # the emulator keeps an activation's endpoint name beside the RecId F&O joins on (BusinessEventsConfigurations);
    # nullable, because a copy moves rows in from databases the application layer never touched (no such column)
    "ALTER TABLE BUSINESSEVENTSCONFIGURATION ADD COLUMN IF NOT EXISTS ENDPOINTNAME VARCHAR(60) DEFAULT ''",
    "ALTER TABLE BUSINESSEVENTSCONFIGURATION ALTER COLUMN BUSINESSEVENTSENDPOINT SET DEFAULT 0",
    "UPDATE BUSINESSEVENTSCONFIGURATION SET ENDPOINTNAME = (SELECT E.NAME FROM BUSINESSEVENTSENDPOINT E"
    " WHERE E.RECID = BUSINESSEVENTSCONFIGURATION.BUSINESSEVENTSENDPOINT) WHERE COALESCE(ENDPOINTNAME, '') = ''"
    " AND EXISTS"
    " (SELECT 1 FROM BUSINESSEVENTSENDPOINT E WHERE E.RECID = BUSINESSEVENTSCONFIGURATION.BUSINESSEVENTSENDPOINT)",
    "CREATE TABLE IF NOT EXISTS DMFENTITY (RECID BIGINT NOT NULL PRIMARY KEY, ENTITYNAME VARCHAR(60) NOT NULL,"
    " TARGETENTITY VARCHAR(81) NOT NULL DEFAULT '', PARTITION BIGINT NOT NULL DEFAULT 5637144576,"
    " RECVERSION INT NOT NULL DEFAULT 1)",
    # configuration entities (see ENTITIES); F&O has these tables, the seeded schema does not
    "CREATE TABLE IF NOT EXISTS NUMBERSEQUENCETABLE (RECID BIGINT NOT NULL PRIMARY KEY,"
    " NUMBERSEQUENCE VARCHAR(20) NOT NULL, SCOPETYPE INT NOT NULL DEFAULT 0,"
    " SCOPEVALUE VARCHAR(20) NOT NULL DEFAULT '', TXT VARCHAR(60) NOT NULL DEFAULT '',"
    " FORMAT VARCHAR(40) NOT NULL DEFAULT '', LOWEST BIGINT NOT NULL DEFAULT 1,"
    " HIGHEST BIGINT NOT NULL DEFAULT 99999999, NEXTREC BIGINT NOT NULL DEFAULT 1, CONTINUOUS INT NOT NULL DEFAULT 0,"
    " MANUAL INT NOT NULL DEFAULT 0, BLOCKED INT NOT NULL DEFAULT 0, PARTITION BIGINT NOT NULL DEFAULT 5637144576,"
    " RECVERSION INT NOT NULL DEFAULT 1)",
    "CREATE TABLE IF NOT EXISTS PAYMTERM (RECID BIGINT NOT NULL PRIMARY KEY, DATAAREAID VARCHAR(4) NOT NULL,"
    " PAYMTERMID VARCHAR(10) NOT NULL, DESCRIPTION VARCHAR(60) NOT NULL DEFAULT '', PAYMMETHOD INT NOT NULL DEFAULT 0,"
    " NUMOFDAYS INT NOT NULL DEFAULT 0, NUMOFMONTHS INT NOT NULL DEFAULT 0, CUTOFFDAY INT NOT NULL DEFAULT 0,"
    " PARTITION BIGINT NOT NULL DEFAULT 5637144576, RECVERSION INT NOT NULL DEFAULT 1)",
    "CREATE TABLE IF NOT EXISTS CUSTGROUP (RECID BIGINT NOT NULL PRIMARY KEY, DATAAREAID VARCHAR(4) NOT NULL,"
    " CUSTGROUP VARCHAR(10) NOT NULL, NAME VARCHAR(60) NOT NULL DEFAULT '', PAYMTERMID VARCHAR(10) NOT NULL DEFAULT '',"
    " CUSTACCOUNTNUMSEQ VARCHAR(20) NOT NULL DEFAULT '', TAXGROUPID VARCHAR(10) NOT NULL DEFAULT '',"
    " PARTITION BIGINT NOT NULL DEFAULT 5637144576, RECVERSION INT NOT NULL DEFAULT 1)",
    "CREATE TABLE IF NOT EXISTS CUSTLEDGER (RECID BIGINT NOT NULL PRIMARY KEY, DATAAREAID VARCHAR(4) NOT NULL,"
    " POSTINGPROFILE VARCHAR(10) NOT NULL, NAME VARCHAR(60) NOT NULL DEFAULT '',"
    " POSTINGPROFILECLOSE VARCHAR(10) NOT NULL DEFAULT '', SETTLE INT NOT NULL DEFAULT 0,"
    " INTEREST INT NOT NULL DEFAULT 0, COLLECTIONLETTER INT NOT NULL DEFAULT 0,"
    " PARTITION BIGINT NOT NULL DEFAULT 5637144576, RECVERSION INT NOT NULL DEFAULT 1)",
]
