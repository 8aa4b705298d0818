import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import {
  directoryDevice,
  enrol,
  enrolledWithPeer,
  openStoreVault,
  peer,
  signedDirectory,
  T0,
  type StoreVault,
} from '../../../../tests/fixtures/sync-store-vault';
import { openEnvelope } from '../envelope';
import { decodePayload } from '../payload';

let v: StoreVault;
beforeEach(async () => {
  v = await openStoreVault();
});
afterEach(() => v.close());

const message = (to: string[]) => ({
  kind: 'message' as const,
  to,
  title: 'Visa list',
  text: 'Three applicants.',
});

/** The whole sealed envelope of an outbox row, read as the engine reads it. */
async function envelopeOf(id: string, size: number): Promise<Uint8Array> {
  return (await v.run('sync.outbox.read', { id, offset: 0, length: size })).bytes;
}

describe('sync store: sending', () => {
  it('refuses before approval, after revocation and before the first directory', async () => {
    await enrol(v, 'pending');
    expect(await v.refusal('sync.send', { send: message(['peer@hq.example']), now: T0 })).toBe(
      'E_SYNC_PENDING',
    );
    await v.run('sync.identity.update', { status: 'approved' });
    expect(await v.refusal('sync.send', { send: message(['peer@hq.example']), now: T0 })).toBe(
      'E_SYNC_OFFLINE',
    );
    await v.run('sync.identity.update', { status: 'revoked' });
    expect(await v.refusal('sync.send', { send: message(['peer@hq.example']), now: T0 })).toBe(
      'E_SYNC_REVOKED',
    );
  });

  it('refuses an address with no usable device, and queues nothing', async () => {
    await enrolledWithPeer(v);
    expect(await v.refusal('sync.send', { send: message(['nobody@hq.example']), now: T0 })).toBe(
      'E_SYNC_RECIPIENT_UNAVAILABLE',
    );
    expect(await v.refusal('sync.send', { send: message(['me@mission.example']), now: T0 })).toBe(
      'E_SYNC_RECIPIENT_UNAVAILABLE',
    );
    expect((await v.run('sync.outbox.stats', {})).count).toBe(0);
  });

  it('seals one envelope per send for every device, with the next sequence number, and keeps my copy', async () => {
    const { me, other } = await enrolledWithPeer(v);
    const second = peer(v.sodium);
    const dir = signedDirectory(v, 2, [
      {
        address: 'peer@hq.example',
        name: 'Peer Officer',
        department: 'Europe',
        devices: [directoryDevice(other.keys, other.prekey), directoryDevice(second.keys, second.prekey)],
      },
    ]);
    await v.run('sync.directory.store', { ...dir, now: T0 });
    const { items } = await v.run('sync.send', { send: message(['PEER@hq.example']), now: T0 + 5 });
    expect(items).toHaveLength(2);
    expect(new Set(items.map((i) => i.envelopeId)).size).toBe(1);
    expect(items.map((i) => [i.state, i.recipientAddress, i.title])).toEqual([
      ['queued', 'peer@hq.example', 'Visa list'],
      ['queued', 'peer@hq.example', 'Visa list'],
    ]);
    const first = items[0];
    if (!first) return;
    const sealed = await envelopeOf(first.id, first.bytes);
    // Each recipient device opens the same envelope with its own prekey.
    for (const device of [other, second]) {
      const opened = openEnvelope(v.sodium, sealed, {
        recipientDeviceId: device.keys.deviceId,
        prekeySecret: (id) => (id === device.secret.prekeyId ? device.secret : undefined),
        senderKey: (id) =>
          id === me.deviceId ? { signPublicKey: me.signPublicKey, revoked: false } : undefined,
      });
      expect(opened.header).toMatchObject({ seq: 1, kind: 'message', senderDeviceId: me.deviceId });
      expect(decodePayload(opened.payload)).toMatchObject({ title: 'Visa list', text: 'Three applicants.' });
    }
    const again = await v.run('sync.send', { send: message(['peer@hq.example']), now: T0 + 6 });
    const next = again.items[0];
    if (!next) return;
    const header = openEnvelope(v.sodium, await envelopeOf(next.id, next.bytes), {
      recipientDeviceId: other.keys.deviceId,
      prekeySecret: () => other.secret,
      senderKey: () => ({ signPublicKey: me.signPublicKey, revoked: false }),
    }).header;
    expect(header.seq).toBe(2);
    // My own copy: a sent message in its thread; and an audit line per send.
    const threads = v.ctx.repo.listThreads({ limit: 10, offset: 0, unreadOnly: false });
    expect(threads.items.map((t) => t.subject)).toContain('Visa list');
    const audit = await v.run('sync.audit', { limit: 10 });
    expect(audit.events.filter((e) => e.event === 'queued')).toHaveLength(2);
  });
});
