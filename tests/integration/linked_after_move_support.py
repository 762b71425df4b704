"""The world of the after-move tests: the Fabrikam UAT Dataverse as a copy from production leaves it (the
source's dual-write runtime configuration, service endpoint, webhook and flows pointing at production, next
to the sandbox's own), generated virtual entities and solutions. Built from tests/worlds/powerplatform.yml."""

from __future__ import annotations

import json

from .pp_support import FABRIKAM_PROD, FABRIKAM_UAT, pp_world_with

UAT_ORG = "fabrikam-uat"
UAT_FINOPS_URL = "https://fabrikam-uat.sandbox.operations.eu.dynamics.com"
PROD_SB = "sb://fabrikam-prod.servicebus.windows.net/"
UAT_SB = "sb://fabrikam-uat.servicebus.windows.net/"
PROD_HOOK = "https://hooks.fabrikam.com/prod/orders"
UAT_HOOK = "https://hooks.fabrikam-test.com/uat/orders"
ALLOW_LIST = ["fabrikam-uat.servicebus.windows.net", "*.fabrikam-test.com", "fabrikam-uat.crm4.dynamics.com"]
PROD_ERP = "https://erp.fabrikam.com/"
UAT_ERP = "https://erp.fabrikam-test.com/"
REPOINT = {PROD_SB: UAT_SB, PROD_ERP: UAT_ERP}
# the flows' SQL connection reference holds production's connection after the copy; the sandbox has its own
CONNECTIONS = {"fabrikam_sql_ref": "shared-sql-uat-0001"}
DUALWRITE = "d365fo.dataalm.dataverse_dualwrite_runtime_config"
OUTBOUND = "d365fo.dataalm.dataverse_outbound_integrations"
INTEGRATION = "d365fo.dataalm.dataverse_integration_info"
REFRESH = "d365fo.dataalm.dataverse_virtual_entity_refresh"
CODE = "d365fo.dataalm.dataverse_code_info"
DRIFT = "d365fo.dataalm.dataalm_code_drift_info"


def _guid(prefix: int, number: int) -> str:
    return "%08x-0000-4000-8000-%012d" % (prefix, number)


SCHEMA = "https://schema.management.azure.com/providers/Microsoft.Logic/schemas/2016-06-01/workflowdefinition.json#"


def _flow(name: str, url: str, on: bool = True) -> dict:
    """A solution flow as Dataverse keeps it: clientdata with the Logic Apps $schema, a connection reference and
    escaped slashes (Microsoft's sample in manage-flows-with-code)."""
    definition = {"properties": {
        "connectionReferences": {"shared_sql": {"runtimeSource": "embedded", "api": {"name": "shared_sql"},
                                                "connection": {"connectionReferenceLogicalName": "fabrikam_sql_ref"}}},
        "definition": {"$schema": SCHEMA, "actions": {"Post": {"type": "Http", "inputs": {"uri": url}}}}},
        "schemaVersion": "1.0.0.0"}
    return {"name": name, "category": 5, "statecode": 1 if on else 0, "statuscode": 2 if on else 1,
            "clientdata": json.dumps(definition).replace("/", "\\/")}


def copied_wiring() -> dict:
    """Dataverse tables of a sandbox that a copy from production just overwrote."""
    endpoints = [
        {"serviceendpointid": _guid(0x56000000, 1), "name": "orders-queue", "contract": 1,
         "namespaceaddress": PROD_SB, "path": "orders"},
        {"serviceendpointid": _guid(0x56000000, 2), "name": "orders-webhook", "contract": 8, "url": PROD_HOOK},
        {"serviceendpointid": _guid(0x56000000, 3), "name": "test-webhook", "contract": 8, "url": UAT_HOOK},
    ]
    steps = [{"sdkmessageprocessingstepid": _guid(0x57000000, n), "name": "send %s" % e["name"],
              "_eventhandler_value": e["serviceendpointid"]} for n, e in enumerate(endpoints, 1)]
    flows = [{"workflowid": _guid(0x58000000, 1), **_flow("Invoice to ERP archive", "https://archive.fabrikam.com/in")},
             {"workflowid": _guid(0x58000000, 2), **_flow("Notify test team", "https://hooks.fabrikam-test.com/t")},
             {"workflowid": _guid(0x58000000, 3), **_flow("Old export", "https://legacy.fabrikam.com/x", on=False)},
             {"workflowid": _guid(0x58000000, 4), **_flow("Orders to ERP", PROD_ERP + "api/orders")}]
    references = [{"connectionreferenceid": _guid(0x5c000000, 1),
                   "connectionreferencelogicalname": "fabrikam_sql_ref",
                   "connectionreferencedisplayname": "Fabrikam SQL",
                   "connectorid": "/providers/Microsoft.PowerApps/apis/shared_sql",
                   "connectionid": "shared-sql-prod-0001"}]
    entities = [{"mserp_financeandoperationsentityid": _guid(0x59000000, n), "mserp_physicalname": name,
                 "mserp_hasbeengenerated": generated}
                for n, (name, generated) in enumerate((("CustCustomerV3Entity", True), ("VendVendorV2Entity", True),
                                                       ("ReleasedProductV2Entity", True), ("SalesOrderHeaderV2Entity",
                                                                                           False)), 1)]
    solutions = [{"solutionid": _guid(0x5a000000, 1), "uniquename": "FabrikamSales", "version": "2.1.0.0",
                  "ismanaged": True, "installedon": "2026-02-20T10:00:00Z"},
                 {"solutionid": _guid(0x5a000000, 2), "uniquename": "Dynamics365Company", "version": "9.0.4.5",
                  "ismanaged": True, "installedon": "2026-01-10T10:00:00Z"}]
    return {"msdyn_dualwriteruntimeconfigs": [
        {"msdyn_dualwriteruntimeconfigid": _guid(0x5b000000, n), "msdyn_name": name,
         "msdyn_internalentityname": internal, "msdyn_externalentityname": external}
        for n, (name, internal, external) in enumerate((("customers", "account", "CustCustomerV3Entity"),
                                                        ("vendors", "msdyn_vendor", "VendVendorV2Entity")), 1)],
        "serviceendpoints": endpoints, "sdkmessageprocessingsteps": steps, "workflows": flows,
        "connectionreferences": references,
        "mserp_financeandoperationsentities": entities, "solutions": solutions}


def after_copy_world(tmp_path, on=FABRIKAM_UAT):
    """The Power Platform world with ``on`` (default Fabrikam UAT) holding the copied wiring."""
    def seed(env):
        env["dataverse"]["tables"] = copied_wiring()
    return pp_world_with(tmp_path, **{on: seed})


def production_world(tmp_path):
    """Fabrikam Production holds the wiring, so a real copy to Fabrikam UAT brings it over."""
    return after_copy_world(tmp_path, on=FABRIKAM_PROD)


def writes(emu, environment="Fabrikam UAT") -> int:
    """Mutating requests the emulator answered (or refused) for one environment."""
    return emu.counters()["mutating_requests"].get(environment, 0)
