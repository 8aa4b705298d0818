import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { enrol, openStoreVault, T0, type StoreVault } from '../../../../tests/fixtures/sync-store-vault';
import { verifyPrekey } from '../prekeys';
import { heldPrekeySecret } from './device-prekeys';

let v: StoreVault;
beforeEach(async () => {
  v = await openStoreVault();
});
afterEach(() => v.close());

const POLICY = { rotateEveryMs: 1_000, graceMs: 2_000 };

describe('sync store: device prekeys', () => {
  it('refuses before enrolment', async () => {
    expect(await v.refusal('sync.prekeys.plan', { now: T0 })).toBe('E_SYNC_NOT_ENROLLED');
  });

  it('makes a prekey signed by the device key, offers it until HQ has it, then not again', async () => {
    const id = await enrol(v);
    const first = await v.run('sync.prekeys.plan', { now: T0, policy: POLICY });
    expect(first).toMatchObject({ rotated: true, deleted: 0 });
    const p = first.publish[0];
    expect(first.publish).toHaveLength(1);
    if (!p) return;
    const decoded = {
      deviceId: id.deviceId,
      prekeyId: p.prekeyId,
      publicKey: new Uint8Array(Buffer.from(p.publicKey, 'base64')),
      createdAt: p.createdAt,
      signature: new Uint8Array(Buffer.from(p.signature, 'base64')),
    };
    expect(verifyPrekey(v.sodium, decoded, id.signPublicKey)).toBe(true);
    // Not published yet: offered again, without a new rotation.
    expect((await v.run('sync.prekeys.plan', { now: T0 + 10, policy: POLICY })).publish).toHaveLength(1);
    await v.run('sync.prekeys.published', { ids: [p.prekeyId] });
    expect(await v.run('sync.prekeys.plan', { now: T0 + 20, policy: POLICY })).toEqual({
      publish: [],
      rotated: false,
      deleted: 0,
    });
    // The secret is held, and matches the published key.
    const held = heldPrekeySecret(v.ctx, p.prekeyId);
    expect(held && v.sodium.crypto_scalarmult_base(held.secretKey)).toEqual(decoded.publicKey);
  });

  it('rotates on schedule and deletes a retired secret once the grace window has passed', async () => {
    await enrol(v);
    const first = (await v.run('sync.prekeys.plan', { now: T0, policy: POLICY })).publish[0]?.prekeyId ?? '';
    const second = await v.run('sync.prekeys.plan', { now: T0 + 1_000, policy: POLICY });
    expect(second.rotated).toBe(true);
    // Only the new, current prekey is offered; the retired one is still held for mail in flight.
    expect(second.publish.map((p) => p.prekeyId)).not.toContain(first);
    expect(heldPrekeySecret(v.ctx, first)).toBeDefined();
    const within = await v.run('sync.prekeys.plan', { now: T0 + 1_000 + POLICY.graceMs, policy: POLICY });
    expect(within.deleted).toBe(0);
    const past = await v.run('sync.prekeys.plan', { now: T0 + 1_001 + POLICY.graceMs, policy: POLICY });
    expect(past.deleted).toBe(1);
    expect(heldPrekeySecret(v.ctx, first)).toBeUndefined();
    const audit = await v.run('sync.audit', { limit: 10 });
    expect(audit.events.filter((e) => e.event === 'prekeys-deleted')).toHaveLength(1);
  });
});
