-- Data through time for an F&O database (unified environments): every row change is recorded with the
-- emulator's VIRTUAL time, its before and after images, in commit order. "The data as of T" is the
-- current data with every change after T undone, newest first (dataalm_rewind, or history.rows_as_of).
-- Installed into the seeded template, so every copy starts with an empty history.

CREATE TABLE dataalm_clock (
  anchor_virtual timestamptz NOT NULL,
  anchor_real timestamptz NOT NULL,
  speed float8 NOT NULL
);
INSERT INTO dataalm_clock VALUES (clock_timestamp(), clock_timestamp(), 1);

CREATE TABLE dataalm_row_history (
  seq bigserial PRIMARY KEY,
  at timestamptz NOT NULL,
  table_name text NOT NULL,
  op char(1) NOT NULL CHECK (op IN ('I', 'U', 'D')),
  old_row jsonb,
  new_row jsonb
);
CREATE INDEX dataalm_row_history_at ON dataalm_row_history (at);

-- The emulator's clock as the database sees it (the emulator re-anchors it whenever its clock jumps).
CREATE FUNCTION dataalm_virtual_now() RETURNS timestamptz LANGUAGE sql STABLE AS $$
  SELECT anchor_virtual + (clock_timestamp() - anchor_real) * speed FROM dataalm_clock LIMIT 1
$$;

CREATE FUNCTION dataalm_record_row() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
  IF current_setting('dataalm.rewinding', true) = 'on' THEN
    RETURN NULL;
  END IF;
  INSERT INTO dataalm_row_history (at, table_name, op, old_row, new_row)
  VALUES (dataalm_virtual_now(), TG_TABLE_NAME, left(TG_OP, 1),
          CASE WHEN TG_OP <> 'INSERT' THEN to_jsonb(OLD) END,
          CASE WHEN TG_OP <> 'DELETE' THEN to_jsonb(NEW) END);
  RETURN NULL;
END $$;

-- TRUNCATE fires no row triggers: record every row it removes as a delete first.
CREATE FUNCTION dataalm_record_truncate() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
  IF current_setting('dataalm.rewinding', true) = 'on' THEN
    RETURN NULL;
  END IF;
  EXECUTE format('INSERT INTO dataalm_row_history (at, table_name, op, old_row) '
                 'SELECT dataalm_virtual_now(), %L, ''D'', to_jsonb(t) FROM %I t', TG_TABLE_NAME, TG_TABLE_NAME);
  RETURN NULL;
END $$;

-- Undo every change after `instant`, newest first, leaving the data exactly as it was at `instant`
-- (rows are matched by their whole image, so tables without a key are rewound exactly too).
CREATE FUNCTION dataalm_rewind(instant timestamptz) RETURNS bigint LANGUAGE plpgsql AS $$
DECLARE
  change record;
  victim tid;
  undone bigint := 0;
BEGIN
  PERFORM set_config('dataalm.rewinding', 'on', true);
  FOR change IN SELECT * FROM dataalm_row_history WHERE at > instant ORDER BY seq DESC LOOP
    IF change.op IN ('I', 'U') THEN
      EXECUTE format('SELECT ctid FROM %I t WHERE to_jsonb(t) = $1 LIMIT 1', change.table_name)
        INTO victim USING change.new_row;
      IF victim IS NULL THEN
        RAISE EXCEPTION 'dataalm_rewind: row % of % not found', change.new_row, change.table_name;
      END IF;
      EXECUTE format('DELETE FROM %I WHERE ctid = $1', change.table_name) USING victim;
    END IF;
    IF change.op IN ('U', 'D') THEN
      EXECUTE format('INSERT INTO %I SELECT * FROM jsonb_populate_record(NULL::%I, $1)',
                     change.table_name, change.table_name) USING change.old_row;
    END IF;
    undone := undone + 1;
  END LOOP;
  DELETE FROM dataalm_row_history WHERE at > instant;
  PERFORM set_config('dataalm.rewinding', 'off', true);
  RETURN undone;
END $$;

DO $$
DECLARE
  t text;
BEGIN
  FOR t IN SELECT table_name FROM information_schema.tables
           WHERE table_schema = 'public' AND table_type = 'BASE TABLE'
             AND table_name NOT IN ('dataalm_clock', 'dataalm_row_history') LOOP
    EXECUTE format('CREATE TRIGGER dataalm_history AFTER INSERT OR UPDATE OR DELETE ON %I '
                   'FOR EACH ROW EXECUTE FUNCTION dataalm_record_row()', t);
    EXECUTE format('CREATE TRIGGER dataalm_history_truncate BEFORE TRUNCATE ON %I '
                   'FOR EACH STATEMENT EXECUTE FUNCTION dataalm_record_truncate()', t);
  END LOOP;
END $$;
