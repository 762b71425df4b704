"""The Dataverse tables the emulator keeps (the ones database movements touch: power-platform.md
§3-§4) and the metadata Microsoft's Dataverse client reads about them (EntityDefinitions)."""

from __future__ import annotations

import uuid
from dataclasses import dataclass


@dataclass(frozen=True)
class TableDef:
    logical_name: str
    entity_set: str
    key: str  # PrimaryIdAttribute
    primary_name: str  # PrimaryNameAttribute
    display_name: str
    columns: dict  # column -> default value of a new row

    def defaults(self) -> dict:
        return dict(self.columns)

    def metadata(self) -> dict:
        """An EntityDefinitions entry (the properties Microsoft's client selects, plus a few common ones)."""
        return {
            "MetadataId": str(uuid.uuid5(uuid.NAMESPACE_URL, f"entity:{self.logical_name}")),
            "LogicalName": self.logical_name,
            "SchemaName": self.logical_name,
            "EntitySetName": self.entity_set,
            "PrimaryIdAttribute": self.key,
            "PrimaryNameAttribute": self.primary_name,
            "LogicalCollectionName": self.entity_set,
            "IsCustomEntity": self.logical_name.startswith(("msdyn_", "mserp_")),
            "DisplayName": {"UserLocalizedLabel": {"Label": self.display_name, "LanguageCode": 1033}},
        }


TABLES = {t.logical_name: t for t in (
    TableDef("msdyn_dualwriteruntimeconfig", "msdyn_dualwriteruntimeconfigs", "msdyn_dualwriteruntimeconfigid",
             "msdyn_name", "Dual Write Runtime Configuration",
             {"msdyn_name": None, "msdyn_internalentityname": None, "msdyn_externalentityname": None,
              "msdyn_unsecure": None}),
    TableDef("solution", "solutions", "solutionid", "friendlyname", "Solution",
             {"uniquename": None, "friendlyname": None, "version": "1.0.0.0", "ismanaged": True,
              "installedon": None}),
    # hook (issue 13): package deployments, so a restore preflight can list what came after an instant. The
    # documented columns are executionname, applicationname, createdon, statuscode; packageuniquename and
    # packageversion are inferred (not in the published column list).
    TableDef("packagehistory", "packagehistories", "packagehistoryid", "executionname", "Package History",
             {"executionname": None, "applicationname": None, "packageuniquename": None, "packageversion": None,
              "statuscode": None, "createdon": None}),
    TableDef("mserp_financeandoperationsentity", "mserp_financeandoperationsentities",
             "mserp_financeandoperationsentityid", "mserp_physicalname", "Available finance and operations entities",
             {"mserp_physicalname": None, "mserp_hasbeengenerated": False, "mserp_changetrackingenabled": False,
              "mserp_refresh": False}),
    TableDef("serviceendpoint", "serviceendpoints", "serviceendpointid", "name", "Service Endpoint",
             {"name": None, "contract": 1, "url": None, "namespaceaddress": None, "path": None, "authtype": 1,
              "messageformat": 2}),
    # flows (category 5 = modern flow); statecode 1 Activated / 0 Draft; clientdata holds the definition (URLs)
    TableDef("workflow", "workflows", "workflowid", "name", "Process",
             {"name": None, "category": 5, "type": 1, "statecode": 1, "statuscode": 2, "clientdata": None}),
    # connection references of solution flows (documented table; connectionid: the connection in API hub)
    TableDef("connectionreference", "connectionreferences", "connectionreferenceid", "connectionreferencedisplayname",
             "Connection Reference",
             {"connectionreferencelogicalname": None, "connectionreferencedisplayname": None, "connectorid": None,
              "connectionid": None, "statecode": 0, "statuscode": 1}),
    # steps that send events to a service endpoint or webhook; statecode 0 Enabled / 1 Disabled
    TableDef("sdkmessageprocessingstep", "sdkmessageprocessingsteps", "sdkmessageprocessingstepid", "name",
             "Sdk Message Processing Step",
             {"name": None, "_eventhandler_value": None, "statecode": 0, "statuscode": 1, "stage": 40, "mode": 1}),
)}
