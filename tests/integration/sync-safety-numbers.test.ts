import { X509Certificate } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { SoftHsmToken } from '../fixtures/softhsm';
import {
  enroll,
  makeOfficers,
  newOfficer,
  startSyncRelay,
  type Officer,
  type TestRelayServer,
} from './sync-harness';
import { call, must } from './vault-harness';

/**
 * Notices and safety numbers (issue 12 item 4), with real parts: SoftHSM tokens from one CA,
 * in-process cores with token-bound vaults, the relay on loopback. Alice and Bob compare their
 * safety number; Bob enrols a second workstation with his token; Alice is told, naming the
 * certificate that vouches for it, and her "verified" mark drops. Alice's own new device moves
 * the number too, on both sides.
 */

let tokens: SoftHsmToken[];
let hq: TestRelayServer;
let alice: Officer;
let bob: Officer;
const extra: Officer[] = [];
const ALICE = 'alice@mission.example';
const BOB = 'bob@hq.example';

async function syncAll(...officers: Officer[]) {
  for (const o of officers) await must(o.core, 'sync.now', {});
}

beforeAll(async () => {
  let rootPath: string;
  ({ tokens, rootPath } = await makeOfficers([
    { name: 'Alice Mission', email: ALICE, label: 'sn-alice' },
    { name: 'Bob Headquarters', email: BOB, label: 'sn-bob' },
  ]));
  hq = await startSyncRelay(rootPath);
  alice = await newOfficer(tokens[0] as SoftHsmToken, 'Alice Mission', ALICE);
  bob = await newOfficer(tokens[1] as SoftHsmToken, 'Bob Headquarters', BOB);
  expect((await enroll(alice, hq.relay)).enrolment).toBe('approved');
  expect((await enroll(bob, hq.relay)).enrolment).toBe('approved');
  await syncAll(alice, bob, alice);
}, 240_000);

afterAll(async () => {
  for (const o of [alice, bob, ...extra]) await o?.core.close();
  await hq?.relay.close();
  for (const t of tokens ?? []) await t.cleanup();
});

describe('safety numbers between two officers', () => {
  it('are the same on both sides, and a verified mark drops when the contact gains a device', async () => {
    const fromAlice = await must(alice.core, 'contact.show', { address: BOB });
    const fromBob = await must(bob.core, 'contact.show', { address: ALICE });
    expect(fromAlice.safetyNumber).toMatch(/^\d{60}$/);
    expect(fromBob.safetyNumber).toBe(fromAlice.safetyNumber);
    expect(fromAlice.safetyQr).toBe(`EMBASSY-SN1:${fromAlice.safetyNumber}`);
    expect(fromAlice.verification).toEqual({ state: 'unverified' });
    // The device list names the certificate of Bob's token, as his certificate file has it.
    const bobCert = new X509Certificate(bob.token.keys.rsa?.certPem ?? '');
    expect(fromAlice.devices).toHaveLength(1);
    expect(fromAlice.devices[0]?.certificate.fingerprint).toBe(
      bobCert.fingerprint256.replace(/:/g, '').toLowerCase(),
    );
    expect(fromAlice.devices[0]?.certificate.subject).toContain('Bob Headquarters');

    // A number that is not the pair's marks nothing.
    const wrong = `${fromAlice.safetyNumber.slice(0, 59)}${(Number(fromAlice.safetyNumber[59]) + 1) % 10}`;
    expect(await call(alice.core, 'contact.verify', { address: BOB, safetyNumber: wrong })).toMatchObject({
      ok: false,
      error: { code: 'E_SYNC_SAFETY_NUMBER_CHANGED' },
    });
    const verified = await must(alice.core, 'contact.verify', {
      address: BOB,
      safetyNumber: fromAlice.safetyNumber,
    });
    expect(verified.verification.state).toBe('verified');

    // Bob enrols a second workstation with his token.
    const bob2 = await newOfficer(bob.token, 'Bob Headquarters', BOB);
    extra.push(bob2);
    expect((await enroll(bob2, hq.relay)).enrolment).toBe('approved');
    await syncAll(bob2, bob, alice);

    const status = await must(alice.core, 'sync.status', {});
    const bob2Id = (await must(bob2.core, 'sync.status', {})).deviceId;
    const added = status.warnings.find((w) => w.kind === 'device-added');
    expect(added).toMatchObject({ address: BOB, deviceId: bob2Id });
    expect(added?.certificate?.subject).toContain('Bob Headquarters');
    expect(added?.certificate?.issuer).toContain('ministry');
    expect(added?.certificate?.fingerprint).toBe(fromAlice.devices[0]?.certificate.fingerprint);
    expect(status.warnings.find((w) => w.kind === 'verification-lost')).toMatchObject({ address: BOB });

    const after = await must(alice.core, 'contact.show', { address: BOB });
    expect(after.safetyNumber).not.toBe(fromAlice.safetyNumber);
    expect(after.devices).toHaveLength(2);
    expect(after.verification).toMatchObject({ state: 'changed' });
    expect((await must(bob.core, 'contact.show', { address: ALICE })).safetyNumber).toBe(after.safetyNumber);
    expect((await must(bob2.core, 'contact.show', { address: ALICE })).safetyNumber).toBe(after.safetyNumber);
    // The old number cannot restore the mark; the new one, compared again, does.
    expect(
      await call(alice.core, 'contact.verify', { address: BOB, safetyNumber: fromAlice.safetyNumber }),
    ).toMatchObject({ ok: false, error: { code: 'E_SYNC_SAFETY_NUMBER_CHANGED' } });
    const again = await must(alice.core, 'contact.verify', {
      address: BOB,
      safetyNumber: after.safetyNumber,
    });
    expect(again.verification.state).toBe('verified');
  }, 240_000);

  it('change when my own officer gains a device, the same on both sides', async () => {
    const before = (await must(bob.core, 'contact.show', { address: ALICE })).safetyNumber;
    const alice2 = await newOfficer(alice.token, 'Alice Mission', ALICE);
    extra.push(alice2);
    await enroll(alice2, hq.relay);
    await syncAll(alice2, alice, bob);
    const fromBob = await must(bob.core, 'contact.show', { address: ALICE });
    const fromAlice = await must(alice.core, 'contact.show', { address: BOB });
    expect(fromBob.safetyNumber).not.toBe(before);
    expect(fromAlice.safetyNumber).toBe(fromBob.safetyNumber);
    // Alice's mark on Bob drops because her side changed; her own new device is noticed.
    expect(fromAlice.verification).toMatchObject({ state: 'changed' });
    const warnings = (await must(alice.core, 'sync.status', {})).warnings;
    expect(warnings.filter((w) => w.kind === 'device-added').map((w) => w.address)).toContain(ALICE);
  }, 240_000);

  it('refuses a safety number with oneself, an unknown officer, and a hostile input', async () => {
    expect(await call(alice.core, 'contact.show', { address: ALICE })).toMatchObject({
      ok: false,
      error: { code: 'E_INVALID_INPUT' },
    });
    expect(await call(alice.core, 'contact.show', { address: 'nobody@hq.example' })).toMatchObject({
      ok: false,
      error: { code: 'E_SYNC_RECIPIENT_UNAVAILABLE' },
    });
    for (const input of [
      { address: BOB, safetyNumber: '1'.repeat(59) },
      { address: BOB, safetyNumber: '1'.repeat(60), extra: true },
      { address: '', safetyNumber: '1'.repeat(60) },
    ]) {
      expect(await call(alice.core, 'contact.verify', input as never)).toMatchObject({
        ok: false,
        error: { code: 'E_INVALID_INPUT' },
      });
    }
  }, 60_000);
});
