import type pg from 'pg';
import { inTransaction, lockName } from './pg-pool';

/**
 * The PostgreSQL schema as an ordered list of migrations. Each relay instance applies the
 * missing ones at start, under one advisory lock, so instances started together do not race;
 * an instance older than the database (a version it does not know) refuses to start rather
 * than write into a schema it does not understand. Append only: a released step never changes.
 */
export const PG_MIGRATIONS: readonly { readonly version: number; readonly sql: string }[] = [
  {
    version: 1,
    sql: `
CREATE TABLE devices (
  id TEXT PRIMARY KEY,
  status TEXT NOT NULL CHECK (status IN ('pending', 'approved', 'revoked')),
  sign_public_key TEXT NOT NULL UNIQUE,
  box_public_key TEXT NOT NULL,
  enrolment_request TEXT NOT NULL,
  created_at BIGINT NOT NULL,
  updated_at BIGINT NOT NULL,
  officer_address TEXT,
  officer_name TEXT,
  officer_department TEXT,
  certificate_fingerprint TEXT,
  approved_by_ca TEXT
);
CREATE TABLE mail_items (
  id TEXT PRIMARY KEY,
  recipient TEXT NOT NULL REFERENCES devices(id),
  sender TEXT NOT NULL REFERENCES devices(id),
  envelope_id TEXT NOT NULL,
  size BIGINT NOT NULL CHECK (size > 0),
  sha256 TEXT NOT NULL,
  state TEXT NOT NULL CHECK (state IN ('uploading', 'complete', 'acked')),
  received BIGINT NOT NULL DEFAULT 0,
  cursor BIGINT UNIQUE,
  created_at BIGINT NOT NULL,
  UNIQUE (sender, envelope_id)
);
CREATE INDEX mail_items_inbox ON mail_items (recipient, state, cursor);
CREATE INDEX mail_items_expiry ON mail_items (state, created_at);
CREATE INDEX mail_items_sender_open ON mail_items (sender, state);
-- Mailbox cursors: one relay-wide sequence, taken under the recipient's lock (see completeItem).
CREATE SEQUENCE mail_cursor_seq;
CREATE TABLE device_cursors (
  device TEXT PRIMARY KEY REFERENCES devices(id),
  cursor BIGINT NOT NULL
);
CREATE TABLE prekeys (
  device TEXT NOT NULL REFERENCES devices(id),
  prekey_id TEXT NOT NULL,
  public_key TEXT NOT NULL,
  created_at BIGINT NOT NULL,
  signature TEXT NOT NULL,
  PRIMARY KEY (device, prekey_id)
);
CREATE TABLE meta (
  key TEXT PRIMARY KEY,
  value BIGINT NOT NULL
);
INSERT INTO meta (key, value) VALUES ('directory_serial', 0);
-- Item bytes (ciphertext) in chunks keyed by their first byte's offset. No foreign key: the
-- bytes may arrive before a crash leaves their item behind, and the start-up sweep removes them.
CREATE TABLE item_chunks (
  item_id TEXT NOT NULL,
  start BIGINT NOT NULL,
  data BYTEA NOT NULL,
  PRIMARY KEY (item_id, start)
);
-- Ciphertext does not compress: store it out of line without trying.
ALTER TABLE item_chunks ALTER COLUMN data SET STORAGE EXTERNAL;
-- Sessions shared by every instance. Only SHA-256 of nonces and tokens is stored: a copy of
-- the database (a backup) does not hold a usable bearer token.
CREATE TABLE auth_challenges (
  nonce_hash BYTEA PRIMARY KEY,
  device TEXT NOT NULL,
  -- The device and the address that asked: each pair holds a few nonces at most.
  owner TEXT NOT NULL,
  expires_at BIGINT NOT NULL
);
CREATE TABLE auth_sessions (
  token_hash BYTEA PRIMARY KEY,
  device TEXT NOT NULL,
  expires_at BIGINT NOT NULL
);
CREATE INDEX auth_sessions_expiry ON auth_sessions (expires_at);
CREATE INDEX auth_challenges_expiry ON auth_challenges (expires_at);
CREATE INDEX auth_challenges_owner ON auth_challenges (owner, expires_at);
`,
  },
  {
    // A small item sent whole, in one round trip (pg-mail-writes.ts): under the recipient's
    // mailbox lock, the idempotency and quota rules, the row (complete, next cursor), its bytes
    // and the NOTIFY. Each statement in a VOLATILE function takes a fresh snapshot, so the
    // reads after the lock see every item committed before it, as in a transaction of
    // separate statements.
    version: 2,
    sql: `
CREATE FUNCTION embassy_create_whole_item(
  p_lock BIGINT, p_channel TEXT, p_id TEXT, p_recipient TEXT, p_sender TEXT, p_envelope TEXT,
  p_size BIGINT, p_sha256 TEXT, p_created BIGINT, p_data BYTEA, p_max_pending BIGINT
) RETURNS TABLE (outcome TEXT, item JSONB, pending BIGINT)
LANGUAGE plpgsql VOLATILE AS $$
DECLARE
  v_earlier mail_items;
  v_row mail_items;
  v_pending BIGINT;
BEGIN
  PERFORM pg_advisory_xact_lock(p_lock);
  SELECT * INTO v_earlier FROM mail_items WHERE sender = p_sender AND envelope_id = p_envelope;
  IF FOUND THEN
    RETURN QUERY SELECT
      CASE WHEN v_earlier.recipient = p_recipient AND v_earlier.size = p_size AND v_earlier.sha256 = p_sha256
           THEN 'existing' ELSE 'conflict' END,
      to_jsonb(v_earlier), NULL::BIGINT;
    RETURN;
  END IF;
  SELECT COALESCE(SUM(CASE state WHEN 'uploading' THEN received ELSE size END), 0) INTO v_pending
    FROM mail_items WHERE recipient = p_recipient AND state <> 'acked';
  IF v_pending + p_size > p_max_pending THEN
    RETURN QUERY SELECT 'quota'::TEXT, NULL::JSONB, v_pending;
    RETURN;
  END IF;
  INSERT INTO mail_items (id, recipient, sender, envelope_id, size, sha256, state, received, cursor, created_at)
    VALUES (p_id, p_recipient, p_sender, p_envelope, p_size, p_sha256, 'complete', p_size,
            nextval('mail_cursor_seq'), p_created)
    RETURNING * INTO v_row;
  INSERT INTO item_chunks (item_id, start, data) VALUES (p_id, 0, p_data);
  PERFORM pg_notify(p_channel, v_row.recipient || ':' || v_row.cursor);
  RETURN QUERY SELECT 'created'::TEXT, to_jsonb(v_row), NULL::BIGINT;
END;
$$;
`,
  },
  {
    version: 3,
    sql: `
-- Sealed audit batches: ciphertext for HQ's audit key, never opened by the relay.
CREATE TABLE audit_batches (
  id BIGSERIAL PRIMARY KEY,
  device TEXT NOT NULL REFERENCES devices(id),
  first BIGINT NOT NULL,
  count INTEGER NOT NULL,
  sha256 TEXT NOT NULL UNIQUE,
  sealed BYTEA NOT NULL,
  received_at BIGINT NOT NULL
);
CREATE INDEX audit_batches_device ON audit_batches (device, id);
`,
  },
  {
    version: 4,
    sql: `
-- The published directory versions, a hash chain (pg-directory-chain.ts).
CREATE TABLE directory_versions (
  serial BIGINT PRIMARY KEY,
  issued_at BIGINT NOT NULL,
  digest TEXT NOT NULL,
  link TEXT NOT NULL UNIQUE,
  previous_serial BIGINT NOT NULL UNIQUE,
  previous_link TEXT
);
-- Administrators' decisions that overrode a check (admin-log-stores.ts).
CREATE TABLE admin_log (
  id BIGSERIAL PRIMARY KEY,
  at BIGINT NOT NULL,
  action TEXT NOT NULL,
  device TEXT NOT NULL,
  detail TEXT NOT NULL
);
`,
  },
  {
    // Group commit of whole items (pg-whole-item-batch.ts): the items of several requests in
    // one call and one transaction, so one WAL flush answers them all. Every mailbox lock of
    // the batch is taken first, in ascending order, so two batches (or a batch and a
    // one-mailbox transaction) never wait on each other in a cycle. Then each item follows
    // the rules of embassy_create_whole_item in the order given; an insert that meets an
    // envelope committed meanwhile through another mailbox answers as that rule does, instead
    // of failing the batch. The items' bytes come as one binary parameter, cut by their
    // lengths (a bytea[] would travel as hex text). One row per item, numbered from 1.
    version: 5,
    sql: `
CREATE FUNCTION embassy_create_whole_items(
  p_channel TEXT, p_mailbox TEXT[], p_id TEXT[], p_recipient TEXT[], p_sender TEXT[],
  p_envelope TEXT[], p_size BIGINT[], p_sha256 TEXT[], p_created BIGINT[], p_length INTEGER[],
  p_data BYTEA, p_max_pending BIGINT[]
) RETURNS TABLE (n INTEGER, outcome TEXT, item JSONB, pending BIGINT)
LANGUAGE plpgsql VOLATILE AS $$
DECLARE
  v_lock BIGINT;
  v_earlier mail_items;
  v_row mail_items;
  v_pending BIGINT;
  v_start INTEGER := 1;
BEGIN
  FOR v_lock IN SELECT DISTINCT hashtextextended(m, 0) AS k FROM unnest(p_mailbox) AS m ORDER BY k LOOP
    PERFORM pg_advisory_xact_lock(v_lock);
  END LOOP;
  FOR i IN 1 .. COALESCE(array_length(p_id, 1), 0) LOOP
    n := i;
    pending := NULL;
    v_start := v_start + COALESCE(p_length[i - 1], 0);
    SELECT * INTO v_earlier FROM mail_items WHERE sender = p_sender[i] AND envelope_id = p_envelope[i];
    IF NOT FOUND THEN
      SELECT COALESCE(SUM(CASE state WHEN 'uploading' THEN received ELSE size END), 0) INTO v_pending
        FROM mail_items WHERE recipient = p_recipient[i] AND state <> 'acked';
      IF v_pending + p_size[i] > p_max_pending[i] THEN
        outcome := 'quota';
        item := NULL;
        pending := v_pending;
        RETURN NEXT;
        CONTINUE;
      END IF;
      INSERT INTO mail_items (id, recipient, sender, envelope_id, size, sha256, state, received, cursor, created_at)
        VALUES (p_id[i], p_recipient[i], p_sender[i], p_envelope[i], p_size[i], p_sha256[i], 'complete',
                p_size[i], nextval('mail_cursor_seq'), p_created[i])
        ON CONFLICT (sender, envelope_id) DO NOTHING
        RETURNING * INTO v_row;
      IF FOUND THEN
        INSERT INTO item_chunks (item_id, start, data) VALUES (p_id[i], 0, substring(p_data FROM v_start FOR p_length[i]));
        PERFORM pg_notify(p_channel, v_row.recipient || ':' || v_row.cursor);
        outcome := 'created';
        item := to_jsonb(v_row);
        RETURN NEXT;
        CONTINUE;
      END IF;
      SELECT * INTO v_earlier FROM mail_items WHERE sender = p_sender[i] AND envelope_id = p_envelope[i];
    END IF;
    outcome := CASE WHEN v_earlier.recipient = p_recipient[i] AND v_earlier.size = p_size[i]
                         AND v_earlier.sha256 = p_sha256[i]
                    THEN 'existing' ELSE 'conflict' END;
    item := to_jsonb(v_earlier);
    RETURN NEXT;
  END LOOP;
END;
$$;
`,
  },
];

/** The newest schema this code knows. */
export const PG_SCHEMA_VERSION = PG_MIGRATIONS.at(-1)?.version ?? 0;

/** Thrown by `migratePg(…, { create: false })` on a database that holds no relay. */
export class NoRelaySchemaError extends Error {
  override readonly name = 'NoRelaySchemaError';
}

/**
 * Applies the missing migrations; returns the schema version now in place. With `create:
 * false` (the admin commands) a database without the relay's schema is refused, not set up:
 * a mistyped URL must not start a new, empty relay.
 */
export async function migratePg(pool: pg.Pool, options: { create?: boolean } = {}): Promise<number> {
  return inTransaction(pool, async (c) => {
    await lockName(c, 'embassy-relay-schema');
    await c.query(`CREATE TABLE IF NOT EXISTS schema_migrations (
      version INTEGER PRIMARY KEY, applied_at BIGINT NOT NULL)`);
    const { rows } = await c.query<{ v: number | null }>('SELECT MAX(version) AS v FROM schema_migrations');
    const current = rows[0]?.v ?? 0;
    if (current === 0 && options.create === false)
      throw new NoRelaySchemaError('no relay schema in this database');
    if (current > PG_SCHEMA_VERSION) {
      throw new Error(`the database has relay schema ${current}; this relay knows ${PG_SCHEMA_VERSION}`);
    }
    for (const m of PG_MIGRATIONS) {
      if (m.version <= current) continue;
      await c.query(m.sql);
      await c.query('INSERT INTO schema_migrations (version, applied_at) VALUES ($1, $2)', [
        m.version,
        Date.now(),
      ]);
    }
    return PG_SCHEMA_VERSION;
  });
}
