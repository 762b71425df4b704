# -*- coding: utf-8 -*-
# Copyright: (c) 2026, d365fo.dataalm contributors
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)
"""LCS ``CloudStorageLocation`` names -> Power Platform ``azureRegion`` and ``geo``.

LCS names Azure regions by their display name (``West Europe``, lcs-api.md §5.1); the Power Platform
API by the region's programmatic name (``westeurope``) and its geography (``europe``, pp-api-sdk.md
§2.1). The display name -> name rule (lower case, no spaces) is Azure's own naming of regions
(``az account list-locations``: displayName / name). Which Power Platform geography serves an Azure
region is NOT documented in one place: the table below is INFERRED from the Power Platform regions
overview (which geography lists which datacenter regions); an unknown region gives None and the
checks then say that the geography could not be compared instead of guessing.
"""

from __future__ import annotations

# INFERRED (see the module docstring): Azure region name -> Power Platform geo
_GEO_OF_REGION = {
    "eastus": "unitedstates", "eastus2": "unitedstates", "westus": "unitedstates", "westus2": "unitedstates",
    "westus3": "unitedstates", "centralus": "unitedstates", "northcentralus": "unitedstates",
    "southcentralus": "unitedstates", "westcentralus": "unitedstates",
    "westeurope": "europe", "northeurope": "europe",
    "uksouth": "unitedkingdom", "ukwest": "unitedkingdom",
    "francecentral": "france", "francesouth": "france",
    "germanywestcentral": "germany", "germanynorth": "germany",
    "switzerlandnorth": "switzerland", "switzerlandwest": "switzerland",
    "norwayeast": "norway", "norwaywest": "norway",
    "swedencentral": "sweden",
    "canadacentral": "canada", "canadaeast": "canada",
    "brazilsouth": "southamerica",
    "australiaeast": "australia", "australiasoutheast": "australia",
    "japaneast": "japan", "japanwest": "japan",
    "eastasia": "asia", "southeastasia": "asia",
    "centralindia": "india", "southindia": "india", "westindia": "india",
    "koreacentral": "korea", "koreasouth": "korea",
    "southafricanorth": "southafrica", "southafricawest": "southafrica",
    "uaenorth": "uae", "uaecentral": "uae",
}


def azure_region(location):
    """Programmatic Azure region name of an LCS location (``West Europe`` -> ``westeurope``), or None."""
    text = "".join(str(location or "").split()).lower()
    return text or None


def power_platform_geo(location):
    """The Power Platform geography of an LCS location or Azure region name (inferred), or None."""
    return _GEO_OF_REGION.get(azure_region(location))
