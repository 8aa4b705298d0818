import { rmSync } from 'node:fs';
import sodium from 'libsodium-wrappers-sumo';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { verifyDirectory } from '../../electron/core/sync/relay';
import { DirectoryResponse, type RelayErrorBody, wipedMessage } from '../../shared/sync/relay-protocol';
import {
  approvedDevice,
  call,
  RELAY_DB,
  startTestRelay,
  type TestDevice,
  type TestRelay,
} from './hq-harness';

/**
 * `POST /v1/device/wiped`: a device tells HQ, before it wipes, that its vault is gone; HQ
 * revokes it and the directory shows it revoked, so other officers stop encrypting to it. Only
 * the device itself can say so: its session and its key's signature over a notice bound to
 * this HQ and dated now. Runs on SQLite, and on PostgreSQL with EMBASSY_RELAY_DB=postgres.
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

const b64 = (u: Uint8Array) => Buffer.from(u).toString('base64');
const code = (r: { json<T>(): T }) => r.json<RelayErrorBody>().error.code;
const verify = (m: Uint8Array, s: Uint8Array, k: Uint8Array) => sodium.crypto_sign_verify_detached(s, m, k);

function notice(d: TestDevice, opts: { at?: number; key?: Uint8Array; fingerprint?: string } = {}) {
  const wipedAt = opts.at ?? Date.now();
  const message = wipedMessage(d.id, opts.fingerprint ?? t.relay.fingerprint, wipedAt);
  return { wipedAt, signature: b64(sodium.crypto_sign_detached(message, opts.key ?? d.sign.privateKey)) };
}

async function statusInDirectory(token: string, deviceId: string): Promise<string | undefined> {
  const r = await call(t, { path: '/v1/directory', token });
  expect(r.status).toBe(200);
  const { directory } = verifyDirectory(DirectoryResponse.parse(r.json()), hqKey, verify);
  return directory.officers.flatMap((o) => o.devices).find((d) => d.deviceId === deviceId)?.status;
}

describe(`a device tells HQ it was wiped (${RELAY_DB})`, () => {
  it('refuses a notice without a session', async () => {
    const a = await approvedDevice(t);
    const r = await call(t, { path: '/v1/device/wiped', body: notice(a.device) });
    expect(r.status).toBe(401);
    expect(code(r)).toBe('E_UNAUTHENTICATED');
  });

  it("refuses a notice its key did not sign, another HQ's notice, and a stale (replayed) one", async () => {
    const a = await approvedDevice(t);
    const other = sodium.crypto_sign_keypair().privateKey;
    const forged = await call(t, {
      path: '/v1/device/wiped',
      token: a.token,
      body: notice(a.device, { key: other }),
    });
    expect(forged.status).toBe(401);
    expect(code(forged)).toBe('E_BAD_SIGNATURE');
    const elsewhere = await call(t, {
      path: '/v1/device/wiped',
      token: a.token,
      body: notice(a.device, { fingerprint: 'ab'.repeat(32) }),
    });
    expect(code(elsewhere)).toBe('E_BAD_SIGNATURE');
    const stale = await call(t, {
      path: '/v1/device/wiped',
      token: a.token,
      body: notice(a.device, { at: Date.now() - 60 * 60 * 1000 }),
    });
    expect(stale.status).toBe(400);
    expect(await statusInDirectory(a.token, a.device.id)).toBe('approved');
  });

  it("cannot report another device wiped: the session's device is the one revoked, and only with its own key", async () => {
    const a = await approvedDevice(t);
    const b = await approvedDevice(t);
    // B's session with a notice A's key signed for A: the notice names the session's device (B).
    const r = await call(t, { path: '/v1/device/wiped', token: b.token, body: notice(a.device) });
    expect(code(r)).toBe('E_BAD_SIGNATURE');
    expect(await statusInDirectory(a.token, a.device.id)).toBe('approved');
    expect(await statusInDirectory(a.token, b.device.id)).toBe('approved');
  });

  it('revokes the device: the directory shows it revoked and its session stops working', async () => {
    const a = await approvedDevice(t);
    const b = await approvedDevice(t);
    const r = await call(t, { path: '/v1/device/wiped', token: a.token, body: notice(a.device) });
    expect(r.status).toBe(200);
    expect(r.json()).toEqual({ status: 'revoked' });
    expect(await statusInDirectory(b.token, a.device.id)).toBe('revoked');
    const after = await call(t, { path: '/v1/directory', token: a.token });
    expect(after.status).toBe(403);
    expect(t.logs.some((l) => l.includes(`device ${a.device.id} reported its vault wiped`))).toBe(true);
  });
});
