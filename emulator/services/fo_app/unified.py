"""The application layer of a unified F&O environment (managed in the Power Platform admin center).

LCS environments are reached at ``/fo/<LCS environment name>``; a unified environment has no LCS name,
so it is reached at ``/fo/<first label of its F&O host>`` (``https://fabrikam-uat.sandbox.operations...``
-> ``/fo/fabrikam-uat``) over its own PostgreSQL database.
"""

from __future__ import annotations

from dataclasses import dataclass
from urllib.parse import urlsplit


@dataclass
class UnifiedFinOps:
    id: str
    name: str
    database: object
    row_history: bool


def host_label(url: str) -> str:
    return (urlsplit(url).hostname or "").split(".")[0].lower()


def find(world, name: str) -> UnifiedFinOps | None:
    """The unified environment whose F&O host starts with ``name``, or None."""
    pp = world.power_platform
    for env in pp.environments if pp else []:
        if env.unified and env.database is not None and host_label(env.fin_ops.url) == str(name).lower():
            return UnifiedFinOps(env.id, host_label(env.fin_ops.url), env.database, env.row_history)
    return None
