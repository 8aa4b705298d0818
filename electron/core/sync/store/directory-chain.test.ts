import { createHash } from 'node:crypto';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import {
  enrolledWithPeer,
  openStoreVault,
  signedDirectory,
  T0,
  type StoreVault,
} from '../../../../tests/fixtures/sync-store-vault';
import { heldHead, noteSenderHead } from './directory-chain';

let v: StoreVault;
beforeEach(async () => {
  v = await openStoreVault();
});
afterEach(() => v.close());

const digestOf = (b: Uint8Array) => createHash('sha256').update(b).digest('hex');
const kinds = async () => (await v.run('sync.warnings', {})).map((w) => w.kind);
const sender = { address: 'peer@hq.example', deviceId: 'ab'.repeat(16) };

describe('sync store: the directory chain', () => {
  it('accepts a later version only through the versions published since the held one', async () => {
    await enrolledWithPeer(v);
    const held = heldHead(v.ctx);
    expect(held?.serial).toBe(1);
    const skipped = signedDirectory(v, 2, []);
    const next = signedDirectory(v, 3, []);
    // Without the step in between the chain cannot be walked: refused, the held one kept.
    expect(await v.refusal('sync.directory.store', { ...next, now: T0 })).toBe('E_SYNC_DIRECTORY_FORKED');
    expect(heldHead(v.ctx)).toEqual(held);
    // A made-up step does not reach it either.
    const forged = [{ serial: 2, digest: '0'.repeat(64) }];
    expect(await v.refusal('sync.directory.store', { ...next, steps: forged, now: T0 })).toBe(
      'E_SYNC_DIRECTORY_FORKED',
    );
    const steps = [{ serial: 2, digest: digestOf(skipped.bytes) }];
    expect(await v.run('sync.directory.store', { ...next, steps, now: T0 })).toMatchObject({ serial: 3 });
    expect(heldHead(v.ctx)).toEqual(v.published.at(-1));
    // The refused version noted once (it was served twice), as a notice and an audit line
    // (beside the contact notice of the device the accepted version no longer lists).
    expect((await kinds()).filter((k) => k.startsWith('directory-'))).toEqual(['directory-forked']);
    const audit = await v.run('sync.audit', { limit: 10 });
    expect(audit.events.filter((e) => e.event === 'directory-forked')).toHaveLength(1);
    // The version skipped, served now, is older than the held one.
    expect(await v.refusal('sync.directory.store', { ...skipped, now: T0 })).toBe(
      'E_SYNC_DIRECTORY_ROLLBACK',
    );
    expect((await kinds()).filter((k) => k.startsWith('directory-'))).toEqual([
      'directory-rollback',
      'directory-forked',
    ]);
  });

  it('refuses another version of the serial it holds, and the same version again is fine', async () => {
    await enrolledWithPeer(v);
    const head = v.published.at(-1) ?? null;
    const mine = signedDirectory(v, 2, []);
    await v.run('sync.directory.store', { ...mine, now: T0 });
    expect(await v.run('sync.directory.store', { ...mine, now: T0 + 1 })).toMatchObject({ serial: 2 });
    // Same serial, same predecessor, other bytes: another history of serial 2.
    const text = Buffer.from(signedDirectory(v, 2, [], head).bytes).toString('utf8');
    const bytes = new Uint8Array(Buffer.from(text.replace('"issuedAt":', '"issuedAt":1'), 'utf8'));
    const resigned = {
      bytes,
      signature: v.sodium.crypto_sign_detached(
        new Uint8Array([...Buffer.from('embassy-hq/v1/directory\0'), ...bytes]),
        v.hq.privateKey,
      ),
    };
    expect(await v.refusal('sync.directory.store', { ...resigned, now: T0 })).toBe('E_SYNC_DIRECTORY_FORKED');
    expect(heldHead(v.ctx)?.serial).toBe(2);
  });

  it("raises directory-split for a sender's head that disagrees, now or when the chain reaches it", async () => {
    await enrolledWithPeer(v);
    const held = heldHead(v.ctx);
    if (!held) throw new Error('no head');
    // The same version: nothing. Another link at my serial: the alarm, naming the sender.
    noteSenderHead(v.ctx, held, sender, T0);
    expect(await kinds()).toEqual([]);
    noteSenderHead(v.ctx, { serial: held.serial, hash: 'f'.repeat(64) }, sender, T0);
    expect(await v.run('sync.warnings', {})).toEqual([
      { kind: 'directory-split', address: sender.address, deviceId: sender.deviceId, at: T0 },
    ]);
    // Heads beyond mine wait for my chain: one that agrees stays quiet, one that does not alarms.
    const two = signedDirectory(v, 2, []);
    const three = signedDirectory(v, 3, []);
    const good = v.published.at(-1);
    if (!good) throw new Error('no version');
    noteSenderHead(v.ctx, good, { ...sender, deviceId: 'cd'.repeat(16) }, T0);
    noteSenderHead(v.ctx, { serial: 2, hash: 'e'.repeat(64) }, { ...sender, deviceId: 'ef'.repeat(16) }, T0);
    await v.run('sync.directory.store', { ...two, now: T0 });
    const stored = await v.run('sync.directory.store', { ...three, now: T0 });
    expect(stored.warnings).toBe(0);
    const splits = (await v.run('sync.warnings', {})).filter((w) => w.kind === 'directory-split');
    expect(splits.map((w) => w.deviceId)).toEqual(['ef'.repeat(16), sender.deviceId]);
  });
});
