import { createHash } from 'node:crypto';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import {
  directoryDevice,
  meAndPeer,
  enrolledWithPeer,
  openStoreVault,
  peer,
  signedDirectory,
  T0,
  vaultDocument,
  type Peer,
  type StoreVault,
} from '../../../../tests/fixtures/sync-store-vault';
import type { DevicePrekey } from '../device-keys';
import { openEnvelope, sealEnvelope } from '../envelope';
import { decodePayload, encodePayload, type ReceiptPayload, type SyncPayload } from '../payload';

/**
 * Acknowledgement of receipt, at the store: the recipient's registration queues a receipt for
 * the sending device; the sender accepts one only from a recipient, for a send it made, naming
 * exactly what it sent, once. Each attack is a receipt sealed and signed by a real device key
 * that the directory certifies: the envelope layer accepts it, the receipt checks must not.
 */

let v: StoreVault;
let me: Awaited<ReturnType<typeof enrolledWithPeer>>['me'];
let myPrekey: DevicePrekey;
let other: Peer;
let stranger: Peer;

beforeEach(async () => {
  v = await openStoreVault();
  ({ me, myPrekey, other } = await enrolledWithPeer(v));
  // A third officer, certified and approved, to whom nothing was sent.
  stranger = peer(v.sodium);
  const directory = signedDirectory(v, 2, [
    ...meAndPeer(me, myPrekey, other),
    {
      address: 'stranger@hq.example',
      name: 'Stranger Officer',
      department: 'Europe',
      devices: [directoryDevice(stranger.keys, stranger.prekey)],
    },
  ]);
  await v.run('sync.directory.store', { ...directory, now: T0 });
});
afterEach(() => v.close());

let items = 0;
/** Seals `payload` from `from` to me and stores it as a complete download; answers the item id. */
async function delivered(payload: SyncPayload, from: Peer, seq = ++items) {
  const envelopeId = `receipt-${T0}-${++items}`;
  const sealed = sealEnvelope(v.sodium, {
    sender: from.keys,
    envelopeId,
    seq,
    createdAt: T0,
    kind: payload.kind,
    recipients: [{ deviceId: me.deviceId, signPublicKey: me.signPublicKey, prekey: myPrekey }],
    payload: encodePayload(payload),
  });
  const id = (++items).toString(16).padStart(32, '0');
  await v.run('sync.download.begin', {
    id,
    sender: from.keys.deviceId,
    envelopeId,
    size: sealed.length,
    sha256: createHash('sha256').update(sealed).digest('hex'),
  });
  await v.run('sync.download.append', { itemId: id, offset: 0, bytes: sealed });
  return id;
}

/** Opens an outbox row's envelope as `as` (whose prekey secret the test holds). */
async function openAs(as: Peer, row: { id: string; bytes: number }) {
  const bytes = (await v.run('sync.outbox.read', { id: row.id, offset: 0, length: row.bytes })).bytes;
  return openEnvelope(v.sodium, bytes, {
    recipientDeviceId: as.keys.deviceId,
    senderKey: (id) => (id === me.deviceId ? { signPublicKey: me.signPublicKey, revoked: false } : undefined),
    prekeySecret: (id) => (id === as.prekey.prekeyId ? as.secret : undefined),
  });
}

/** I send a document to peer@hq.example: answers its id, the send's envelope id and payload digest. */
async function sendDocument() {
  const documentId = vaultDocument(v, {
    name: 'note.pdf',
    mediaType: 'application/pdf',
    bytes: new Uint8Array(Buffer.from('%PDF-1.7\n% note verbale\n')),
  });
  const { items: rows } = await v.run('sync.send', {
    send: { kind: 'document', to: ['peer@hq.example'], documentId },
    now: T0,
  });
  const row = rows[0];
  if (!row) throw new Error('nothing queued');
  // The digest as the recipient computes it: over the payload it opens.
  const opened = await openAs(other, row);
  const payloadSha256 = createHash('sha256').update(opened.payload).digest('hex');
  return { documentId, envelopeId: row.envelopeId, payloadSha256 };
}

const receipt = (sent: { envelopeId: string; payloadSha256: string }, over: Partial<ReceiptPayload> = {}) =>
  ({
    kind: 'receipt',
    sentAt: T0 + 10,
    senderAddress: 'peer@hq.example',
    senderName: 'Peer Officer',
    documentEnvelopeId: sent.envelopeId,
    documentNumber: '12/2025/NV',
    registrationNumber: '3/2025/ĐẾN',
    registeredAt: T0 + 5,
    payloadSha256: sent.payloadSha256,
    ...over,
  }) satisfies ReceiptPayload;

const statusOf = (id: string) => v.ctx.repo.getDocument(id).document.status;

describe('receipts: the sender accepts an acknowledgement', () => {
  it('from a recipient, for what it sent: the document turns acknowledged, with who and when', async () => {
    const sent = await sendDocument();
    expect(statusOf(sent.documentId)).toBe('sent');
    const item = await delivered(receipt(sent), other);
    expect(await v.run('sync.receive', { itemId: item, now: T0 + 20 })).toMatchObject({
      status: 'stored',
      kind: 'receipt',
      recordId: sent.documentId,
    });
    expect(statusOf(sent.documentId)).toBe('acknowledged');
    expect(await v.run('sync.receipt.list', { id: sent.documentId })).toEqual({
      acknowledgements: [
        {
          address: 'peer@hq.example',
          name: 'Peer Officer',
          registrationNumber: '3/2025/ĐẾN',
          registeredAt: T0 + 5,
          receivedAt: T0 + 20,
        },
      ],
    });
  });

  it('refuses a receipt from an officer the document was not sent to (even naming the recipient)', async () => {
    const sent = await sendDocument();
    const item = await delivered(receipt(sent), stranger);
    expect(await v.run('sync.receive', { itemId: item, now: T0 + 20 })).toEqual({
      status: 'rejected',
      code: 'E_RECEIPT_NOT_RECIPIENT',
    });
    expect(statusOf(sent.documentId)).toBe('sent');
    expect((await v.run('sync.receipt.list', { id: sent.documentId })).acknowledgements).toEqual([]);
  });

  it('refuses a receipt for a document this workstation never sent', async () => {
    const sent = await sendDocument();
    const item = await delivered(receipt(sent, { documentEnvelopeId: 'never-sent-envelope-0001' }), other);
    expect(await v.run('sync.receive', { itemId: item, now: T0 + 20 })).toEqual({
      status: 'rejected',
      code: 'E_RECEIPT_UNKNOWN_DOCUMENT',
    });
    expect(statusOf(sent.documentId)).toBe('sent');
  });

  it('refuses a receipt whose digest is not that of what was sent', async () => {
    const sent = await sendDocument();
    const item = await delivered(receipt(sent, { payloadSha256: 'ab'.repeat(32) }), other);
    expect(await v.run('sync.receive', { itemId: item, now: T0 + 20 })).toEqual({
      status: 'rejected',
      code: 'E_RECEIPT_DIGEST_MISMATCH',
    });
    expect(statusOf(sent.documentId)).toBe('sent');
  });

  it('refuses a duplicated receipt (a new envelope) and a replayed one (the same envelope again)', async () => {
    const sent = await sendDocument();
    const first = await delivered(receipt(sent), other, 500);
    expect(await v.run('sync.receive', { itemId: first, now: T0 + 20 })).toMatchObject({ status: 'stored' });
    const again = await delivered(
      receipt(sent, { registrationNumber: '4/2025/ĐẾN', registeredAt: T0 + 9 }),
      other,
    );
    expect(await v.run('sync.receive', { itemId: again, now: T0 + 30 })).toEqual({
      status: 'rejected',
      code: 'E_RECEIPT_DUPLICATE',
    });
    const replayed = await delivered(receipt(sent), other, 500);
    expect(await v.run('sync.receive', { itemId: replayed, now: T0 + 40 })).toEqual({
      status: 'rejected',
      code: 'E_ENVELOPE_REPLAY',
    });
    expect((await v.run('sync.receipt.list', { id: sent.documentId })).acknowledgements).toMatchObject([
      { registrationNumber: '3/2025/ĐẾN', receivedAt: T0 + 20 },
    ]);
  });
});

describe('receipts: the recipient registers a received document', () => {
  async function receivedDocument() {
    const payload: SyncPayload = {
      kind: 'document',
      title: 'Note verbale 12',
      text: 'The Ministry presents its compliments.',
      sentAt: T0,
      senderAddress: 'peer@hq.example',
      senderName: 'Peer Officer',
      classification: 'confidential',
      registryNumber: '12/2025/NV',
      attachments: [],
    };
    const digest = createHash('sha256').update(encodePayload(payload)).digest('hex');
    const item = await delivered(payload, other);
    const r = await v.run('sync.receive', { itemId: item, now: T0 + 1 });
    if (r.status !== 'stored') throw new Error('not stored');
    return { id: r.recordId, digest };
  }

  it('marks it registered and queues a receipt, signed by this device, for the sending device only', async () => {
    const doc = await receivedDocument();
    expect(statusOf(doc.id)).toBe('received');
    const r = await v.run('sync.receipt.register', { id: doc.id, now: T0 + 2 });
    expect(r).toEqual({
      status: 'registered',
      registrationNumber: '1/2025/ĐẾN',
      registeredAt: T0 + 2,
      receipt: 'queued',
    });
    expect(statusOf(doc.id)).toBe('registered');
    const rows = (await v.run('sync.outbox.list', { limit: 10 })).items;
    expect(rows).toHaveLength(1);
    expect(rows[0]).toMatchObject({ kind: 'receipt', recipientDevice: other.keys.deviceId });
    const opened = await openAs(other, { id: rows[0]?.id ?? '', bytes: rows[0]?.bytes ?? 0 });
    expect(opened.header).toMatchObject({ kind: 'receipt', senderDeviceId: me.deviceId });
    const payload = decodePayload(opened.payload);
    expect(payload).toMatchObject({
      kind: 'receipt',
      documentNumber: '12/2025/NV',
      registrationNumber: '1/2025/ĐẾN',
      payloadSha256: doc.digest,
    });
    expect(await v.run('sync.receipt.list', { id: doc.id })).toEqual({
      acknowledgements: [],
      registration: { number: '1/2025/ĐẾN', at: T0 + 2 },
    });
  });

  it('registers once: a second call answers the first registration and sends nothing more', async () => {
    const doc = await receivedDocument();
    await v.run('sync.receipt.register', { id: doc.id, registrationNumber: '7/2025/ĐẾN', now: T0 + 2 });
    expect(await v.run('sync.receipt.register', { id: doc.id, now: T0 + 3 })).toMatchObject({
      registrationNumber: '7/2025/ĐẾN',
      receipt: 'already-sent',
    });
    expect((await v.run('sync.outbox.list', { limit: 10 })).items).toHaveLength(1);
  });

  it('numbers every registration of the year once: received or entered by hand, none twice', async () => {
    const handEntered = () =>
      v.ctx.repo.addDocument({
        direction: 'incoming',
        kind: 'official-letter',
        classification: 'unclassified',
        status: 'received',
        subject: 'A letter brought by hand',
        from: 'Embassy of X',
        to: ['Consular section'],
        body: 'Paper original.',
      }).id;
    const first = handEntered();
    const second = handEntered();
    const synced = await receivedDocument();
    const numbers = [];
    for (const [i, id] of [first, second, synced.id].entries()) {
      numbers.push((await v.run('sync.receipt.register', { id, now: T0 + 10 + i })).registrationNumber);
    }
    expect(numbers).toEqual(['1/2025/ĐẾN', '2/2025/ĐẾN', '3/2025/ĐẾN']);
    // A hand-entered registration is kept and shown too, and registering it again answers it.
    expect((await v.run('sync.receipt.list', { id: second })).registration).toEqual({
      number: '2/2025/ĐẾN',
      at: T0 + 11,
    });
    expect(await v.run('sync.receipt.register', { id: second, now: T0 + 20 })).toMatchObject({
      registrationNumber: '2/2025/ĐẾN',
      receipt: 'none',
    });
    // A number typed by the officer continues the sequence, and a number taken is refused.
    const typed = handEntered();
    expect(
      (await v.run('sync.receipt.register', { id: typed, registrationNumber: '9/2025/ĐẾN', now: T0 + 30 }))
        .registrationNumber,
    ).toBe('9/2025/ĐẾN');
    const taken = handEntered();
    expect(
      await v.refusal('sync.receipt.register', { id: taken, registrationNumber: '2/2025/ĐẾN', now: T0 + 31 }),
    ).toBe('E_INVALID_INPUT');
    expect(statusOf(taken)).toBe('received');
    expect((await v.run('sync.receipt.register', { id: taken, now: T0 + 32 })).registrationNumber).toBe(
      '10/2025/ĐẾN',
    );
  });

  it('refuses to register a document that was not received', async () => {
    const id = vaultDocument(v, { name: 'a.txt', mediaType: 'text/plain', bytes: new Uint8Array([1]) });
    expect(await v.refusal('sync.receipt.register', { id, now: T0 })).toBe('E_INVALID_INPUT');
    expect(statusOf(id)).toBe('signed');
  });
});
