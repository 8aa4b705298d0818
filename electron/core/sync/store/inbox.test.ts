import { createHash } from 'node:crypto';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import {
  enrolledWithPeer,
  openStoreVault,
  peer,
  T0,
  type Peer,
  type StoreVault,
} from '../../../../tests/fixtures/sync-store-vault';
import { must } from '../../../../tests/helpers/must';
import type { DevicePrekey } from '../device-keys';
import { sealEnvelope, type EnvelopeKind } from '../envelope';
import { encodePayload, type SyncPayload } from '../payload';

let v: StoreVault;
let me: { deviceId: string; signPublicKey: Uint8Array };
let myPrekey: DevicePrekey;
let other: Peer;
beforeEach(async () => {
  v = await openStoreVault();
  ({ me, myPrekey, other } = await enrolledWithPeer(v));
});
afterEach(() => v.close());

const sender = { senderAddress: 'peer@hq.example', senderName: 'Peer Officer' };
const note = (text: string): SyncPayload & { kind: 'message' } => ({
  kind: 'message',
  title: 'Note',
  text,
  sentAt: T0,
  ...sender,
});

let items = 0;
/** Seals `payload` from `from` to me and stores it as a complete download; answers the relay item. */
async function delivered(
  payload: SyncPayload,
  opts: { from?: Peer; seq?: number; envelopeId?: string; kind?: EnvelopeKind; sha256?: string } = {},
) {
  const from = opts.from ?? other;
  const envelopeId = opts.envelopeId ?? `env-${T0}-${++items}`;
  const sealed = sealEnvelope(v.sodium, {
    sender: from.keys,
    envelopeId,
    seq: opts.seq ?? items,
    createdAt: T0,
    kind: opts.kind ?? payload.kind,
    recipients: [{ deviceId: me.deviceId, signPublicKey: me.signPublicKey, prekey: myPrekey }],
    payload: encodePayload(payload),
  });
  const id = (++items).toString(16).padStart(32, '0');
  const sha256 = opts.sha256 ?? createHash('sha256').update(sealed).digest('hex');
  await v.run('sync.download.begin', {
    id,
    sender: from.keys.deviceId,
    envelopeId,
    size: sealed.length,
    sha256,
  });
  await v.run('sync.download.append', { itemId: id, offset: 0, bytes: sealed });
  return { id, sealed, envelopeId };
}

const received = async () => (await v.run('sync.received', { limit: 100 })).items;
const lastAudit = async () => (await v.run('sync.audit', { limit: 1 })).events[0];
const downloadLeft = (id: string) =>
  v.ctx.db.prepare('SELECT count(*) FROM sync_downloads WHERE item_id = ?').pluck().get(id);

describe('sync store: inbox', () => {
  it('opens and stores a message with its seen entry and audit line, and drops the download', async () => {
    const item = await delivered(note('Meeting moved to 10:00.'));
    expect(await v.run('sync.receive', { itemId: item.id, now: T0 + 1 })).toMatchObject({
      status: 'stored',
      kind: 'message',
    });
    expect(await received()).toMatchObject([
      {
        sender: 'peer@hq.example',
        senderDevice: other.keys.deviceId,
        title: 'Note',
        text: 'Meeting moved to 10:00.',
      },
    ]);
    expect(await lastAudit()).toMatchObject({
      event: 'received',
      item_id: item.id,
      envelope_id: item.envelopeId,
    });
    expect(downloadLeft(item.id)).toBe(0);
    expect((await v.run('sync.audit', { limit: 1 })).received).toBe(1);
  });

  it("keeps a message's marking as it travelled; a message from an older sender is Unclassified", async () => {
    const secret = await delivered({ ...note('Ciphers change on Monday.'), classification: 'secret' });
    const plain = await delivered(note('Lunch at noon.'));
    for (const item of [secret, plain]) await v.run('sync.receive', { itemId: item.id, now: T0 + 1 });
    const thread = must(v.ctx.repo.listThreads({ unreadOnly: false, offset: 0, limit: 10 }).items[0]);
    const messages = v.ctx.repo.listMessages({ threadId: thread.id, offset: 0, limit: 10 }).items;
    expect(messages.map((m) => [m.body, m.classification])).toEqual([
      ['Ciphers change on Monday.', 'secret'],
      ['Lunch at noon.', 'unclassified'],
    ]);
    // The thread's subject is shown under the highest marking of its messages.
    expect(thread.classification).toBe('secret');
  });

  it("stores a message's files with it, byte for byte", async () => {
    const scan = new Uint8Array(300_000).map((_, i) => i % 251);
    const item = await delivered({
      ...note('Scan attached.'),
      attachments: [{ name: 'scan.png', mediaType: 'image/png', bytes: scan.slice() }],
    });
    await v.run('sync.receive', { itemId: item.id, now: T0 + 1 });
    const thread = must(v.ctx.repo.listThreads({ unreadOnly: false, offset: 0, limit: 10 }).items[0]);
    const message = must(v.ctx.repo.listMessages({ threadId: thread.id, offset: 0, limit: 10 }).items[0]);
    const file = must(message.files[0]);
    expect(file).toMatchObject({ name: 'scan.png', mediaType: 'image/png', size: scan.length });
    const back = v.ctx.repo.readMessageFile({ id: file.id, offset: 0, length: 1024 * 1024 });
    expect(Buffer.from(back.bytes).equals(Buffer.from(scan))).toBe(true);
  });

  it('stores a document unread, with its attachments, and hands its PDFs to the indexer', async () => {
    const pdf = new Uint8Array(Buffer.from('%PDF-1.7\n% a test, not a real PDF\n'));
    const item = await delivered({
      kind: 'document',
      title: 'Circular 7',
      text: 'See attached.',
      sentAt: T0,
      ...sender,
      classification: 'secret',
      registryNumber: 'HQ/7',
      attachments: [{ name: 'circular.pdf', mediaType: 'application/pdf', bytes: pdf }],
    });
    const result = await v.run('sync.receive', { itemId: item.id, now: T0 });
    expect(result).toMatchObject({ status: 'stored', kind: 'document' });
    const recordId = result.status === 'stored' ? result.recordId : '';
    const doc = v.ctx.repo.getDocument(recordId);
    expect(doc.document).toMatchObject({
      subject: 'Circular 7',
      classification: 'secret',
      direction: 'incoming',
    });
    expect(doc.document.unread).toBe(true);
    expect(doc.attachments.map((a) => a.name)).toEqual(['circular.pdf']);
    expect(v.indexed).toHaveLength(1);
  });

  it('acknowledges a redelivered item again without storing it twice', async () => {
    const item = await delivered(note('once'));
    await v.run('sync.receive', { itemId: item.id, now: T0 });
    // We crashed before the ack: the relay lists the same item, it is downloaded again.
    await v.run('sync.download.begin', {
      id: item.id,
      sender: other.keys.deviceId,
      envelopeId: item.envelopeId,
      size: item.sealed.length,
      sha256: createHash('sha256').update(item.sealed).digest('hex'),
    });
    await v.run('sync.download.append', { itemId: item.id, offset: 0, bytes: item.sealed });
    expect(await v.run('sync.receive', { itemId: item.id, now: T0 })).toEqual({ status: 'duplicate' });
    expect(await received()).toHaveLength(1);
  });

  it('refuses a replay under another relay item: the same sequence number, or the same envelope id', async () => {
    const first = await delivered(note('first'), { seq: 7, envelopeId: 'env-fixed-0001' });
    await v.run('sync.receive', { itemId: first.id, now: T0 });
    for (const copy of [
      await delivered(note('same seq'), { seq: 7 }),
      await delivered(note('same id'), { seq: 8, envelopeId: 'env-fixed-0001' }),
    ]) {
      expect(await v.run('sync.receive', { itemId: copy.id, now: T0 })).toEqual({
        status: 'rejected',
        code: 'E_ENVELOPE_REPLAY',
      });
      expect(await lastAudit()).toMatchObject({
        event: 'rejected',
        code: 'E_ENVELOPE_REPLAY',
        item_id: copy.id,
      });
      expect(downloadLeft(copy.id)).toBe(0);
    }
    expect((await received()).map((r) => r.text)).toEqual(['first']);
  });

  it('refuses bytes that do not hash to the listed digest, before opening them', async () => {
    const item = await delivered(note('x'), { sha256: '0'.repeat(64) });
    expect(await v.run('sync.receive', { itemId: item.id, now: T0 })).toEqual({
      status: 'rejected',
      code: 'E_DIGEST_MISMATCH',
    });
    expect(await lastAudit()).toMatchObject({
      code: 'E_DIGEST_MISMATCH',
      sender_device: other.keys.deviceId,
    });
    expect(await received()).toHaveLength(0);
  });

  it('keeps the download of an unknown sender once (the directory may be older), then refuses it', async () => {
    const stranger = peer(v.sodium);
    const item = await delivered(note('who am I'), { from: stranger });
    const first = await v.run('sync.receive', { itemId: item.id, now: T0, retryUnknownSender: true });
    expect(first).toEqual({ status: 'rejected', code: 'E_ENVELOPE_SENDER_UNKNOWN' });
    expect(downloadLeft(item.id)).toBe(1);
    expect((await v.run('sync.audit', { limit: 100 })).events.some((e) => e.event === 'rejected')).toBe(
      false,
    );
    expect(await v.run('sync.receive', { itemId: item.id, now: T0 })).toEqual(first);
    expect(downloadLeft(item.id)).toBe(0);
    expect(await lastAudit()).toMatchObject({ event: 'rejected', code: 'E_ENVELOPE_SENDER_UNKNOWN' });
  });

  it('refuses a payload of another kind than the signed header says', async () => {
    const item = await delivered(note('x'), { kind: 'document' });
    expect(await v.run('sync.receive', { itemId: item.id, now: T0 })).toEqual({
      status: 'rejected',
      code: 'E_ENVELOPE_MALFORMED',
    });
    expect(await lastAudit()).toMatchObject({
      envelope_id: item.envelopeId,
      sender_device: other.keys.deviceId,
    });
  });

  it('refuses an incomplete download and an unknown item without touching anything', async () => {
    const id = 'e'.repeat(32);
    await v.run('sync.download.begin', {
      id,
      sender: other.keys.deviceId,
      envelopeId: 'env-partial',
      size: 100,
      sha256: '0'.repeat(64),
    });
    expect(await v.refusal('sync.receive', { itemId: id, now: T0 })).toBe('E_INVALID_INPUT');
    expect(await v.refusal('sync.receive', { itemId: 'f'.repeat(32), now: T0 })).toBe('E_NOT_FOUND');
    expect(downloadLeft(id)).toBe(1);
  });
});
