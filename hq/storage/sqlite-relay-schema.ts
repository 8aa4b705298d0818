import type Database from 'better-sqlite3-multiple-ciphers';

type Db = InstanceType<typeof Database>;

/** The relay database file inside the data directory. */
export const RELAY_DB_FILE = 'relay.sqlite';

const SCHEMA = `
CREATE TABLE IF NOT EXISTS devices (
  id TEXT PRIMARY KEY,
  status TEXT NOT NULL CHECK (status IN ('pending', 'approved', 'revoked')),
  sign_public_key TEXT NOT NULL UNIQUE,
  box_public_key TEXT NOT NULL,
  enrolment_request TEXT NOT NULL,
  created_at INTEGER NOT NULL,
  updated_at INTEGER NOT NULL,
  officer_address TEXT,
  officer_name TEXT,
  officer_department TEXT,
  certificate_fingerprint TEXT,
  approved_by_ca TEXT
);
CREATE TABLE IF NOT EXISTS mail_items (
  id TEXT PRIMARY KEY,
  recipient TEXT NOT NULL REFERENCES devices(id),
  sender TEXT NOT NULL REFERENCES devices(id),
  envelope_id TEXT NOT NULL,
  size INTEGER NOT NULL CHECK (size > 0),
  sha256 TEXT NOT NULL,
  state TEXT NOT NULL CHECK (state IN ('uploading', 'complete', 'acked')),
  received INTEGER NOT NULL DEFAULT 0,
  cursor INTEGER UNIQUE,
  created_at INTEGER NOT NULL,
  UNIQUE (sender, envelope_id)
);
CREATE INDEX IF NOT EXISTS mail_items_inbox ON mail_items (recipient, state, cursor);
CREATE INDEX IF NOT EXISTS mail_items_expiry ON mail_items (state, created_at);
CREATE TABLE IF NOT EXISTS device_cursors (
  device TEXT PRIMARY KEY REFERENCES devices(id),
  cursor INTEGER NOT NULL
);
CREATE TABLE IF NOT EXISTS prekeys (
  device TEXT NOT NULL REFERENCES devices(id),
  prekey_id TEXT NOT NULL,
  public_key TEXT NOT NULL,
  created_at INTEGER NOT NULL,
  signature TEXT NOT NULL,
  PRIMARY KEY (device, prekey_id)
);
-- The bytes of items that came whole (small ones): written in the commit that lists them.
CREATE TABLE IF NOT EXISTS item_bytes (
  item_id TEXT PRIMARY KEY REFERENCES mail_items(id) ON DELETE CASCADE,
  data BLOB NOT NULL
);
CREATE TABLE IF NOT EXISTS meta (
  key TEXT PRIMARY KEY,
  value INTEGER NOT NULL
);
`;

/**
 * Schema 2 added the officer columns, prekeys and the directory serial; 3 the bytes of items
 * that came whole (an older relay would not find them, so it must refuse the file).
 */
const SCHEMA_VERSION = 3;
/** Columns schema 2 added to `devices` (a schema-1 file gets them, NULL for its old devices). */
const OFFICER_COLUMNS = [
  'officer_address',
  'officer_name',
  'officer_department',
  'certificate_fingerprint',
  'approved_by_ca',
] as const;

/** Creates the schema, or brings a schema-1 file (no officer columns) up to date. */
export function migrateRelayDb(db: Db): void {
  const version = db.pragma('user_version', { simple: true }) as number;
  if (version > SCHEMA_VERSION) {
    throw new Error(`${RELAY_DB_FILE} has schema ${version}; this relay knows ${SCHEMA_VERSION}`);
  }
  db.transaction(() => {
    db.exec(SCHEMA);
    const columns = new Set(
      (db.prepare('SELECT name FROM pragma_table_info(?)').all('devices') as { name: string }[]).map(
        (c) => c.name,
      ),
    );
    for (const c of OFFICER_COLUMNS) if (!columns.has(c)) db.exec(`ALTER TABLE devices ADD COLUMN ${c} TEXT`);
    db.pragma(`user_version = ${SCHEMA_VERSION}`);
  }).immediate();
}
