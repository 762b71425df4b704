# -*- coding: utf-8 -*-
# Copyright: (c) 2026, d365fo.dataalm contributors
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)
"""The LCS provider of the movement engine (see ``_movement``).

``client``    typed calls to the LCS API (envelopes, regional hosts, date formats, dashless GUIDs);
``status``    LCS's status words and operation types (the status map);
``history``   environment history rows and fetch-status bodies -> engine Operations;
``quota``     the 3-starts-per-24-hours rule;
``rules``     environment rules (Production / Tier-1 targets, source = target, kinds, backup names),
              shared by the lcs_* modules and dataalm_preflight;
``provider``  the refresh and export providers the engine drives;
``options``   the connection options, shared by the modules and the action plugins;
``module``    what every lcs_* module shares (argument specs, client, turning errors into results).

API reference: https://learn.microsoft.com/en-us/dynamics365/fin-ops-core/dev-itpro/database/api/dbmovement-api-overview
"""
