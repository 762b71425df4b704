"""What every emulated service shares: clock, lock, faults, counters, event log (``Core``), the
``Backend`` base class, the ``Emulator`` that composes them, and the admin blueprint (``/_emulator``)."""

from .backend import Backend
from .core import Core
from .emulator import Emulator

__all__ = ["Backend", "Core", "Emulator"]
