# -*- coding: utf-8 -*-
# Copyright: (c) 2026, d365fo.dataalm contributors
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)
"""The provider-neutral movement engine: start, locate, join or skip one long-running operation, then wait.

It knows no service. A service (LCS, Power Platform, ...) plugs in as a **provider**: an object with

``statuses``       a :class:`~.operation.StatusMap` (the service's status words -> neutral state, busy or not);
``label``          what the operation is called in messages (``"database refresh"``);
``service``        the service's name in messages (``"LCS"``);
``follow_up``      the module that follows an operation by id (``"d365fo.dataalm.lcs_operation_info"``);
``initial_status`` the status word of an operation the service has just accepted (``"NotStarted"``);
``no_error_text``  what to say when a failed operation carries no error text;
``history()``  the target's operations, newest first, as :class:`~.operation.Operation` objects whose
               ``movement`` is the neutral kind (``"refresh"``) or None for unrelated work;
``start()``    the one mutating call; returns the new operation id, or None when the service only
               accepted the request (HTTP 202): the engine then **locates** the operation in ``history()``;
``fetch(op)``  the operation's current :class:`~.operation.Operation`;
``now()``      the service's clock (aware UTC datetime), for windows measured like its history;

and optionally

``errors``     exception classes a provider call may raise and the engine reports (default ``(MovementError,)``;
               LCS adds the sign-in error);
``busy_error`` the EnvironmentBusy subclass to raise when other work occupies the environment;
``quota``      a :class:`~.quota.QuotaPolicy` (starts allowed per window; how a refusal is explained);
               ``start()`` raises a :class:`~.errors.QuotaExceeded` when the service refuses for its quota;
``validate()`` a server-side, non-mutating validation that check mode calls instead of ``start()``;
``observe_only = True`` with ``start_hint``: for operations a person starts elsewhere (an LCS portal
               restore), found and followed, never started; ``start_hint`` says where to start one.

A transient error from ``start()`` (its answer was lost) makes the engine look for the operation in
``history()`` before failing, so nothing is ever started twice. ``tests/unit/plugins/module_utils/
test_movement_engine.py`` drives every path with a toy provider of a few lines.

Modules call :func:`~.orchestrate.run_movement` with a provider and a :class:`~.orchestrate.Request`.
Every failure is a :class:`~.errors.MovementError` (``transient``, ``to_dict()``, ``hint``).

The shape follows amazon.aws (a waiter with injected clock and sleep,
https://github.com/ansible-collections/amazon.aws/blob/main/plugins/module_utils/waiters.py) and
kubernetes.core (a registry of status predicates,
https://github.com/ansible-collections/kubernetes.core/blob/main/plugins/module_utils/k8s/waiter.py).
"""
