import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import {
  directoryDevice,
  meAndPeer,
  enrolledWithPeer,
  openStoreVault,
  peer,
  signedDirectory,
  T0,
  type StoreVault,
} from '../../../../tests/fixtures/sync-store-vault';
import { must } from '../../../../tests/helpers/must';
import { openEnvelope } from '../envelope';
import { decodePayload } from '../payload';

/**
 * Files of messages (issue 16, item 5): staged while the message is written, sealed into its
 * envelope, kept with the officer's own copy; a forward carries a received message's file, but
 * never under a lower marking than that message had (a renderer that tries is refused).
 */
let v: StoreVault;
beforeEach(async () => {
  v = await openStoreVault();
});
afterEach(() => v.close());

const bytes = (text: string) => new Uint8Array(Buffer.from(text, 'utf8'));
const threads = () => v.ctx.repo.listThreads({ unreadOnly: false, offset: 0, limit: 50 }).items;
const messagesOf = (threadId: string) => v.ctx.repo.listMessages({ threadId, offset: 0, limit: 50 }).items;

describe('sync store: a message with files', () => {
  it('seals staged files into the envelope and keeps them with my copy, not staged any more', async () => {
    const { me, other } = await enrolledWithPeer(v);
    const scan = v.ctx.repo.stageMessageFile({ name: 'hộ chiếu.pdf', bytes: bytes('%PDF-1.7 scan') });
    const list = v.ctx.repo.stageMessageFile({ name: 'list.txt', bytes: bytes('Three applicants.') });
    expect(scan).toMatchObject({ name: 'hộ chiếu.pdf', mediaType: 'application/pdf', size: 13 });
    const { items } = await v.run('sync.send', {
      send: {
        kind: 'message',
        to: ['peer@hq.example'],
        title: 'Visa files',
        text: 'Attached.',
        fileIds: [scan.id, list.id],
      },
      now: T0,
    });
    const item = must(items[0]);
    const sealed = (await v.run('sync.outbox.read', { id: item.id, offset: 0, length: item.bytes })).bytes;
    const opened = openEnvelope(v.sodium, sealed, {
      recipientDeviceId: other.keys.deviceId,
      prekeySecret: () => other.secret,
      senderKey: () => ({ signPublicKey: me.signPublicKey, revoked: false }),
    });
    const payload = decodePayload(opened.payload);
    expect(payload.kind).toBe('message');
    if (payload.kind !== 'message') return;
    expect(payload.attachments?.map((a) => [a.name, Buffer.from(a.bytes).toString('utf8')])).toEqual([
      ['hộ chiếu.pdf', '%PDF-1.7 scan'],
      ['list.txt', 'Three applicants.'],
    ]);
    const own = must(messagesOf(must(threads()[0]).id)[0]);
    expect(own.files.map((f) => f.id)).toEqual([scan.id, list.id]);
    // Kept: a later unlock drops only files that never went.
    expect(v.ctx.repo.dropStagedMessageFiles()).toBe(0);
    const read = v.ctx.repo.readMessageFile({ id: list.id, offset: 6, length: 100 });
    expect(Buffer.from(read.bytes).toString('utf8')).toBe('applicants.');
    expect(read).toMatchObject({ offset: 6, size: 17, eof: true });
  });

  it("refuses a forward that would carry a Secret message's file under a lower marking", async () => {
    await enrolledWithPeer(v);
    const received = v.ctx.repo.addSyncedMessage({
      subject: 'Ciphers',
      from: 'Peer Officer <peer@hq.example>',
      to: ['me@mission.example'],
      body: 'New keys attached.',
      state: 'received',
      read: true,
      classification: 'secret',
      at: new Date(T0).toISOString(),
      files: [{ name: 'keys.txt', mediaType: 'text/plain', bytes: bytes('K1 K2 K3') }],
    });
    const fileId = must(received.files[0]).id;
    const forward = {
      kind: 'message' as const,
      to: ['peer@hq.example'],
      title: 'Fwd: Ciphers',
      text: 'FYI',
      fileIds: [fileId],
    };
    for (const classification of ['unclassified', 'confidential'] as const) {
      expect(await v.refusal('sync.send', { send: { ...forward, classification }, now: T0 })).toBe(
        'E_INVALID_INPUT',
      );
    }
    expect((await v.run('sync.outbox.stats', {})).count).toBe(0);
    // At its own marking (confirmed), it goes; my copy holds a copy of the file, the received one stays.
    const sent = await v.run('sync.send', {
      send: { ...forward, classification: 'secret', confirmedMarking: 'secret' },
      now: T0,
    });
    expect(sent.items.length).toBeGreaterThan(0);
    const mine = must(threads().find((t) => t.subject === 'Fwd: Ciphers'));
    const copy = must(must(messagesOf(mine.id)[0]).files[0]);
    expect(copy.id).not.toBe(fileId);
    expect(copy).toMatchObject({ name: 'keys.txt', size: 8 });
    expect(must(messagesOf(received.threadId)[0]).files.map((f) => f.id)).toEqual([fileId]);
    // An id that is no file is not found, and nothing is queued for it.
    expect(
      await v.refusal('sync.send', {
        send: {
          ...forward,
          classification: 'secret',
          confirmedMarking: 'secret',
          fileIds: ['0123456789abcdefghijkl'],
        },
        now: T0,
      }),
    ).toBe('E_NOT_FOUND');
  });

  it('a send held for a recipient without keys yet leaves later with its files', async () => {
    const { me, myPrekey, other } = await enrolledWithPeer(v);
    const late = peer(v.sodium);
    const officers = (withPrekey: boolean) => [
      ...meAndPeer(me, myPrekey, other),
      {
        address: 'late@hq.example',
        name: 'Late Officer',
        department: 'Asia',
        devices: [directoryDevice(late.keys, withPrekey ? late.prekey : undefined)],
      },
    ];
    await v.run('sync.directory.store', { ...signedDirectory(v, 2, officers(false)), now: T0 });
    const file = v.ctx.repo.stageMessageFile({ name: 'plan.txt', bytes: bytes('Plan B') });
    const held = await v.run('sync.send', {
      send: {
        kind: 'message',
        to: ['late@hq.example'],
        title: 'Plan',
        text: 'See file.',
        fileIds: [file.id],
      },
      now: T0,
    });
    expect(held.items.map((i) => i.state)).toEqual(['waiting']);
    // The staged file moved to my copy; the held send names it there.
    expect(v.ctx.repo.dropStagedMessageFiles()).toBe(0);
    await v.run('sync.directory.store', { ...signedDirectory(v, 3, officers(true)), now: T0 + 1 });
    await v.run('sync.waiting.seal', { now: T0 + 2 });
    const queued = (await v.run('sync.outbox.list', { limit: 10 })).items.find(
      (i) => i.recipientAddress === 'late@hq.example',
    );
    const item = must(queued);
    const sealed = (await v.run('sync.outbox.read', { id: item.id, offset: 0, length: item.bytes })).bytes;
    const payload = decodePayload(
      openEnvelope(v.sodium, sealed, {
        recipientDeviceId: late.keys.deviceId,
        prekeySecret: () => late.secret,
        senderKey: () => ({ signPublicKey: me.signPublicKey, revoked: false }),
      }).payload,
    );
    expect(
      payload.kind === 'message' && payload.attachments?.map((a) => Buffer.from(a.bytes).toString()),
    ).toEqual(['Plan B']);
    // One message in my thread, not two.
    expect(messagesOf(must(threads().find((t) => t.subject === 'Plan')).id)).toHaveLength(1);
  });

  it('drops files staged by a session that never sent them', () => {
    v.ctx.repo.stageMessageFile({ name: 'draft.txt', bytes: bytes('not sent') });
    expect(v.ctx.repo.dropStagedMessageFiles()).toBe(1);
  });
});
