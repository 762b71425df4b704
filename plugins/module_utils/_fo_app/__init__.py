# -*- coding: utf-8 -*-
# Copyright: (c) 2026, d365fo.dataalm contributors
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)
"""The F&O application layer: OData data entities and the data management (DMF) package API.

One provider of its own, below the fo_entity and fo_data_* modules:

- ``auth``: tokens whose audience is the environment URL (client credentials or delegated);
- ``odata``: key and literal formatting, the three shapes of an action's ``value``, F&O error text;
- ``batch``: OData 4 ``$batch`` bodies (multipart/mixed with one changeset) and their responses;
- ``client``: requests, paging, cross-company, actions, batches;
- ``entities``: what is known about the entities the collection touches (keys, per company);
- ``records``: the plan of fo_entity (which records differ from the desired state);
- ``packages`` and ``transfer``: data package export and import, blob upload and resumable download;
- ``module``: the option set and error handling every module of the group shares.
"""
