import { createHash } from 'node:crypto';
import { statSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Core } from '../../electron/core';
import { vaultPaths } from '../../electron/core/vault/vault-service';
import { UPLOAD_PIECE_BYTES } from '../../shared/contract/vault-calls';
import { call, must, PASSPHRASE, pdfWithText, vaultCore } from './vault-harness';

/**
 * The vault through the contract, with every real part: the worker thread, SQLCipher,
 * FTS5, pdf.js, Argon2id. One vault for the file (Argon2id costs ~1 s per unlock by design).
 */
let core: Core;
let profileDir: string;

beforeAll(async () => {
  ({ core, profileDir } = vaultCore());
  expect((await must(core, 'vault.status', {})).state).toBe('absent');
  const created = await must(core, 'vault.create', { profile: 'passphrase', passphrase: PASSPHRASE });
  expect(created).toMatchObject({ state: 'unlocked', profile: 'passphrase', token: null });
  await must(core, 'vault.loadSampleData', {});
});
afterAll(async () => {
  await core.vault.dispose();
});

describe('search', () => {
  it('finds Vietnamese typed without diacritics (including đ → d), with highlighted segments', async () => {
    const doc = await must(core, 'documents.add', {
      subject: 'Hợp đồng thuê trụ sở tại Đà Lạt',
      body: 'Bản hợp đồng đã được hai bên thống nhất.',
      direction: 'internal',
    });
    const { hits } = await must(core, 'search', { query: 'hop dong thue' });
    const hit = hits.find((h) => h.id === doc.id);
    expect(hit).toBeDefined();
    expect(hit?.snippet.filter((s) => s.hit).map((s) => s.text)).toEqual(
      expect.arrayContaining(['Hợp', 'đồng']),
    );
    const daLat = await must(core, 'search', { query: 'da lat' });
    expect(daLat.hits.map((h) => h.id)).toContain(doc.id);
  });

  it('finds English by prefix (automatic on the last word, or with *) and by stem', async () => {
    const doc = await must(core, 'documents.add', {
      subject: 'Ratification instruments exchanged',
      body: 'Both signatories attended.',
    });
    for (const query of ['ratif', 'signator*', 'instrument exchange']) {
      const { hits } = await must(core, 'search', { query });
      expect(
        hits.map((h) => h.id),
        query,
      ).toContain(doc.id);
    }
  });

  it('finds the text inside a PDF attachment (read by pdf.js in the PDF sandbox, indexed in the worker)', async () => {
    const doc = await must(core, 'documents.add', { subject: 'Agreement scan' });
    const pdf = await pdfWithText([
      'Memorandum on fisheries cooperation',
      'Quyetdinh zebrafish hatchery clause',
    ]);
    const attachment = await must(core, 'attachments.add', {
      documentId: doc.id,
      source: { kind: 'bytes', base64: Buffer.from(pdf).toString('base64') },
      name: 'scan.pdf',
    });
    expect(attachment).toMatchObject({ mediaType: 'application/pdf', textIndexed: true, size: pdf.length });
    const { hits } = await must(core, 'search', { query: 'zebrafish hatch' });
    expect(hits[0]).toMatchObject({
      kind: 'attachment',
      id: attachment.id,
      documentId: doc.id,
      title: 'scan.pdf',
    });
    // The same from a file (streamed in chunks by the worker: the PDF must be recognised there too).
    const file = join(profileDir, '..', `scan-${Date.now()}.pdf`);
    writeFileSync(file, await pdfWithText(['Quarterly report on platypus conservation']));
    const fromFile = await must(core, 'attachments.add', {
      documentId: doc.id,
      source: { kind: 'path', path: file },
    });
    expect(fromFile).toMatchObject({ mediaType: 'application/pdf', textIndexed: true });
    expect((await must(core, 'search', { query: 'platypus' })).hits[0]?.id).toBe(fromFile.id);
  });

  it('ranks a title hit above a body-only hit', async () => {
    const inTitle = await must(core, 'documents.add', {
      subject: 'Quokka protocol visit',
      body: 'nothing else',
    });
    const inBody = await must(core, 'documents.add', {
      subject: 'Weekly notes',
      body: 'a remark about the quokka enclosure',
    });
    const ids = (await must(core, 'search', { query: 'quokka', kinds: ['document'] })).hits.map((h) => h.id);
    expect(ids.indexOf(inTitle.id)).toBeLessThan(ids.indexOf(inBody.id));
  });

  it('never fails on FTS syntax typed by a user', async () => {
    for (const query of [
      '"',
      'AND',
      'a OR (',
      'NEAR(',
      'subject:x',
      '*',
      '-',
      '^',
      '""""',
      '\u0002x\u0003',
    ]) {
      const r = await call(core, 'search', { query });
      expect(r.ok, query).toBe(true);
    }
  });
});

describe('documents, attachments, messages', () => {
  it('pages, filters and sorts the document list with a total', async () => {
    const all = await must(core, 'documents.list', { limit: 5, sort: 'date', order: 'desc' });
    expect(all.items).toHaveLength(5);
    expect(all.total).toBeGreaterThanOrEqual(12);
    const dates = all.items.map((d) => d.date);
    expect([...dates].sort().reverse()).toEqual(dates);
    const next = await must(core, 'documents.list', { limit: 5, offset: 5, sort: 'date', order: 'desc' });
    expect(next.items.map((d) => d.id)).not.toContain(all.items[0]?.id);
    const incoming = await must(core, 'documents.list', { direction: 'incoming', classification: 'secret' });
    expect(incoming.items.every((d) => d.direction === 'incoming' && d.classification === 'secret')).toBe(
      true,
    );
    expect(incoming.total).toBe(incoming.items.length);
  });

  it('reads an attachment back in chunks, byte for byte', async () => {
    const doc = await must(core, 'documents.add', { subject: 'Binary attachment' });
    const bytes = Buffer.alloc(700_000);
    for (let i = 0; i < bytes.length; i++) bytes[i] = (i * 31 + 7) & 255;
    const file = join(profileDir, '..', `attachment-${Date.now()}.bin`);
    writeFileSync(file, bytes);
    const info = await must(core, 'attachments.add', {
      documentId: doc.id,
      source: { kind: 'path', path: file },
    });
    expect(info.size).toBe(bytes.length);
    const parts: Buffer[] = [];
    for (let offset = 0, eof = false; !eof;) {
      const chunk = await must(core, 'attachments.read', { id: info.id, offset, length: 300_000 });
      parts.push(Buffer.from(chunk.base64, 'base64'));
      offset += 300_000;
      eof = chunk.eof;
    }
    expect(Buffer.concat(parts).equals(bytes)).toBe(true);
    const detail = await must(core, 'documents.get', { id: doc.id });
    expect(detail.attachments.map((a) => a.id)).toEqual([info.id]);
  });

  it('takes a file piece by piece from the interface: order and size checked, repeats answered, PDF text indexed', async () => {
    const doc = await must(core, 'documents.add', { subject: 'Upload in pieces' });
    const PIECE = UPLOAD_PIECE_BYTES;
    const bytes = Buffer.alloc(2 * PIECE + 12_345);
    for (let i = 0; i < bytes.length; i++) bytes[i] = (i * 131 + 17) & 255;
    const piece = (k: number) => bytes.subarray(k * PIECE, (k + 1) * PIECE).toString('base64');
    const up = await must(core, 'attachments.upload.begin', {
      documentId: doc.id,
      name: 'bao-cao.bin',
      size: bytes.length,
    });
    expect(up).toMatchObject({ received: 0, size: bytes.length });
    const code = async (p: Promise<{ ok: boolean; error?: { code: string } }>) => {
      const r = await p;
      return r.ok ? 'ok' : r.error?.code;
    };
    // Out of place, short before the end, and finishing early are refused.
    expect(
      await code(
        call(core, 'attachments.upload.append', { uploadId: up.uploadId, offset: PIECE, base64: piece(1) }),
      ),
    ).toBe('E_INVALID_INPUT');
    expect(
      await code(
        call(core, 'attachments.upload.append', { uploadId: up.uploadId, offset: 0, base64: 'AAAA' }),
      ),
    ).toBe('E_INVALID_INPUT');
    expect(await code(call(core, 'attachments.upload.finish', { uploadId: up.uploadId }))).toBe(
      'E_INVALID_INPUT',
    );
    expect(
      (await must(core, 'attachments.upload.append', { uploadId: up.uploadId, offset: 0, base64: piece(0) }))
        .received,
    ).toBe(PIECE);
    // The same piece again (its answer was lost): answered, not stored twice.
    expect(
      (await must(core, 'attachments.upload.append', { uploadId: up.uploadId, offset: 0, base64: piece(0) }))
        .received,
    ).toBe(PIECE);
    await must(core, 'attachments.upload.append', { uploadId: up.uploadId, offset: PIECE, base64: piece(1) });
    const last = await must(core, 'attachments.upload.append', {
      uploadId: up.uploadId,
      offset: 2 * PIECE,
      base64: piece(2),
    });
    expect(last.received).toBe(bytes.length);
    const info = await must(core, 'attachments.upload.finish', { uploadId: up.uploadId });
    expect(info).toMatchObject({
      name: 'bao-cao.bin',
      size: bytes.length,
      sha256: createHash('sha256').update(bytes).digest('hex'),
    });
    const parts: Buffer[] = [];
    for (let offset = 0, eof = false; !eof;) {
      const chunk = await must(core, 'attachments.read', { id: info.id, offset, length: 400_000 });
      parts.push(Buffer.from(chunk.base64, 'base64'));
      offset += 400_000;
      eof = chunk.eof;
    }
    expect(Buffer.concat(parts).equals(bytes)).toBe(true);
    // Finished uploads are gone; so is a cancelled one.
    expect(
      await code(
        call(core, 'attachments.upload.append', { uploadId: up.uploadId, offset: 0, base64: piece(0) }),
      ),
    ).toBe('E_NOT_FOUND');
    const other = await must(core, 'attachments.upload.begin', {
      documentId: doc.id,
      name: 'x.bin',
      size: 10,
    });
    expect(await must(core, 'attachments.upload.cancel', { uploadId: other.uploadId })).toEqual({
      cancelled: true,
    });
    expect(await code(call(core, 'attachments.upload.finish', { uploadId: other.uploadId }))).toBe(
      'E_NOT_FOUND',
    );

    // A PDF in one (short) piece: its text is searchable, as with attachments.add.
    const pdf = Buffer.from(await pdfWithText(['Diplomatic reception rules, draft zephyrine']));
    const pdfUp = await must(core, 'attachments.upload.begin', {
      documentId: doc.id,
      name: 'to-trinh.pdf',
      size: pdf.length,
    });
    await must(core, 'attachments.upload.append', {
      uploadId: pdfUp.uploadId,
      offset: 0,
      base64: pdf.toString('base64'),
    });
    const pdfInfo = await must(core, 'attachments.upload.finish', { uploadId: pdfUp.uploadId });
    expect(pdfInfo).toMatchObject({ mediaType: 'application/pdf', textIndexed: true });
    const hits = await must(core, 'search', { query: 'zephyrine' });
    expect(hits.hits.map((h) => h.id)).toContain(pdfInfo.id);
  });

  it('keeps drafts in threads linked to documents, with read state', async () => {
    const doc = await must(core, 'documents.add', { subject: 'Thread host' });
    const draft = await must(core, 'messages.add', {
      subject: 'Question',
      documentId: doc.id,
      body: 'Draft reply',
      to: ['HQ'],
    });
    expect(draft).toMatchObject({ state: 'draft', documentId: doc.id });
    const threads = await must(core, 'messages.threads', { documentId: doc.id });
    expect(threads.items[0]).toMatchObject({ id: draft.threadId, messageCount: 1, draftCount: 1 });
    await must(core, 'messages.add', { threadId: draft.threadId, body: 'second' });
    const list = await must(core, 'messages.list', { threadId: draft.threadId });
    expect(list.items.map((m) => m.body)).toEqual(['Draft reply', 'second']);
    const unread = await must(core, 'messages.threads', { unreadOnly: true });
    const someUnread = unread.items[0];
    expect(someUnread?.unreadCount).toBeGreaterThan(0);
    const messages = await must(core, 'messages.list', { threadId: someUnread?.id ?? '' });
    const ids = messages.items.filter((m) => !m.read).map((m) => m.id);
    expect((await must(core, 'messages.markRead', { ids })).updated).toBe(ids.length);
    const detail = await must(core, 'documents.get', { id: doc.id });
    expect(detail.messages).toHaveLength(2);
  });

  it('answers E_NOT_FOUND for an unknown id and E_FILE_ACCESS for a missing file', async () => {
    expect(await call(core, 'documents.get', { id: 'nope' })).toMatchObject({
      ok: false,
      error: { code: 'E_NOT_FOUND' },
    });
    const doc = await must(core, 'documents.add', { subject: 'x' });
    const r = await call(core, 'attachments.add', {
      documentId: doc.id,
      source: { kind: 'path', path: '/nonexistent/file.pdf' },
    });
    expect(r).toMatchObject({ ok: false, error: { code: 'E_FILE_ACCESS' } });
  });
});

describe('lock and unlock', () => {
  it('locks (content calls refused), refuses a wrong passphrase, opens with the right one', async () => {
    const health = (await must(core, 'app.health', {})).parts;
    expect(health.vault.state).toBe('ok');
    // A passphrase vault has no token to report.
    expect(health.token.state).toBe('not-set-up');
    // An upload the lock interrupts is dropped with its pieces at the next unlock.
    const doc = (await must(core, 'documents.list', { limit: 1 })).items[0];
    const up = await must(core, 'attachments.upload.begin', {
      documentId: doc?.id ?? '',
      name: 'a.bin',
      size: 3,
    });
    await must(core, 'attachments.upload.append', { uploadId: up.uploadId, offset: 0, base64: 'AAAA' });
    expect(await must(core, 'vault.lock', {})).toMatchObject({ state: 'locked', secondsUntilAutoLock: null });
    expect((await must(core, 'app.health', {})).parts.vault.state).toBe('locked');
    expect(await call(core, 'documents.list', {})).toMatchObject({
      ok: false,
      error: { code: 'E_VAULT_LOCKED' },
    });
    expect(await call(core, 'vault.unlock', { passphrase: 'not the passphrase' })).toMatchObject({
      ok: false,
      error: { code: 'E_WRONG_SECRET' },
    });
    expect((await must(core, 'vault.status', {})).state).toBe('locked');
    expect((await must(core, 'vault.unlock', { passphrase: PASSPHRASE })).state).toBe('unlocked');
    expect((await must(core, 'documents.list', {})).total).toBeGreaterThan(12);
    expect(await call(core, 'attachments.upload.finish', { uploadId: up.uploadId })).toMatchObject({
      ok: false,
      error: { code: 'E_NOT_FOUND' },
    });
    expect((await core.vault.run('integrityCheck', {})).result).toBe('ok');
  });

  it('refuses to create a second vault over the first', async () => {
    const r = await call(core, 'vault.create', { profile: 'passphrase', passphrase: 'another passphrase' });
    expect(r).toMatchObject({ ok: false, error: { code: 'E_VAULT_EXISTS' } });
  });

  it('restarts the idle countdown on activity and reports the configured timeout', async () => {
    const configured = await must(core, 'vault.configure', { idleTimeoutSeconds: 45 });
    expect(configured.idleTimeoutSeconds).toBe(45);
    expect(configured.secondsUntilAutoLock).toBeGreaterThan(44);
    expect(configured.secondsUntilAutoLock).toBeLessThanOrEqual(45);
    await must(core, 'vault.configure', { idleTimeoutSeconds: 600 });
    expect(statSync(vaultPaths(profileDir).settings).size).toBeGreaterThan(0);
  });
});

describe('wipe', () => {
  it('requires the literal confirmation', async () => {
    const r = await core.dispatch('vault.wipe', { confirm: 'yes' }, { transport: 'direct' });
    expect(r).toMatchObject({ ok: false, error: { code: 'E_INVALID_INPUT' } });
    expect((await must(core, 'vault.status', {})).state).toBe('unlocked');
  });
});
