"""The F&O application layer of each emulated environment: OData entities over its PostgreSQL database, the
data management package API with executions in virtual time, and blob storage for packages.

Files: ``entities.py`` (entity sets -> tables, enums), ``odata_filter.py`` ($filter), ``store.py`` (SQL),
``dmf.py`` (executions, packages, blobs), ``actions.py`` (the DMF actions), ``backend.py`` (state,
authorisation, faults) and ``routes.py`` (HTTP, package blobs, ``/_emulator/fo/*`` settings and counters).
Environment URL: ``{base_url}/fo/{environment name}``.
"""
