import { rmSync } from 'node:fs';
import sodium from 'libsodium-wrappers-sumo';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { verifyDirectory } from '../../electron/core/sync/relay';
import {
  type Directory,
  directoryMessage,
  DirectoryResponse,
  prekeyMessage,
  type RelayErrorBody,
  type SignedPrekey,
} from '../../shared/sync/relay-protocol';
import {
  approvedDevice,
  call,
  embassy,
  enrolBody,
  newDevice,
  startTestRelay,
  testPki,
  type TestDevice,
  type TestRelay,
} from './hq-harness';

/**
 * Signed prekeys and the HQ-signed directory: publish (and refuse forged or future-dated
 * prekeys), the directory's signature verifies with the key of /health and fails on tampered
 * bytes, pending devices are not listed, revoked ones are, and the serial grows with every
 * approve, revoke and prekey.
 */
let t: TestRelay;
let hqKey: Uint8Array;

beforeAll(async () => {
  await sodium.ready;
  t = await startTestRelay();
  hqKey = Buffer.from(t.relay.hqSignPublicKey, 'base64');
});
afterAll(async () => {
  t.agent.destroy();
  await t.relay.close();
  rmSync(t.dataDir, { recursive: true, force: true });
});

const code = (r: { json<T>(): T }) => r.json<RelayErrorBody>().error.code;
const b64 = (u: Uint8Array) => Buffer.from(u).toString('base64');
const verify = (m: Uint8Array, s: Uint8Array, k: Uint8Array) => sodium.crypto_sign_verify_detached(s, m, k);

function prekey(
  d: TestDevice,
  createdAt = Date.now(),
  signWith = d.sign.privateKey,
  prekeyId = Buffer.from(sodium.randombytes_buf(16)).toString('hex'),
): SignedPrekey {
  const publicKey = sodium.crypto_box_keypair().publicKey;
  const signature = sodium.crypto_sign_detached(
    prekeyMessage(d.id, prekeyId, publicKey, createdAt),
    signWith,
  );
  return { prekeyId, publicKey: b64(publicKey), createdAt, signature: b64(signature) };
}

async function directory(token: string): Promise<{ directory: Directory; body: DirectoryResponse }> {
  const r = await call(t, { path: '/v1/directory', token });
  expect(r.status).toBe(200);
  const body = DirectoryResponse.parse(r.json());
  return { directory: verifyDirectory(body, hqKey, verify).directory, body };
}

describe('prekeys and the directory', () => {
  let a: { device: TestDevice; token: string };
  let b: { device: TestDevice; token: string };

  it('lays out prekeyMessage exactly as specified', () => {
    const m = prekeyMessage('d'.repeat(32), 'e'.repeat(32), new Uint8Array(32).fill(7), 0x0102030405);
    const expected = Buffer.concat([
      Buffer.from('embassy/v1/prekey\0' + 'd'.repeat(32) + '\0' + 'e'.repeat(32) + '\0'),
      Buffer.alloc(32, 7),
      Buffer.from([0, 0, 0, 1, 2, 3, 4, 5]),
    ]);
    expect(Buffer.from(m).equals(expected)).toBe(true);
    expect(Buffer.from(directoryMessage(Buffer.from('{}'))).toString()).toBe('embassy-hq/v1/directory\0{}');
  });

  it('publishes signed prekeys; the newest is current; forged, future and conflicting ones are refused', async () => {
    a = await approvedDevice(t);
    b = await approvedDevice(t);
    const older = prekey(a.device, Date.now() - 60_000);
    const newer = prekey(a.device, Date.now());
    const put = (prekeys: unknown, token = a.token) =>
      call(t, { method: 'PUT', path: '/v1/prekeys', token, body: { prekeys } });
    const ok = await put([newer, older]);
    expect([ok.status, ok.json()]).toEqual([200, { current: newer.prekeyId }]);
    // Idempotent.
    expect((await put([older])).json()).toEqual({ current: newer.prekeyId });

    const forged = prekey(a.device, Date.now(), b.device.sign.privateKey);
    const r1 = await put([forged]);
    expect([r1.status, code(r1)]).toEqual([401, 'E_BAD_SIGNATURE']);
    // B cannot publish A's prekey as its own (the device id is in the signed bytes).
    const r2 = await put([prekey(a.device)], b.token);
    expect([r2.status, code(r2)]).toEqual([401, 'E_BAD_SIGNATURE']);
    const r3 = await put([prekey(a.device, Date.now() + 10 * 60_000)]);
    expect([r3.status, code(r3)]).toEqual([400, 'E_INVALID_INPUT']);
    // A published id with another (validly signed) key: conflict, and nothing of the request is kept.
    const fresh = prekey(a.device);
    const r4 = await put([
      fresh,
      prekey(a.device, older.createdAt, a.device.sign.privateKey, older.prekeyId),
    ]);
    expect([r4.status, code(r4)]).toEqual([409, 'E_PREKEY_CONFLICT']);
    expect((await put([older])).json()).toEqual({ current: newer.prekeyId });
    const r5 = await put(Array.from({ length: 9 }, () => prekey(a.device)));
    expect([r5.status, code(r5)]).toEqual([400, 'E_INVALID_INPUT']);
    const r6 = await put([newer, newer]);
    expect([r6.status, code(r6)]).toEqual([400, 'E_INVALID_INPUT']);
    const r7 = await put([{ ...newer, extra: 1 }]);
    expect([r7.status, code(r7)]).toEqual([400, 'E_INVALID_INPUT']);
    const r8 = await call(t, { method: 'PUT', path: '/v1/prekeys', body: { prekeys: [newer] } });
    expect([r8.status, code(r8)]).toEqual([401, 'E_UNAUTHENTICATED']);
  });

  it('serves a directory signed by HQ, listing approved devices with their current prekey, not pending ones', async () => {
    const pending = newDevice();
    expect((await call(t, { path: '/v1/enroll', body: enrolBody(pending) })).status).toBe(201);
    const { directory: dir, body } = await directory(b.token);
    const devices = dir.officers.flatMap((o) => o.devices);
    expect(devices.map((d) => d.deviceId).sort()).toEqual([a.device.id, b.device.id].sort());
    const { officer } = await testPki();
    // Both devices belong to the one test officer.
    expect(dir.officers).toHaveLength(1);
    expect(dir.officers[0]).toMatchObject({ name: officer.name, department: officer.department });
    const da = devices.find((d) => d.deviceId === a.device.id);
    expect(da).toMatchObject({
      status: 'approved',
      signPublicKey: b64(a.device.sign.publicKey),
      boxPublicKey: b64(a.device.box.publicKey),
      certificateFingerprint: officer.certificate.fingerprint256.replace(/:/g, '').toLowerCase(),
    });
    expect(da?.prekey).toBeDefined();
    expect(devices.find((d) => d.deviceId === b.device.id)?.prekey).toBeUndefined();

    // Tampered bytes, another key or a bad signature: refused.
    const bytes = Buffer.from(body.directory, 'base64');
    const tampered = Buffer.from(bytes.toString('utf8').replace('"approved"', '"revoked"'));
    expect(() => verifyDirectory({ ...body, directory: tampered.toString('base64') }, hqKey, verify)).toThrow(
      expect.objectContaining({ code: 'E_BAD_SIGNATURE' }),
    );
    expect(() => verifyDirectory(body, sodium.crypto_sign_keypair().publicKey, verify)).toThrow(
      expect.objectContaining({ code: 'E_BAD_SIGNATURE' }),
    );
    const badSig = Buffer.from(body.signature, 'base64');
    badSig[0] = (badSig[0] ?? 0) ^ 1;
    expect(() => verifyDirectory({ ...body, signature: badSig.toString('base64') }, hqKey, verify)).toThrow(
      expect.objectContaining({ code: 'E_BAD_SIGNATURE' }),
    );
    const unauth = await call(t, { path: '/v1/directory' });
    expect([unauth.status, code(unauth)]).toEqual([401, 'E_UNAUTHENTICATED']);
  });

  it('raises the serial on approve, prekey and revoke; lists a revoked device as revoked', async () => {
    const serial = async () => (await directory(b.token)).directory.serial;
    const s0 = await serial();
    expect(await serial()).toBe(s0); // no change, no new serial

    const c = await approvedDevice(t);
    const s1 = await serial();
    expect(s1).toBeGreaterThan(s0);

    expect(
      (
        await call(t, {
          method: 'PUT',
          path: '/v1/prekeys',
          token: c.token,
          body: { prekeys: [prekey(c.device)] },
        })
      ).status,
    ).toBe(200);
    const s2 = await serial();
    expect(s2).toBeGreaterThan(s1);

    expect((await embassy(['hq', 'revoke', ...t.admin, c.device.id])).code).toBe(0);
    const { directory: dir } = await directory(b.token);
    expect(dir.serial).toBeGreaterThan(s2);
    const listed = dir.officers.flatMap((o) => o.devices).find((d) => d.deviceId === c.device.id);
    expect(listed?.status).toBe('revoked');
    console.log(`directory serials: ${s0} → ${s1} (approve) → ${s2} (prekey) → ${dir.serial} (revoke)`);
  });
});
