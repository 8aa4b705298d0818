import { createHash, randomBytes } from 'node:crypto';
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

const sha256 = (b: Uint8Array) => createHash('sha256').update(b).digest('hex');

describe('piece-by-piece uploads', () => {
  it('stores pieces in order and turns them into one attachment, byte-exact', () => {
    const bytes = randomBytes(2 * CHUNK_BYTES + 1234);
    const up = repo.beginUpload({ documentId, name: 'dir/../ho-so.bin', size: bytes.length });
    for (let o = 0; o < bytes.length; o += CHUNK_BYTES) {
      const piece = bytes.subarray(o, o + CHUNK_BYTES);
      expect(repo.appendUpload({ uploadId: up.uploadId, offset: o, bytes: piece }).received).toBe(
        o + piece.length,
      );
    }
    const { info } = repo.finishUpload({ uploadId: up.uploadId });
    expect(info).toMatchObject({ name: 'ho-so.bin', size: bytes.length, sha256: sha256(bytes) });
    const back = repo.readAttachment({ id: info.id, offset: 0, length: bytes.length });
    expect(Buffer.from(back.bytes).equals(bytes)).toBe(true);
    expect(db.prepare('SELECT count(*) FROM attachment_upload_chunks').pluck().get()).toBe(0);
  });

  it('answers a piece sent again without storing it twice', () => {
    const bytes = randomBytes(CHUNK_BYTES + 10);
    const up = repo.beginUpload({ documentId, name: 'a.bin', size: bytes.length });
    const first = bytes.subarray(0, CHUNK_BYTES);
    repo.appendUpload({ uploadId: up.uploadId, offset: 0, bytes: first });
    expect(repo.appendUpload({ uploadId: up.uploadId, offset: 0, bytes: first }).received).toBe(CHUNK_BYTES);
    repo.appendUpload({ uploadId: up.uploadId, offset: CHUNK_BYTES, bytes: bytes.subarray(CHUNK_BYTES) });
    expect(repo.finishUpload({ uploadId: up.uploadId }).info.sha256).toBe(sha256(bytes));
  });

  it('refuses a piece out of place, of the wrong size, or past the announced size', () => {
    const up = repo.beginUpload({ documentId, name: 'a.bin', size: CHUNK_BYTES + 10 });
    const append = (offset: number, length: number) => () =>
      repo.appendUpload({ uploadId: up.uploadId, offset, bytes: new Uint8Array(length) });
    expect(append(CHUNK_BYTES, 10)).toThrow(/starts at 0/);
    expect(append(0, 100)).toThrow(/pieces are/);
    repo.appendUpload({ uploadId: up.uploadId, offset: 0, bytes: new Uint8Array(CHUNK_BYTES) });
    expect(append(CHUNK_BYTES, 11)).toThrow(/more bytes than announced/);
    expect(() => repo.finishUpload({ uploadId: up.uploadId })).toThrow(/10 bytes are still to come/);
  });

  it('cancel and the next session drop staged pieces; unknown uploads are not found', () => {
    const a = repo.beginUpload({ documentId, name: 'a.bin', size: 10 });
    expect(repo.cancelUpload({ uploadId: a.uploadId })).toEqual({ cancelled: true });
    expect(() => repo.finishUpload({ uploadId: a.uploadId })).toThrow(
      expect.objectContaining({ code: 'E_NOT_FOUND' }),
    );
    repo.beginUpload({ documentId, name: 'b.bin', size: 10 });
    repo.beginUpload({ documentId, name: 'c.bin', size: 10 });
    expect(repo.dropUnfinishedUploads()).toBe(2);
  });
});
