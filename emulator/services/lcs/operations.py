"""Database operations (refresh, export) and their lifecycle on the virtual clock.

An operation's status is a pure function of virtual time and its schedule, except for one gate: it
only reports Completed once its database work (copy + LCS clean-up, or the export artifact) is done,
so a client that sees Completed can rely on the data being there.

    NotStarted --queue--> InProgress --duration--> Completed [--signoff--> SignedOff]
                                            \\--> Failed --failed_hold--> RollbackInProgress --rollback-->
                                                 RollbackCompleted | RollbackFailed
                                            \\--> Failed (no automatic rollback: older LCS) | Aborted
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field

from ...world import Durations

RUNNING = {"NotStarted", "InProgress", "RollbackInProgress"}
HISTORY_TYPE = {"refresh": "SFSourceDbToSandbox", "export": "SFExportSandboxDb"}
# INVENTED: the history Type of a portal-started point-in-time restore is not documented (lcs-api.md §5.2 lists
# none); clients must accept any restore-like or unknown Type. The admin route can set another one.
PITR_TYPE = "PointInTimeRestore"


@dataclass
class Operation:
    id: str
    kind: str  # refresh | export | pitr (a portal-started point-in-time restore, admin API only)
    project_id: int
    environment_id: str  # the environment the operation runs on: refresh target, export source
    source_environment_id: str
    name: str
    created: dt.datetime
    durations: Durations
    # None (succeeds), "completed" (fails, rolls back), "failed" (rollback fails), "none" (fails, stays
    # Failed: manual rollback) or "aborted" (Aborted, no clean-up)
    fail: str | None = None
    backup_name: str | None = None
    db_started: bool = False  # start-of-operation database effect applied (target refuses connections)
    db_done: bool = False  # copy-point database work finished
    db_error: str | None = None
    finalized: bool = False  # end-of-operation effects applied (connections allowed again, asset added)
    asset_id: str | None = None
    extra: dict = field(default_factory=dict)

    @property
    def started_at(self) -> dt.datetime:
        return self.created + dt.timedelta(seconds=self.durations.queue)

    @property
    def history_type(self) -> str:
        return self.extra.get("type") or HISTORY_TYPE.get(self.kind, PITR_TYPE)

    @property
    def via_api(self) -> bool:
        """Started through the API (counts towards the 3-per-24h quota); a portal-started restore does not."""
        return self.kind != "pitr"

    @property
    def copy_at(self) -> dt.datetime:
        if "run_seconds" in self.extra:
            return self.started_at + dt.timedelta(seconds=self.extra["run_seconds"])
        length = self.durations.refresh if self.kind == "refresh" else self.durations.export
        return self.started_at + dt.timedelta(seconds=length)

    @property
    def rollback_start(self) -> dt.datetime:
        return self.copy_at + dt.timedelta(seconds=self.durations.failed_hold)

    @property
    def rollback_end(self) -> dt.datetime:
        return self.rollback_start + dt.timedelta(seconds=self.durations.rollback)

    def status(self, now: dt.datetime) -> str:
        if now < self.started_at:
            return "NotStarted"
        if now < self.copy_at:
            return "InProgress"
        if self.fail is None and self.db_error is None:
            if not self.db_done:
                return "InProgress"
            if self.durations.signoff is not None and now >= self.copy_at + dt.timedelta(
                    seconds=self.durations.signoff):
                return "SignedOff"
            return "Completed"
        if self.fail == "aborted":
            return "Aborted"
        if self.fail == "none" or now < self.rollback_start:
            return "Failed"
        if now < self.rollback_end:
            return "RollbackInProgress"
        return "RollbackFailed" if self.fail == "failed" else "RollbackCompleted"

    def completion_date(self, now: dt.datetime) -> dt.datetime | None:
        status = self.status(now)
        if status in ("Completed", "SignedOff", "Failed", "Aborted"):
            return self.copy_at
        if status in ("RollbackCompleted", "RollbackFailed"):
            return self.rollback_end
        return None

    def needs_copy(self, now: dt.datetime) -> bool:
        return self.fail is None and not self.db_done and self.db_error is None and now >= self.copy_at

    def is_running(self, now: dt.datetime) -> bool:
        """Holds its environment: running, or failed and about to roll back."""
        status = self.status(now)
        return status in RUNNING or (status == "Failed" and self.fail in ("completed", "failed"))
