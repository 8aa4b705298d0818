import Database from 'better-sqlite3-multiple-ciphers';
import { describe, expect, it } from 'vitest';
import { MIGRATIONS, SCHEMA_VERSION } from './migrations';
import { configureAndMigrate } from './vault-db';

/**
 * Migration 15 replaces `documents.status` (its CHECK gains values) and 16 rebuilds
 * `sync_outbox` (receipts): a vault at version 14 keeps every document, version and
 * attachment (no cascade), and a received document stored as 'sent' becomes 'received'.
 */
describe('vault migrations 15 and 16 (workflow, receipts)', () => {
  it('keeps a populated vault whole and maps received documents to their own status', () => {
    const db = new Database(':memory:');
    db.pragma('foreign_keys = ON');
    for (let v = 0; v < 14; v++) db.exec(MIGRATIONS[v] as string);
    db.pragma('user_version = 14');
    const at = '2026-01-01T00:00:00.000Z';
    const doc = db.prepare(
      `INSERT INTO documents (id, registry_number, date, direction, classification, status, subject,
         sender, recipients, created_at, updated_at, unread, received_from)
       VALUES (?, ?, ?, ?, 'unclassified', ?, 's', 'a', '[]', ?, ?, ?, ?)`,
    );
    doc.run('in-1', '1/2026', at, 'incoming', 'sent', at, at, 1, 'HQ <hq@example>');
    doc.run('out-1', '2/2026', at, 'outgoing', 'sent', at, at, 0, null);
    db.prepare("INSERT INTO document_versions VALUES (1, 1, ?, 'draft', 'body')").run(at);
    db.prepare(
      "INSERT INTO attachments (id, document_rowid, name, media_type, size, sha256, chunk_size, created_at) VALUES ('a1', 1, 'x.pdf', 'application/pdf', 1, 'ab', 1, ?)",
    ).run(at);
    configureAndMigrate(db);
    expect(db.pragma('user_version', { simple: true })).toBe(SCHEMA_VERSION);
    expect(db.pragma('foreign_keys', { simple: true })).toBe(1);
    expect(
      db.prepare('SELECT id, status, unread, received_from FROM documents ORDER BY rowid').all(),
    ).toEqual([
      { id: 'in-1', status: 'received', unread: 1, received_from: 'HQ <hq@example>' },
      { id: 'out-1', status: 'sent', unread: 0, received_from: null },
    ]);
    expect(db.prepare('SELECT count(*) FROM document_versions').pluck().get()).toBe(1);
    expect(db.prepare('SELECT count(*) FROM attachments').pluck().get()).toBe(1);
    // The rebuilt table still cascades to its children.
    db.prepare("DELETE FROM documents WHERE id = 'in-1'").run();
    expect(db.prepare('SELECT count(*) FROM attachments').pluck().get()).toBe(0);
    db.close();
  });
});
