import { createHash } from 'node:crypto';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { authSessionMessage, enrolmentMessage, prekeyMessage } from '../../../../shared/sync/relay-protocol';
import {
  enrol,
  HQ_FINGERPRINT,
  openStoreVault,
  T0,
  type StoreVault,
} from '../../../../tests/fixtures/sync-store-vault';

let v: StoreVault;
beforeEach(async () => {
  v = await openStoreVault();
});
afterEach(() => v.close());

describe('sync store: device identity', () => {
  it('has none before enrolment, then one whose id derives from its signing key and no secret', async () => {
    expect(await v.run('sync.identity', {})).toEqual({ identity: null });
    const id = await enrol(v, 'new');
    expect(id.status).toBe('new');
    expect(id.hqFingerprint).toBe(HQ_FINGERPRINT);
    expect(id.deviceId).toBe(
      createHash('sha256').update(id.signPublicKey).digest().subarray(0, 16).toString('hex'),
    );
    // The answer is the strict public schema: no secret key crosses the worker boundary.
    expect(Object.keys(id).some((k) => /secret/i.test(k))).toBe(false);
    expect((await v.run('sync.identity', {})).identity?.deviceId).toBe(id.deviceId);
  });

  it('keeps the same keys when enrolment with the same HQ is retried before approval', async () => {
    const first = await enrol(v, 'pending');
    const again = await v.run('sync.identity.create', {
      hqUrl: 'https://hq.example:8443',
      hqFingerprint: HQ_FINGERPRINT,
      hqSignPublicKey: v.hq.publicKey,
      now: T0 + 1,
    });
    expect(again.deviceId).toBe(first.deviceId);
  });

  it('makes new keys for another HQ while new, and refuses once enrolled', async () => {
    const first = await enrol(v, 'new');
    const other = v.sodium.crypto_sign_keypair();
    const input = { hqUrl: 'https://other.example', hqFingerprint: 'cd'.repeat(32), now: T0 };
    const second = await v.run('sync.identity.create', { ...input, hqSignPublicKey: other.publicKey });
    expect(second.deviceId).not.toBe(first.deviceId);
    await v.run('sync.identity.update', { status: 'approved' });
    expect(await v.refusal('sync.identity.create', { ...input, hqSignPublicKey: v.hq.publicKey })).toBe(
      'E_INVALID_INPUT',
    );
  });

  it('updates the status and officer fields; the inbox cursor only moves forward', async () => {
    await enrol(v, 'pending');
    const updated = await v.run('sync.identity.update', {
      status: 'approved',
      address: 'me@mission.example',
      name: 'Me',
      department: 'Consular',
      inboxCursor: 10,
    });
    expect(updated).toMatchObject({ status: 'approved', address: 'me@mission.example', inboxCursor: 10 });
    expect((await v.run('sync.identity.update', { inboxCursor: 4 })).inboxCursor).toBe(10);
    expect((await v.run('sync.identity.update', { inboxCursor: 11 })).inboxCursor).toBe(11);
  });

  it('refuses updates and signatures before enrolment', async () => {
    expect(await v.refusal('sync.identity.update', { status: 'approved' })).toBe('E_SYNC_NOT_ENROLLED');
    const proof = enrolmentMessage(new Uint8Array(32), new Uint8Array(32), new Uint8Array([1]));
    expect(await v.refusal('sync.sign', { message: proof })).toBe('E_SYNC_NOT_ENROLLED');
  });

  it('signs enrolment proofs and session answers with the device key, and nothing else', async () => {
    const id = await enrol(v);
    for (const message of [
      enrolmentMessage(id.signPublicKey, id.boxPublicKey, new Uint8Array([1, 2, 3])),
      authSessionMessage(id.deviceId, HQ_FINGERPRINT, new Uint8Array(32)),
    ]) {
      const { signature } = await v.run('sync.sign', { message });
      expect(v.sodium.crypto_sign_verify_detached(signature, message, id.signPublicKey)).toBe(true);
    }
    // The attack: the core's thread asks the worker to sign a prekey (or anything else) of its
    // choosing with the device key. Refused: only the two labels above are signed on request.
    const forged = prekeyMessage(id.deviceId, 'e'.repeat(32), new Uint8Array(32), T0);
    expect(await v.refusal('sync.sign', { message: forged })).toBe('E_INVALID_INPUT');
    expect(await v.refusal('sync.sign', { message: new TextEncoder().encode('embassy-hq/v1/enroll') })).toBe(
      'E_INVALID_INPUT',
    );
  });
});
