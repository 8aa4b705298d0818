import Database from 'better-sqlite3-multiple-ciphers';
import { describe, expect, it } from 'vitest';
import { MIGRATIONS, SCHEMA_VERSION } from './migrations';
import { configureAndMigrate } from './vault-db';

/**
 * Migration 20 gives the incoming register a table of its own: registrations made before it
 * (kept with the received document's origin) move there with their sequence number, so the
 * next registration continues after them; a number met twice keeps its first registration and
 * the vault still opens.
 */
describe('vault migration 20 (incoming register)', () => {
  it('carries earlier registrations over with their numbers', () => {
    const db = new Database(':memory:');
    db.pragma('foreign_keys = ON');
    for (let v = 0; v < 19; v++) db.exec(MIGRATIONS[v] as string);
    db.pragma('user_version = 19');
    const at = Date.UTC(2026, 2, 1);
    const origin = db.prepare(
      `INSERT INTO document_origins (document_id, sender_device, sender_address, envelope_id, payload_sha256,
         registration_number, registered_at) VALUES (?, 'd', 'a@hq', ?, 'ff', ?, ?)`,
    );
    origin.run('doc-1', 'env-1', '4/2026/ĐẾN', at);
    origin.run('doc-2', 'env-2', 'CV-17', at + 1);
    origin.run('doc-3', 'env-3', '4/2026/ĐẾN', at + 2);
    origin.run('doc-4', 'env-4', null, null);
    configureAndMigrate(db);
    expect(db.pragma('user_version', { simple: true })).toBe(SCHEMA_VERSION);
    expect(
      db.prepare('SELECT document_id, year, number, registration_number FROM document_registrations').all(),
    ).toEqual([
      { document_id: 'doc-1', year: 2026, number: 4, registration_number: '4/2026/ĐẾN' },
      { document_id: 'doc-2', year: 2026, number: null, registration_number: 'CV-17' },
    ]);
    db.close();
  });
});
