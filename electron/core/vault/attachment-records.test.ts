import { randomBytes } from 'node:crypto';
import Database from 'better-sqlite3-multiple-ciphers';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { CHUNK_BYTES } from './attachment-content';
import { configureAndMigrate } from './vault-db';
import { createVaultRepository, type VaultRepository } from './vault-repository';

// The schema on an in-memory database (no key: a unit test of the rules, not of encryption).
let db: InstanceType<typeof Database>;
let repo: VaultRepository;
let documentId: string;

beforeEach(() => {
  db = new Database(':memory:');
  configureAndMigrate(db);
  repo = createVaultRepository(db);
  documentId = repo.addDocument({
    subject: 'Hồ sơ',
    direction: 'internal',
    kind: 'other',
    classification: 'unclassified',
    status: 'draft',
    from: '',
    to: [],
  }).id;
});
afterEach(() => db.close());

describe('attachment content', () => {
  it('reads any byte range across chunk boundaries', () => {
    const bytes = randomBytes(3 * CHUNK_BYTES + 77);
    const { info } = repo.addAttachment({
      documentId,
      source: { kind: 'bytes', bytes },
      name: 'x.bin',
    });
    for (const [offset, length] of [
      [0, 1],
      [CHUNK_BYTES - 3, 6],
      [CHUNK_BYTES, CHUNK_BYTES],
      [CHUNK_BYTES + 5, 2 * CHUNK_BYTES + 72],
      [bytes.length - 1, 100],
      [bytes.length + 10, 5],
    ] as const) {
      const r = repo.readAttachment({ id: info.id, offset, length });
      const start = Math.min(offset, bytes.length);
      expect(Buffer.from(r.bytes).equals(bytes.subarray(start, start + length))).toBe(true);
      expect(r.eof).toBe(start + length >= bytes.length);
    }
  });

  it('recognises a PDF by its bytes and keeps it for text extraction', () => {
    const pdf = Buffer.from('%PDF-1.7\n% not a real one\n');
    const stored = repo.addAttachment({ documentId, source: { kind: 'bytes', bytes: pdf }, name: 'scan' });
    expect(stored.info.mediaType).toBe('application/pdf');
    expect(Buffer.from(stored.pending?.bytes ?? []).equals(pdf)).toBe(true);
    const text = repo.addAttachment({ documentId, source: { kind: 'bytes', bytes: pdf }, name: 'a.txt' });
    expect(text.info.mediaType).toBe('text/plain');
    const other = repo.addAttachment({
      documentId,
      source: { kind: 'bytes', bytes: Buffer.from('hello') },
      name: 'b.bin',
    });
    expect(other).toMatchObject({ info: { mediaType: 'application/octet-stream' }, pending: null });
  });

  it('refuses a path that is not a regular file', () => {
    expect(() =>
      repo.addAttachment({ documentId, source: { kind: 'path', path: '/' }, name: 'root' }),
    ).toThrow(expect.objectContaining({ code: 'E_FILE_ACCESS' }));
    expect(() =>
      repo.addAttachment({ documentId, source: { kind: 'path', path: '/no/such/file' }, name: 'x' }),
    ).toThrow(expect.objectContaining({ code: 'E_FILE_ACCESS' }));
  });
});
