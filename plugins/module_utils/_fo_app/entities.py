# -*- coding: utf-8 -*-
# Copyright: (c) 2026, d365fo.dataalm contributors
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)
"""Keys of the data entities the collection works with.

INFERRED: Microsoft documents none of these entity sets. Names, keys and field names were read from
a client generated from a real F&O ``$metadata`` (ntrtd/d365-agent @b1a5d29, asset/client/src/*Api.ts:
SAP Cloud SDK, 2025), cited as FOMETA in the project's reference notes. Code that uses them tolerates
extra fields, and callers can always name ``key_fields`` themselves for any other entity.
"""

from __future__ import annotations

# entity set -> key fields, in the order of the entity's key
KNOWN_KEYS = {
    "SystemUsers": ("UserID",),                       # USERINFO; Enabled is Edm.Boolean
    "SysAADClients": ("AADClientId",),                # SYSAADCLIENTTABLE; note the upper-case AAD in the set name
    "BatchJobs": ("BatchJobRecId",),                  # BATCHJOB; Status is enum BatchStatus (Hold ... Scheduled)
    "EmailParameters": ("ID",),                       # SYSEMAILPARAMETERS; SMTPRelayServerName, SMTPPortNumber, ...
    "BusinessEventsEndpoints": ("Name",),             # BUSINESSEVENTSENDPOINT
    "BusinessEventsConfigurations": ("BusinessEventsTable", "LegalEntity", "BusinessEventsEndpoint_Name"),
    "BusinessEventsCatalogs": ("BusinessEventId",),
    "DataManagementDefinitionGroups": ("Name",),      # data projects; ProjectCategory, OperationType enums
    "DataManagementDefinitionGroupDetails": ("DefinitionGroupId", "EntityName"),
    "DataManagementExecutionJobDetails": ("DefinitionGroupId", "JobId", "EntityName"),
    "DataManagementEntities": ("EntityName",),
}


def key_fields_for(entity, given=None):
    """The key fields to address single records of ``entity``: the caller's, else the known ones, else None."""
    if given:
        return tuple(given)
    return KNOWN_KEYS.get(entity)
