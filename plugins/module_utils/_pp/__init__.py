# -*- coding: utf-8 -*-
# Copyright: (c) 2026, d365fo.dataalm contributors
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)
"""Power Platform provider: the Power Platform API (environments, backups, operations, F&O properties) and
the BAP admin API (admin mode), with the status map and history adapter the movement engine needs."""
