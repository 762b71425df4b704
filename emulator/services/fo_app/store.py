"""SQL for the entity sets of one environment's database (psycopg; one connection per environment, locked).

A database movement or a reset replaces the database under us, so a broken connection is reopened once.
"""

from __future__ import annotations

import contextlib
import threading

from .entities import BY_DMF_NAME, BY_SET, EXTRA_DDL, Entity

FIRST_RECID = 5637160000


class StoreError(ValueError):
    """A change the data would not take; ``status`` is the HTTP status F&O would answer."""

    def __init__(self, message, status=400):
        self.status = status
        super().__init__(message)


class Store:
    def __init__(self, dsn: str):
        self.dsn = dsn
        self.lock = threading.RLock()
        self._conn = None
        self._schema_ready = False

    def close(self):
        with self.lock:
            if self._conn is not None and not self._conn.closed:
                self._conn.close()
            self._conn = None

    def _connection(self):
        import psycopg

        if self._conn is not None and not self._conn.closed:
            try:
                self._conn.execute("SELECT 1")  # a movement or reset may have replaced the database under us
            except psycopg.Error:
                self._conn = None
        if self._conn is None or self._conn.closed:
            self._conn = psycopg.connect(self.dsn, autocommit=False)
            self._schema_ready = False
        if not self._schema_ready:
            self._ensure_schema(self._conn)
        return self._conn

    @staticmethod
    def _ensure_schema(conn):
        with conn.cursor() as cur:
            for statement in EXTRA_DDL:
                cur.execute(statement)
            # every entity the emulator serves, also those added after a database was first seeded
            known = {row[0] for row in cur.execute("SELECT ENTITYNAME FROM DMFENTITY").fetchall()}
            for name, entity in sorted(BY_DMF_NAME.items()):
                if name not in known:
                    cur.execute("INSERT INTO DMFENTITY (RECID, ENTITYNAME, TARGETENTITY) SELECT"
                                f" COALESCE(MAX(RECID), {FIRST_RECID - 1}) + 1, %s, %s FROM DMFENTITY",
                                (name, entity.set_name))
        conn.commit()

    @contextlib.contextmanager
    def transaction(self):
        """One unit of work: committed when the block ends, rolled back on any exception."""
        import psycopg

        with self.lock:
            for attempt in (1, 2):
                try:
                    conn = self._connection()
                    break
                except psycopg.OperationalError:
                    self._conn = None
                    if attempt == 2:
                        raise
            try:
                yield conn.cursor()
                conn.commit()
            except psycopg.OperationalError:
                self._conn = None  # the database was replaced (refresh, reset): reconnect next time
                raise
            except Exception:
                conn.rollback()
                raise

    # -- entity rows ---------------------------------------------------------------------------------
    @staticmethod
    def _select(entity: Entity):
        columns = ", ".join(f.column for f in entity.fields)
        order = ", ".join(entity.field_named(k).column for k in entity.keys)
        return f"SELECT {columns}, RECVERSION FROM {entity.table}", order

    @staticmethod
    def _json(entity: Entity, row):
        record = {"@odata.etag": 'W/"%s"' % row[-1]}
        for f, value in zip(entity.fields, row[:-1], strict=True):
            record[f.name] = f.to_json(value)
        return record

    def rows(self, cur, entity: Entity) -> list[dict]:
        select, order = self._select(entity)
        return [self._json(entity, row) for row in cur.execute(f"{select} ORDER BY {order}").fetchall()]

    def get(self, cur, entity: Entity, key: dict) -> dict | None:
        select, _order = self._select(entity)
        where, params = self._where(entity, key)
        row = cur.execute(f"{select} WHERE {where}", params).fetchone()
        return self._json(entity, row) if row else None

    @staticmethod
    def _where(entity: Entity, key: dict):
        params = []
        for name in entity.keys:
            params.append(Store._company(entity, name, entity.field_named(name).to_db(key[name])))
        return " AND ".join("%s = %%s" % entity.field_named(k).column for k in entity.keys), params

    def _columns(self, entity: Entity, body: dict) -> dict:
        columns = {}
        for name, value in body.items():
            if name.startswith("@odata"):
                continue
            f = entity.field_named(name)
            if f is None:
                raise StoreError(f"The property '{name}' does not exist on type "
                                 f"'Microsoft.Dynamics.DataEntities.{entity.set_name}'.")
            try:
                columns[f.column] = self._company(entity, name, f.to_db(value))
            except ValueError as exc:
                raise StoreError(str(exc)) from None
        return columns

    @staticmethod
    def _company(entity: Entity, name, value):
        """F&O keeps the legal entity in lower case (dataAreaId 'usmf') and matches it in any case."""
        return value.lower() if name == entity.company_field and isinstance(value, str) else value

    def _check_references(self, cur, entity: Entity, record: dict):
        """A value that must name a record of another entity (F&O's table relations), in the same company."""
        for name, (set_name, key_field) in entity.references.items():
            value = record.get(name)
            if value in (None, ""):
                continue
            other = BY_SET[set_name]
            column, company = other.field_named(key_field).column, other.company_field
            where, params = f"{column} = %s", [value]
            if company and entity.company_field:
                where += f" AND {other.field_named(company).column} = %s"
                params.append(str(record.get(entity.company_field) or "").lower())
            if cur.execute(f"SELECT 1 FROM {other.table} WHERE {where}", params).fetchone() is None:
                raise StoreError(f"The value '{value}' in field '{name}' is not found in the relating table "
                                 f"'{set_name}'.")

    def insert(self, cur, entity: Entity, body: dict) -> dict:
        body = dict(body)
        recid = cur.execute(f"SELECT COALESCE(MAX(RECID), {FIRST_RECID}) + 1 FROM {entity.table}").fetchone()[0]
        if entity.generated_key:
            body[entity.generated_key] = recid
        missing = [k for k in entity.keys if body.get(k) in (None, "")]
        if missing:
            raise StoreError(f"Field '{missing[0]}' must be filled in.")
        if self.get(cur, entity, {k: body[k] for k in entity.keys}) is not None:
            raise StoreError(f"Cannot create a record in {entity.set_name}. The record already exists.", 409)
        columns = self._columns(entity, body)
        columns.pop("RECID", None)
        self._check_references(cur, entity, body)
        names = ["RECID", *columns]
        cur.execute(f"INSERT INTO {entity.table} ({', '.join(names)}) VALUES ({', '.join(['%s'] * len(names))})",
                    [recid, *columns.values()])
        return self.get(cur, entity, {k: body[k] for k in entity.keys})

    def update(self, cur, entity: Entity, key: dict, body: dict, if_match: str | None) -> None:
        current = self.get(cur, entity, key)
        if current is None:
            raise StoreError(f"No {entity.set_name} record matches the key.", 404)
        if if_match not in (None, "*") and if_match != current["@odata.etag"]:
            raise StoreError("The record was changed by someone else (ETag mismatch).", 412)
        for name in entity.keys:
            if name in body and body[name] != current[name]:
                raise StoreError(f"Key field '{name}' cannot be changed.")
        columns = self._columns(entity, body)
        if not columns:
            return
        self._check_references(cur, entity, {**current, **body})
        where, params = self._where(entity, key)
        assignments = ", ".join("%s = %%s" % column for column in columns) + ", RECVERSION = RECVERSION + 1"
        cur.execute(f"UPDATE {entity.table} SET {assignments} WHERE {where}", list(columns.values()) + params)

    def delete(self, cur, entity: Entity, key: dict, if_match: str | None) -> None:
        current = self.get(cur, entity, key)
        if current is None:
            raise StoreError(f"No {entity.set_name} record matches the key.", 404)
        if if_match not in (None, "*") and if_match != current["@odata.etag"]:
            raise StoreError("The record was changed by someone else (ETag mismatch).", 412)
        where, params = self._where(entity, key)
        cur.execute(f"DELETE FROM {entity.table} WHERE {where}", params)

    # -- authorisation lookups -------------------------------------------------------------------------
    @staticmethod
    def app_user(cur, client_id: str):
        """(user id, enabled) of the user an Entra application is mapped to, or None when not registered."""
        row = cur.execute("SELECT A.USERID, U.ENABLE FROM SYSAADCLIENTTABLE A LEFT JOIN USERINFO U ON U.ID = A.USERID"
                          " WHERE LOWER(A.AADCLIENTID) = LOWER(%s)", (client_id,)).fetchone()
        return (row[0], bool(row[1])) if row else None

    @staticmethod
    def person(cur, upn: str):
        row = cur.execute("SELECT ID, ENABLE FROM USERINFO WHERE LOWER(NETWORKALIAS) = LOWER(%s)", (upn,)).fetchone()
        return (row[0], bool(row[1])) if row else None
