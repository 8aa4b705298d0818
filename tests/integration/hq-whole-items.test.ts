import { createHash, randomBytes } from 'node:crypto';
import { rmSync } from 'node:fs';
import sodium from 'libsodium-wrappers-sumo';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import WebSocket from 'ws';
import {
  MAX_WHOLE_ITEM_BYTES,
  PushMessage,
  type InboxResponse,
  type MailUploadStatus,
  type RelayErrorBody,
} from '../../shared/sync/relay-protocol';
import {
  approvedDevice,
  call,
  heldBlobs,
  openRelayStore,
  startTestRelay,
  type TestRelay,
} from './hq-harness';

/**
 * Small items delivered whole in their `POST /v1/mail` (relay-api-v1, "whole items"): one
 * request, one commit, on whichever store the run uses (EMBASSY_RELAY_DB). The rules of an
 * announced upload hold for them too: the declared digest and size, idempotency per envelope
 * id, the recipient's quota, and nothing stored when any of them says no.
 */
let t: TestRelay;
let a: Awaited<ReturnType<typeof approvedDevice>>;
let b: Awaited<ReturnType<typeof approvedDevice>>;

beforeAll(async () => {
  await sodium.ready;
  t = await startTestRelay({ maxPendingBytesPerDevice: 60_000 });
  a = await approvedDevice(t);
  b = await approvedDevice(t);
});
afterAll(async () => {
  t.agent.destroy();
  await t.relay.close();
  rmSync(t.dataDir, { recursive: true, force: true });
});

const code = (r: { json<T>(): T }) => r.json<RelayErrorBody>().error.code;
const sha = (bytes: Buffer) => createHash('sha256').update(bytes).digest('hex');
const whole = (envelopeId: string, bytes: Buffer, over: Record<string, unknown> = {}) => ({
  recipient: b.device.id,
  envelopeId,
  size: bytes.length,
  sha256: sha(bytes),
  content: bytes.toString('base64'),
  ...over,
});

async function inbox(): Promise<InboxResponse['items']> {
  return (await call(t, { path: '/v1/inbox?after=0', token: b.token })).json<InboxResponse>().items;
}

describe('whole items', () => {
  it('one POST: complete at once, pushed, listed, downloaded byte for byte, acknowledged', async () => {
    const pushes: PushMessage[] = [];
    const ws = new WebSocket(`wss://127.0.0.1:${t.relay.port}/v1/push`, {
      ca: t.relay.certificatePem,
      headers: { authorization: `Bearer ${b.token}` },
    });
    ws.on('message', (m: Buffer) => pushes.push(PushMessage.parse(JSON.parse(m.toString('utf8')))));
    await new Promise((r) => ws.once('open', r));
    const bytes = randomBytes(MAX_WHOLE_ITEM_BYTES);
    const r = await call(t, { path: '/v1/mail', token: a.token, body: whole('env-whole-0001', bytes) });
    expect(r.status, r.body.toString()).toBe(201);
    const status = r.json<MailUploadStatus>();
    expect(status).toMatchObject({ state: 'complete', offset: bytes.length, size: bytes.length });
    for (let i = 0; i < 100 && !pushes.some((p) => p.type === 'mail'); i++)
      await new Promise((res) => setTimeout(res, 20));
    ws.close();
    expect(pushes.some((p) => p.type === 'mail')).toBe(true);

    const listed = await inbox();
    expect(listed.map((i) => i.id)).toEqual([status.id]);
    const got = await call(t, { path: `/v1/inbox/${status.id}`, token: b.token });
    expect(got.status).toBe(200);
    expect(got.body.equals(bytes)).toBe(true);
    const range = await call(t, {
      path: `/v1/inbox/${status.id}`,
      token: b.token,
      headers: { range: 'bytes=100-199' },
    });
    expect([range.status, range.body.equals(bytes.subarray(100, 200))]).toEqual([206, true]);

    // Sent again (a lost answer): the same item, not a second copy.
    const again = await call(t, { path: '/v1/mail', token: a.token, body: whole('env-whole-0001', bytes) });
    expect([again.status, again.json<MailUploadStatus>().id]).toEqual([200, status.id]);
    expect(await inbox()).toHaveLength(1);

    const ack = await call(t, { path: `/v1/inbox/${status.id}/ack`, token: b.token, body: {} });
    expect(ack.status).toBe(200);
    expect(await inbox()).toHaveLength(0);
    expect(await heldBlobs(t)).toEqual([]);
  });

  it('refuses content that is not what was declared, and stores nothing', async () => {
    const bytes = randomBytes(2048);
    const cases: [string, Record<string, unknown>, number, string][] = [
      ['env-whole-digest', { sha256: sha(randomBytes(8)) }, 422, 'E_DIGEST_MISMATCH'],
      ['env-whole-size01', { size: 2047 }, 400, 'E_BAD_REQUEST'],
      ['env-whole-size02', { size: 4096 }, 400, 'E_BAD_REQUEST'],
      ['env-whole-base64', { content: 'not base64!' }, 400, 'E_INVALID_INPUT'],
    ];
    for (const [envelopeId, over, status, errorCode] of cases) {
      const r = await call(t, { path: '/v1/mail', token: a.token, body: whole(envelopeId, bytes, over) });
      expect([envelopeId, r.status, code(r)], r.body.toString()).toEqual([envelopeId, status, errorCode]);
    }
    // Larger than a whole item may be: refused at the boundary (it must be uploaded in chunks).
    const big = randomBytes(MAX_WHOLE_ITEM_BYTES + 1);
    const r = await call(t, { path: '/v1/mail', token: a.token, body: whole('env-whole-toobig', big) });
    expect(r.status).toBe(400);
    expect(await inbox()).toHaveLength(0);
    expect(await heldBlobs(t)).toEqual([]);
  });

  it("keeps to the recipient's quota and to the envelope id's first content", async () => {
    const first = randomBytes(30_000);
    const ok = await call(t, { path: '/v1/mail', token: a.token, body: whole('env-whole-quota1', first) });
    expect(ok.status).toBe(201);
    // 30,000 held of 60,000: another 35,000 does not fit.
    const over = await call(t, {
      path: '/v1/mail',
      token: a.token,
      body: whole('env-whole-quota2', randomBytes(35_000)),
    });
    expect([over.status, code(over)]).toEqual([413, 'E_QUOTA_EXCEEDED']);
    // The same envelope id with other bytes: a conflict, the first content stays.
    const other = await call(t, {
      path: '/v1/mail',
      token: a.token,
      body: whole('env-whole-quota1', randomBytes(30_000)),
    });
    expect([other.status, code(other)]).toEqual([409, 'E_ENVELOPE_CONFLICT']);
    const id = ok.json<MailUploadStatus>().id;
    expect(await heldBlobs(t)).toEqual([id]);
    const got = await call(t, { path: `/v1/inbox/${id}`, token: b.token });
    expect(got.body.equals(first)).toBe(true);
  });

  it('an item announced for a chunked upload and then sent whole goes on as the chunked one', async () => {
    const bytes = randomBytes(5000);
    const announced = await call(t, {
      path: '/v1/mail',
      token: a.token,
      body: { recipient: b.device.id, envelopeId: 'env-whole-mixed', size: bytes.length, sha256: sha(bytes) },
    });
    expect(announced.json<MailUploadStatus>().state).toBe('uploading');
    const r = await call(t, { path: '/v1/mail', token: a.token, body: whole('env-whole-mixed', bytes) });
    expect(r.status).toBe(200);
    expect(r.json<MailUploadStatus>()).toMatchObject({
      id: announced.json<MailUploadStatus>().id,
      state: 'uploading',
    });
    // The store holds one item for the envelope, still waiting for its bytes.
    const store = await openRelayStore(t);
    try {
      expect((await store.getItem(r.json<MailUploadStatus>().id))?.state).toBe('uploading');
    } finally {
      await store.close();
    }
  });
});
