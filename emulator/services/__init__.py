"""The emulated services. Each is a package here with ``backend.py`` (state and rules, ``BACKEND`` =
its Backend class) and optionally ``routes.py`` (a Flask ``blueprint``). They are found by
``discover()``: adding a service needs no edit anywhere else (see emulator/README.md, "A new service").
"""

from __future__ import annotations

import importlib
import pkgutil


def discover() -> list[tuple[str, type, object]]:
    """``(name, backend class, blueprint or None)`` of every service package, in name order (which is
    also the order of their entries in ``/_emulator/state`` and ``/_emulator/counters``)."""
    found = []
    for info in sorted(pkgutil.iter_modules(__path__), key=lambda module: module.name):
        if not info.ispkg:
            continue
        backend = importlib.import_module(f"{__name__}.{info.name}.backend")
        try:
            routes = importlib.import_module(f"{__name__}.{info.name}.routes")
        except ModuleNotFoundError as exc:
            if exc.name != f"{__name__}.{info.name}.routes":
                raise
            routes = None
        found.append((info.name, backend.BACKEND, getattr(routes, "blueprint", None)))
    return found
