# -*- coding: utf-8 -*-
# Copyright: (c) 2026, d365fo.dataalm contributors
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)
"""One error family for everything a movement can report: what happened, whether waiting helps, what to do next."""

from __future__ import annotations

from .._redact import redact


class MovementError(Exception):
    """Base of every error the collection reports as a failed result.

    ``transient``: waiting and trying again may help (throttling, 5xx, dropped connections).
    ``hint``: the follow-up the user should take, appended to the message.
    ``details``: result keys that go with the failure (``to_dict()``).
    """

    transient = False

    def __init__(self, message, hint=None, details=None):
        self.hint = hint
        self.details = dict(details or {})
        super().__init__(redact(message))

    def to_dict(self):
        return dict(self.details)

    def __str__(self):
        text = super().__str__()
        return "%s; %s" % (text, self.hint) if self.hint else text


class InputError(MovementError, ValueError):
    """Bad input detected before any call that changes something; the message says what to change."""


class EnvironmentBusy(MovementError):
    """Another operation occupies the environment, so the service would refuse a start."""


class QuotaExceeded(MovementError):
    """The service's start quota is used up; ``next_allowed_at`` is when a start may succeed (or None)."""

    def __init__(self, message, next_allowed_at=None, **kwargs):
        self.next_allowed_at = next_allowed_at
        super().__init__(message, **kwargs)


class OperationFailed(MovementError):
    """The operation ended without success; ``details`` hold its result keys."""


class NotFound(MovementError):
    """Nothing to follow: a started operation could not be located, or an observed one never appeared."""


class WaitTimeout(MovementError):
    """The deadline passed; ``operation`` is the last status seen (None if no poll succeeded)."""

    def __init__(self, message, operation=None, elapsed=0.0, polls=0, **kwargs):
        self.operation = operation
        self.elapsed = elapsed
        self.polls = polls
        super().__init__(message, **kwargs)


class Abandoned(WaitTimeout):
    """The controller that asked for the wait is gone; the operation keeps running in the service."""


def error_details(exc):
    """Result keys of any error a provider raised (an auth error may only carry an Entra code)."""
    if hasattr(exc, "to_dict"):
        return exc.to_dict()
    return {"aadsts": getattr(exc, "code", None)}
