import { createHash } from 'node:crypto';
import { rmSync } from 'node:fs';
import sodium from 'libsodium-wrappers-sumo';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { InboxResponse, MailUploadStatus, RelayErrorBody } from '../../shared/sync/relay-protocol';
import { certificationFor } from '../fixtures/officer-pki';
import {
  approvedDevice,
  call,
  deviceWithRequest,
  enrolBody,
  newDevice,
  testPki,
  startTestRelay,
  type Req,
  type TestDevice,
  type TestRelay,
} from './hq-harness';

/**
 * 1,000 malformed requests against a live relay: every one gets a 4xx with a JSON error of a
 * stable code, the relay never logs what the bodies held, and it serves valid requests after.
 */
let t: TestRelay;
let sender: { device: TestDevice; token: string };
let recipient: { device: TestDevice; token: string };
let itemId: string;
let officer: Awaited<ReturnType<typeof testPki>>['officer'];
const MARKER = 'MALFORMED-BODY-MARKER-5c1e';

beforeAll(async () => {
  await sodium.ready;
  // Malformed input, not volume: the per-address budgets are lifted here (they would answer
  // 429 to this one address); tests/integration/relay-abuse.test.ts is where they are tried.
  t = await startTestRelay({
    maxJsonBytes: 80 * 1024,
    maxChunkBytes: 64 * 1024,
    enrolPerAddress: { burst: 100_000, perMinute: 100_000 },
    enrolPerDevice: { burst: 100_000, perMinute: 100_000 },
    challengePerAddress: { burst: 100_000, perMinute: 100_000 },
    challengePerDevice: { burst: 100_000, perMinute: 100_000 },
  });
  officer = (await testPki()).officer;
  sender = await approvedDevice(t);
  recipient = await approvedDevice(t);
  const data = Buffer.alloc(1000, 7);
  const c = await call(t, {
    path: '/v1/mail',
    token: sender.token,
    body: {
      recipient: recipient.device.id,
      envelopeId: 'env-malformed-1',
      size: data.length,
      sha256: createHash('sha256').update(data).digest('hex'),
    },
  });
  itemId = c.json<MailUploadStatus>().id;
});
afterAll(async () => {
  t.agent.destroy();
  await t.relay.close();
  rmSync(t.dataDir, { recursive: true, force: true });
});

const b64 = (n: number) => Buffer.from(sodium.randombytes_buf(n)).toString('base64');
const hex = (n: number) => Buffer.from(sodium.randombytes_buf(n)).toString('hex');

/** The malformed request number `i`: categories in rotation, random content in each. */
function malformed(i: number): { kind: string; req: Req } {
  const enrol = () => enrolBody(newDevice());
  /** An enrolment (valid device proof) whose certification is `make(signPk, boxPk)`. */
  const certified = (make: (s: Uint8Array, b: Uint8Array) => Uint8Array) => {
    const sign = sodium.crypto_sign_keypair();
    const box = sodium.crypto_box_keypair();
    return enrolBody(deviceWithRequest(make(sign.publicKey, box.publicKey), { sign, box }));
  };
  const prekey = (over: Record<string, unknown> = {}) => ({
    prekeyId: hex(16),
    publicKey: b64(32),
    createdAt: Date.now(),
    signature: b64(64),
    ...over,
  });
  const put = (body: unknown, token = sender.token): Req => ({
    method: 'PUT',
    path: '/v1/prekeys',
    token,
    body: body as object,
  });
  const json = { 'content-type': 'application/json' };
  const chunk = { 'content-type': 'application/offset+octet-stream' };
  const kinds: [string, () => Req][] = [
    ['bad JSON', () => ({ path: '/v1/enroll', headers: json, body: `{"signPublicKey": "${MARKER}` })],
    ['wrong types', () => ({ path: '/v1/auth/challenge', body: { deviceId: i } })],
    ['extra field', () => ({ path: '/v1/auth/challenge', body: { deviceId: hex(16), note: MARKER } })],
    ['extra field (enrol)', () => ({ path: '/v1/enroll', body: { ...enrol(), admin: true } })],
    ['missing field', () => ({ path: '/v1/enroll', body: { ...enrol(), proof: undefined } })],
    ['not an object', () => ({ path: '/v1/auth/session', body: [MARKER, i] })],
    ['null body', () => ({ path: '/v1/auth/session', headers: json, body: 'null' })],
    [
      'invalid UTF-8',
      () => ({ path: '/v1/enroll', headers: json, body: Buffer.from([0x7b, 0xff, 0xfe, 0x7d]) }),
    ],
    [
      'oversized body',
      () => ({ path: '/v1/enroll', headers: json, body: `"${MARKER}${'x'.repeat(100 * 1024)}"` }),
    ],
    [
      'oversized chunked body',
      () => ({
        path: '/v1/enroll',
        headers: { ...json, 'transfer-encoding': 'chunked' },
        body: `"${MARKER}${'y'.repeat(90 * 1024)}"`,
      }),
    ],
    ['bad enrolment signature', () => ({ path: '/v1/enroll', body: { ...enrol(), proof: b64(64) } })],
    ['key of the wrong length', () => ({ path: '/v1/enroll', body: { ...enrol(), boxPublicKey: b64(31) } })],
    ['unknown device', () => ({ path: '/v1/auth/challenge', body: { deviceId: hex(16) } })],
    [
      'bad session signature',
      () => ({
        path: '/v1/auth/session',
        body: { deviceId: sender.device.id, nonce: b64(32), signature: b64(64) },
      }),
    ],
    ['no token', () => ({ path: '/v1/inbox' })],
    [
      'forged token',
      () => ({ path: '/v1/inbox', token: Buffer.from(sodium.randombytes_buf(32)).toString('base64url') }),
    ],
    ['malformed authorization', () => ({ path: '/v1/inbox', headers: { authorization: `Basic ${MARKER}` } })],
    ['unknown route', () => ({ path: `/v1/${hex(4)}` })],
    ['wrong method', () => ({ method: 'DELETE', path: '/v1/enroll' })],
    [
      'wrong content type',
      () => ({ path: '/v1/auth/challenge', headers: { 'content-type': 'text/plain' }, body: '{}' }),
    ],
    ['bad cursor', () => ({ path: `/v1/inbox?after=${MARKER}`, token: recipient.token })],
    ['unknown query', () => ({ path: '/v1/inbox?evil=1', token: recipient.token })],
    ['query on a fixed route', () => ({ path: '/health?x=1' })],
    ['bad item id', () => ({ path: `/v1/inbox/${MARKER}`, token: recipient.token })],
    ['someone else’s item', () => ({ path: `/v1/inbox/${itemId}`, token: sender.token })],
    [
      'wrong offset',
      () => ({
        method: 'PATCH',
        path: `/v1/mail/${itemId}`,
        token: sender.token,
        headers: { ...chunk, 'upload-offset': String(1 + (i % 900)) },
        body: Buffer.alloc(10),
      }),
    ],
    [
      'malformed offset',
      () => ({
        method: 'PATCH',
        path: `/v1/mail/${itemId}`,
        token: sender.token,
        headers: { ...chunk, 'upload-offset': '-1' },
        body: Buffer.alloc(10),
      }),
    ],
    [
      'chunk beyond the item',
      () => ({
        method: 'PATCH',
        path: `/v1/mail/${itemId}`,
        token: sender.token,
        headers: { ...chunk, 'upload-offset': '0' },
        body: Buffer.alloc(1001),
      }),
    ],
    [
      'chunk of the wrong type',
      () => ({
        method: 'PATCH',
        path: `/v1/mail/${itemId}`,
        token: sender.token,
        headers: { 'content-type': 'application/json', 'upload-offset': '0' },
        body: '{}',
      }),
    ],
    [
      'mail to nobody',
      () => ({
        path: '/v1/mail',
        token: sender.token,
        body: { recipient: hex(16), envelopeId: `env-${hex(6)}`, size: 10, sha256: hex(32) },
      }),
    ],
    [
      'negative size',
      () => ({
        path: '/v1/mail',
        token: sender.token,
        body: { recipient: recipient.device.id, envelopeId: `env-${hex(6)}`, size: -5, sha256: hex(32) },
      }),
    ],
    [
      'fractional size',
      () => ({
        path: '/v1/mail',
        token: sender.token,
        body: { recipient: recipient.device.id, envelopeId: `env-${hex(6)}`, size: 1.5, sha256: hex(32) },
      }),
    ],
    [
      'bad range',
      () => ({ path: `/v1/inbox/${itemId}`, token: recipient.token, headers: { range: `bytes=${MARKER}` } }),
    ],
    [
      'certification not JSON',
      () => ({ path: '/v1/enroll', body: certified(() => Buffer.from(`${MARKER}{`)) }),
    ],
    [
      'certification with an unknown algorithm',
      () => ({
        path: '/v1/enroll',
        body: certified((s, b) => certificationFor(officer, s, b, { algorithm: MARKER })),
      }),
    ],
    [
      'certification with a damaged certificate',
      () => ({
        path: '/v1/enroll',
        body: certified((s, b) =>
          certificationFor(officer, s, b, { certificates: [Buffer.from(MARKER).toString('base64')] }),
        ),
      }),
    ],
    [
      'certification with a wrong token signature',
      () => ({
        path: '/v1/enroll',
        body: certified((s, b) => certificationFor({ ...officer, name: MARKER }, b, s)),
      }),
    ],
    [
      'certification with an extra field',
      () => ({
        path: '/v1/enroll',
        body: certified((s, b) => certificationFor(officer, s, b, { [MARKER]: 1 } as object)),
      }),
    ],
    ['prekey with a bad signature', () => put({ prekeys: [prekey()] })],
    ['prekey with an extra field', () => put({ prekeys: [prekey({ note: MARKER })] })],
    ['prekey of the wrong length', () => put({ prekeys: [prekey({ publicKey: b64(33) })] })],
    ['prekey dated as text', () => put({ prekeys: [prekey({ createdAt: MARKER })] })],
    ['no prekeys', () => put({ prekeys: [] })],
    ['too many prekeys', () => put({ prekeys: Array.from({ length: 9 }, () => prekey()) })],
    [
      'prekeys without a token',
      () => ({ method: 'PUT', path: '/v1/prekeys', body: { prekeys: [prekey()] } }),
    ],
    [
      'prekeys with POST',
      () => ({ path: '/v1/prekeys', token: sender.token, body: { prekeys: [prekey()] } }),
    ],
    ['directory without a token', () => ({ path: '/v1/directory' })],
    ['directory with a query', () => ({ path: `/v1/directory?${MARKER}=1`, token: sender.token })],
    ['directory with PUT', () => ({ method: 'PUT', path: '/v1/directory', token: sender.token, body: {} })],
    [
      'ack of an unknown item',
      () => ({ path: `/v1/inbox/${hex(16)}/ack`, token: recipient.token, body: {} }),
    ],
  ];
  const [kind, make] = kinds[i % kinds.length] as [string, () => Req];
  return { kind, req: make() };
}

describe('HQ relay under malformed input', () => {
  it('answers 1,000 malformed requests with 4xx JSON errors, then serves valid ones', async () => {
    const started = Date.now();
    const statuses = new Map<number, number>();
    const failures: string[] = [];
    const N = 1000;
    let next = 0;
    const worker = async () => {
      while (next < N) {
        const i = next++;
        const { kind, req } = malformed(i);
        try {
          const r = await call(t, req);
          statuses.set(r.status, (statuses.get(r.status) ?? 0) + 1);
          const code = r.status === 405 || r.body.length > 0 ? r.json<RelayErrorBody>().error.code : '';
          if (r.status < 400 || r.status > 499 || !/^E_[A-Z_]+$/.test(code)) {
            failures.push(`${kind}: ${r.status} ${r.body.toString().slice(0, 200)}`);
          }
        } catch (e) {
          failures.push(`${kind}: ${e instanceof Error ? e.message : String(e)}`);
        }
      }
    };
    await Promise.all(Array.from({ length: 6 }, worker));
    const ms = Date.now() - started;
    console.log(
      `malformed: ${N} requests in ${ms} ms; statuses ${JSON.stringify(Object.fromEntries([...statuses].sort()))}`,
    );
    expect(failures).toEqual([]);

    // Still up, and still right.
    expect((await call(t, { path: '/health' })).status).toBe(200);
    const e = await call(t, { path: '/v1/enroll', body: enrolBody(newDevice()) });
    expect(e.status).toBe(201);
    const inbox = await call(t, { path: '/v1/inbox?after=0', token: recipient.token });
    expect(inbox.status).toBe(200);
    expect(inbox.json<InboxResponse>().items).toEqual([]);
    // No body ever reached the log.
    expect(t.logs.filter((l) => l.includes(MARKER))).toEqual([]);
    expect(t.logs.filter((l) => l.startsWith('fault'))).toEqual([]);
  });
});
