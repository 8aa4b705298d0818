import { createHash } from 'node:crypto';
import { readdirSync, readFileSync, rmSync, statSync } from 'node:fs';
import { request } from 'node:https';
import { join } from 'node:path';
import sodium from 'libsodium-wrappers-sumo';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import WebSocket from 'ws';
import {
  PushMessage,
  type InboxResponse,
  type MailUploadStatus,
  type RelayErrorBody,
} from '../../shared/sync/relay-protocol';
import {
  approvedDevice,
  call,
  embassy,
  enrolBody,
  login,
  newDevice,
  startTestRelay,
  heldBlobs,
  testPki,
  type TestDevice,
  type TestRelay,
} from './hq-harness';
import { certificationFor } from '../fixtures/officer-pki';

/**
 * The relay end to end over real TLS with real libsodium keys: enrolment, approval through the
 * admin CLI, challenge login, chunked upload with a cut and a resume, push, inbox listing,
 * Range download, acknowledgement, idempotency, revocation, and what the data dir holds.
 */
let t: TestRelay;
const CANARY = 'CANARY-7f3a91-only-the-client-knew-this';

beforeAll(async () => {
  await sodium.ready;
  t = await startTestRelay({ maxChunkBytes: 256 * 1024 });
});
afterAll(async () => {
  t.agent.destroy();
  await t.relay.close();
  rmSync(t.dataDir, { recursive: true, force: true });
});

const code = (r: { json<T>(): T }) => r.json<RelayErrorBody>().error.code;

/** The canary text in a payload, encrypted with secretstream (final tag) as a client would. */
function encryptPayload(): { plaintext: Buffer; ciphertext: Buffer; key: Uint8Array; header: Uint8Array } {
  const plaintext = Buffer.concat([
    Buffer.from(`${CANARY}\n`),
    Buffer.from(sodium.randombytes_buf(700 * 1024)),
    Buffer.from(`\n${CANARY}`.repeat(50)),
  ]);
  const key = sodium.crypto_secretstream_xchacha20poly1305_keygen();
  const { state, header } = sodium.crypto_secretstream_xchacha20poly1305_init_push(key);
  const parts: Buffer[] = [];
  const CHUNK = 64 * 1024;
  for (let at = 0; at < plaintext.length; at += CHUNK) {
    const last = at + CHUNK >= plaintext.length;
    parts.push(
      Buffer.from(
        sodium.crypto_secretstream_xchacha20poly1305_push(
          state,
          plaintext.subarray(at, at + CHUNK),
          null,
          last
            ? sodium.crypto_secretstream_xchacha20poly1305_TAG_FINAL
            : sodium.crypto_secretstream_xchacha20poly1305_TAG_MESSAGE,
        ),
      ),
    );
  }
  return { plaintext, ciphertext: Buffer.concat(parts), key, header };
}

function decryptPayload(ciphertext: Buffer, key: Uint8Array, header: Uint8Array): Buffer {
  const state = sodium.crypto_secretstream_xchacha20poly1305_init_pull(header, key);
  const ABYTES = sodium.crypto_secretstream_xchacha20poly1305_ABYTES;
  const out: Buffer[] = [];
  let tag = -1;
  for (let at = 0; at < ciphertext.length; at += 64 * 1024 + ABYTES) {
    const r = sodium.crypto_secretstream_xchacha20poly1305_pull(
      state,
      ciphertext.subarray(at, at + 64 * 1024 + ABYTES),
      null,
    );
    if (r === false) throw new Error('a chunk does not decrypt');
    out.push(Buffer.from(r.message));
    tag = r.tag;
  }
  expect(tag).toBe(sodium.crypto_secretstream_xchacha20poly1305_TAG_FINAL);
  return Buffer.concat(out);
}

/** Starts a PATCH declaring `chunk.length` bytes, sends `sent` of them, then cuts the connection. */
function cutPatch(itemId: string, token: string, offset: number, chunk: Buffer, sent: number): Promise<void> {
  return new Promise((resolve) => {
    const req = request(`${t.relay.url}/v1/mail/${itemId}`, {
      method: 'PATCH',
      ca: t.relay.certificatePem,
      headers: {
        authorization: `Bearer ${token}`,
        'content-type': 'application/offset+octet-stream',
        'content-length': String(chunk.length),
        'upload-offset': String(offset),
      },
    });
    req.on('error', () => resolve());
    req.on('response', () => resolve());
    req.write(chunk.subarray(0, sent), () => setTimeout(() => req.destroy(), 150));
    req.on('close', () => resolve());
  });
}

async function headOffset(itemId: string, token: string): Promise<number> {
  const h = await call(t, { method: 'HEAD', path: `/v1/mail/${itemId}`, token });
  expect(h.status).toBe(200);
  expect(h.headers['upload-length']).toBeDefined();
  return Number(h.headers['upload-offset']);
}

/** Sends `data` from the relay's current offset on, the way a client resumes. */
async function sendRest(
  itemId: string,
  token: string,
  data: Buffer,
  chunk: number,
): Promise<MailUploadStatus> {
  for (let attempt = 0; attempt < 200; attempt++) {
    const offset = await headOffset(itemId, token);
    const piece = data.subarray(offset, offset + chunk);
    const r = await call(t, {
      method: 'PATCH',
      path: `/v1/mail/${itemId}`,
      token,
      headers: { 'content-type': 'application/offset+octet-stream', 'upload-offset': String(offset) },
      body: piece,
    });
    if (r.status === 409 && ['E_UPLOAD_BUSY', 'E_OFFSET_MISMATCH'].includes(code(r))) {
      await new Promise((res) => setTimeout(res, 20));
      continue;
    }
    expect(r.status, r.body.toString()).toBe(200);
    const status = r.json<MailUploadStatus>();
    if (status.state === 'complete') return status;
  }
  throw new Error('upload did not complete');
}

/** The HTTP status a refused push upgrade gets. */
function pushRefusal(token: string): Promise<number> {
  return new Promise((resolve, reject) => {
    const ws = new WebSocket(`wss://127.0.0.1:${t.relay.port}/v1/push`, {
      ca: t.relay.certificatePem,
      headers: { authorization: `Bearer ${token}` },
    });
    ws.on('unexpected-response', (_req, res) => {
      resolve(res.statusCode ?? 0);
      ws.terminate();
    });
    ws.on('open', () => reject(new Error('push opened')));
    ws.on('error', () => undefined);
  });
}

function filesUnder(dir: string): string[] {
  if (!statSync(dir).isDirectory()) return [dir];
  return readdirSync(dir, { withFileTypes: true }).flatMap((e) =>
    e.isDirectory() ? filesUnder(join(dir, e.name)) : [join(dir, e.name)],
  );
}

describe('HQ relay', () => {
  let a: { device: TestDevice; token: string };
  let b: { device: TestDevice; token: string };

  it('answers /health and created its identity with private key files at 0600', async () => {
    const h = await call(t, { path: '/health' });
    expect(h.status).toBe(200);
    expect(h.json()).toEqual({ status: 'ok', protocol: 1, hqSignPublicKey: t.relay.hqSignPublicKey });
    expect(t.relay.fingerprint).toMatch(/^[0-9a-f]{64}$/);
    for (const f of ['tls/key.pem', 'hq-sign.key']) {
      expect(statSync(join(t.dataDir, f)).mode & 0o777).toBe(0o600);
    }
  });

  it('enrols a device as pending, refuses it until the admin CLI approves it', async () => {
    const d = newDevice();
    const e = await call(t, { path: '/v1/enroll', body: enrolBody(d) });
    expect(e.status).toBe(201);
    expect(e.json()).toEqual({ deviceId: d.id, status: 'pending' });
    // Enrolling again with the same keys is idempotent; other keys under the same id conflict.
    expect((await call(t, { path: '/v1/enroll', body: enrolBody(d) })).status).toBe(200);
    // Another (valid) certification of the same keys with the old proof: the proof no longer matches.
    const officer = { ...(await testPki()).officer, name: 'Someone Else', department: 'Visa' };
    const recertified = certificationFor(officer, d.sign.publicKey, d.box.publicKey);
    const other = { ...enrolBody(d), request: recertified.toString('base64') };
    const proofMismatch = await call(t, { path: '/v1/enroll', body: other });
    expect([proofMismatch.status, code(proofMismatch)]).toEqual([401, 'E_BAD_SIGNATURE']);
    const pending = await call(t, { path: '/v1/auth/challenge', body: { deviceId: d.id } });
    expect([pending.status, code(pending)]).toEqual([403, 'E_DEVICE_PENDING']);

    const list = await embassy(['hq', 'devices', ...t.admin, '--json']);
    expect(list.code).toBe(0);
    const devices = JSON.parse(list.stdout) as { id: string; status: string }[];
    expect(devices).toContainEqual(expect.objectContaining({ id: d.id, status: 'pending' }));

    expect((await embassy(['hq', 'approve', ...t.admin, '--force', d.id])).code).toBe(0);
    const token = await login(t, d);
    expect(token).toMatch(/^[A-Za-z0-9_-]{43}$/);
  });

  it('refuses a challenge answer signed by another key, and a reused nonce', async () => {
    const d = (await approvedDevice(t)).device;
    const ch = (await call(t, { path: '/v1/auth/challenge', body: { deviceId: d.id } })).json<{
      nonce: string;
    }>();
    const wrong = sodium.crypto_sign_detached(Buffer.from(ch.nonce, 'base64'), newDevice().sign.privateKey);
    const s = await call(t, {
      path: '/v1/auth/session',
      body: { deviceId: d.id, nonce: ch.nonce, signature: Buffer.from(wrong).toString('base64') },
    });
    expect([s.status, code(s)]).toEqual([401, 'E_BAD_SIGNATURE']);
    const again = await call(t, {
      path: '/v1/auth/session',
      body: { deviceId: d.id, nonce: ch.nonce, signature: Buffer.from(wrong).toString('base64') },
    });
    expect([again.status, code(again)]).toEqual([401, 'E_CHALLENGE_INVALID']);
  });

  it('carries an encrypted envelope: chunked upload, cut, resume, push, list, Range download, ack', async () => {
    a = await approvedDevice(t);
    b = await approvedDevice(t);
    const { plaintext, ciphertext, key, header } = encryptPayload();
    const sha256 = createHash('sha256').update(ciphertext).digest('hex');
    const envelopeId = 'env-0001-abcdef';

    // B listens for pushes.
    const ws = new WebSocket(`wss://127.0.0.1:${t.relay.port}/v1/push`, {
      ca: t.relay.certificatePem,
      headers: { authorization: `Bearer ${b.token}` },
    });
    const pushes: PushMessage[] = [];
    ws.on('message', (m: Buffer) => pushes.push(PushMessage.parse(JSON.parse(m.toString('utf8')))));
    await new Promise<void>((res, rej) => {
      ws.once('open', () => res());
      ws.once('error', rej);
    });

    const create = { recipient: b.device.id, envelopeId, size: ciphertext.length, sha256 };
    const c = await call(t, { path: '/v1/mail', token: a.token, body: create });
    expect(c.status).toBe(201);
    const item = c.json<MailUploadStatus>();
    expect(item).toMatchObject({ offset: 0, state: 'uploading', size: ciphertext.length });
    // The same create again (a client that lost the answer) returns the same item.
    const again = await call(t, { path: '/v1/mail', token: a.token, body: create });
    expect([again.status, again.json<MailUploadStatus>().id]).toEqual([200, item.id]);
    const conflict = await call(t, { path: '/v1/mail', token: a.token, body: { ...create, size: 5 } });
    expect([conflict.status, code(conflict)]).toEqual([409, 'E_ENVELOPE_CONFLICT']);
    // Only the sender sees the upload.
    expect((await call(t, { method: 'HEAD', path: `/v1/mail/${item.id}`, token: b.token })).status).toBe(404);

    // First chunk, then a chunk cut after 100 KiB of its 256 KiB.
    const CH = 256 * 1024;
    const first = await call(t, {
      method: 'PATCH',
      path: `/v1/mail/${item.id}`,
      token: a.token,
      headers: { 'content-type': 'application/offset+octet-stream', 'upload-offset': '0' },
      body: ciphertext.subarray(0, CH),
    });
    expect(first.status).toBe(200);
    expect(first.headers['upload-offset']).toBe(String(CH));
    // A wrong offset is refused with the current one.
    const wrong = await call(t, {
      method: 'PATCH',
      path: `/v1/mail/${item.id}`,
      token: a.token,
      headers: { 'content-type': 'application/offset+octet-stream', 'upload-offset': '5' },
      body: ciphertext.subarray(5, 100),
    });
    expect([wrong.status, code(wrong), wrong.headers['upload-offset']]).toEqual([
      409,
      'E_OFFSET_MISMATCH',
      String(CH),
    ]);

    await cutPatch(item.id, a.token, CH, ciphertext.subarray(CH, 2 * CH), 100 * 1024);
    // The relay keeps what arrived before the cut (at most the 100 KiB sent).
    let afterCut = CH;
    for (let i = 0; i < 50 && afterCut === CH; i++) {
      await new Promise((r) => setTimeout(r, 20));
      afterCut = await headOffset(item.id, a.token);
    }
    expect(afterCut).toBeGreaterThanOrEqual(CH);
    expect(afterCut).toBeLessThanOrEqual(CH + 100 * 1024);
    console.log(`resume: offset after the cut ${afterCut} (sent ${CH + 100 * 1024} of ${ciphertext.length})`);
    expect(pushes.filter((p) => p.type === 'mail')).toHaveLength(0);

    const done = await sendRest(item.id, a.token, ciphertext, CH);
    expect(done).toMatchObject({ id: item.id, state: 'complete', offset: ciphertext.length });

    // Push reaches B.
    for (let i = 0; i < 50 && !pushes.some((p) => p.type === 'mail'); i++)
      await new Promise((r) => setTimeout(r, 20));
    expect(pushes[0]).toEqual({ type: 'hello', deviceId: b.device.id });
    const mailPush = pushes.find((p) => p.type === 'mail');
    expect(mailPush).toBeDefined();
    ws.close();

    // B lists, downloads in two ranges, decrypts.
    const inbox = (await call(t, { path: '/v1/inbox?after=0', token: b.token })).json<InboxResponse>();
    expect(inbox.items).toHaveLength(1);
    expect(inbox.items[0]).toMatchObject({ id: item.id, sender: a.device.id, envelopeId, sha256 });
    expect(inbox.cursor).toBe(mailPush?.type === 'mail' ? mailPush.cursor : -1);
    expect(
      (await call(t, { path: '/v1/inbox?after=0', token: a.token })).json<InboxResponse>().items,
    ).toHaveLength(0);
    const half = 500_000;
    const r1 = await call(t, {
      path: `/v1/inbox/${item.id}`,
      token: b.token,
      headers: { range: `bytes=0-${half - 1}` },
    });
    const r2 = await call(t, {
      path: `/v1/inbox/${item.id}`,
      token: b.token,
      headers: { range: `bytes=${half}-` },
    });
    expect([r1.status, r2.status]).toEqual([206, 206]);
    expect(r2.headers['content-range']).toBe(`bytes ${half}-${ciphertext.length - 1}/${ciphertext.length}`);
    const downloaded = Buffer.concat([r1.body, r2.body]);
    expect(downloaded.equals(ciphertext)).toBe(true);
    expect(decryptPayload(downloaded, key, header).equals(plaintext)).toBe(true);
    const bad = await call(t, {
      path: `/v1/inbox/${item.id}`,
      token: b.token,
      headers: { range: 'bytes=99999999-' },
    });
    expect([bad.status, code(bad)]).toEqual([416, 'E_RANGE_NOT_SATISFIABLE']);

    // The canary never reached the relay's disk or log in clear.
    const needle = Buffer.from(CANARY);
    // On PostgreSQL: the cluster's data directory (tables, WAL) and its server log too.
    const files = t.storagePaths.flatMap(filesUnder);
    const hits =
      files.filter((f) => readFileSync(f).includes(needle)).length +
      t.logs.filter((l) => l.includes(CANARY)).length;
    console.log(
      `canary: ${hits} hits in ${files.length} files of the data dir and ${t.logs.length} log lines`,
    );
    expect(hits).toBe(0);
    // The ciphertext itself is there (so the scan looked at the right place).
    expect(files.some((f) => readFileSync(f).includes(ciphertext.subarray(1000, 1064)))).toBe(true);

    // Ack: gone from the inbox and from the disk.
    const ack = await call(t, { path: `/v1/inbox/${item.id}/ack`, token: b.token, body: {} });
    expect([ack.status, ack.json()]).toEqual([200, { id: item.id, state: 'acked' }]);
    expect((await call(t, { path: '/v1/inbox', token: b.token })).json<InboxResponse>().items).toHaveLength(
      0,
    );
    const gone = await call(t, { path: `/v1/inbox/${item.id}`, token: b.token });
    expect([gone.status, code(gone)]).toEqual([410, 'E_GONE']);
    expect(await heldBlobs(t)).toHaveLength(0);

    // Re-uploading the same envelope id after delivery does not make a second copy.
    const replay = await call(t, { path: '/v1/mail', token: a.token, body: create });
    expect([replay.status, replay.json<MailUploadStatus>()]).toEqual([
      200,
      { id: item.id, offset: ciphertext.length, size: ciphertext.length, state: 'acked' },
    ]);
    expect(
      (await call(t, { path: '/v1/inbox?after=0', token: b.token })).json<InboxResponse>().items,
    ).toHaveLength(0);
  });

  it('refuses a digest mismatch and restarts the item at 0', async () => {
    const data = Buffer.from(sodium.randombytes_buf(1000));
    const c = await call(t, {
      path: '/v1/mail',
      token: a.token,
      body: { recipient: b.device.id, envelopeId: 'env-digest-1', size: 1000, sha256: 'ab'.repeat(32) },
    });
    const id = c.json<MailUploadStatus>().id;
    const p = await call(t, {
      method: 'PATCH',
      path: `/v1/mail/${id}`,
      token: a.token,
      headers: { 'content-type': 'application/offset+octet-stream', 'upload-offset': '0' },
      body: data,
    });
    expect([p.status, code(p)]).toEqual([422, 'E_DIGEST_MISMATCH']);
    expect(await headOffset(id, a.token)).toBe(0);
  });

  it('enforces the item size and the per-device pending quota', async () => {
    const small = await startTestRelay({ maxItemBytes: 1000, maxPendingBytesPerDevice: 1500 });
    try {
      const s = await approvedDevice(small);
      const r = await approvedDevice(small);
      const body = (envelopeId: string, size: number) => ({
        recipient: r.device.id,
        envelopeId,
        size,
        sha256: '00'.repeat(32),
      });
      const big = await call(small, { path: '/v1/mail', token: s.token, body: body('env-big-0001', 1001) });
      expect([big.status, code(big)]).toEqual([413, 'E_QUOTA_EXCEEDED']);
      expect(
        (await call(small, { path: '/v1/mail', token: s.token, body: body('env-q-00001', 1000) })).status,
      ).toBe(201);
      // The quota counts stored bytes (issue 14): the 1,000 announced bytes arrive first.
      const first = (
        await call(small, { path: '/v1/mail', token: s.token, body: body('env-q-00001', 1000) })
      ).json<MailUploadStatus>();
      const sent = await call(small, {
        method: 'PATCH',
        path: `/v1/mail/${first.id}`,
        token: s.token,
        headers: { 'content-type': 'application/offset+octet-stream', 'upload-offset': '0' },
        body: Buffer.alloc(999),
      });
      expect(sent.status, sent.body.toString()).toBe(200);
      const over = await call(small, { path: '/v1/mail', token: s.token, body: body('env-q-00002', 502) });
      expect([over.status, code(over)]).toEqual([413, 'E_QUOTA_EXCEEDED']);
      expect(
        (await call(small, { path: '/v1/mail', token: s.token, body: body('env-q-00003', 501) })).status,
      ).toBe(201);
    } finally {
      small.agent.destroy();
      await small.relay.close();
      rmSync(small.dataDir, { recursive: true, force: true });
    }
  });

  it('refuses a revoked device at once, on every route, and for good', async () => {
    const revoked = await embassy(['hq', 'revoke', ...t.admin, a.device.id, '--json']);
    expect(revoked.code).toBe(0);
    expect(JSON.parse(revoked.stdout)).toEqual({ id: a.device.id, status: 'revoked' });
    const inbox = await call(t, { path: '/v1/inbox', token: a.token });
    expect([inbox.status, code(inbox)]).toEqual([403, 'E_DEVICE_REVOKED']);
    const ch = await call(t, { path: '/v1/auth/challenge', body: { deviceId: a.device.id } });
    expect([ch.status, code(ch)]).toEqual([403, 'E_DEVICE_REVOKED']);
    const re = await call(t, { path: '/v1/enroll', body: enrolBody(a.device) });
    expect([re.status, code(re)]).toEqual([403, 'E_DEVICE_REVOKED']);
    // Nobody can send to it either, and approve cannot bring it back.
    const to = await call(t, {
      path: '/v1/mail',
      token: b.token,
      body: { recipient: a.device.id, envelopeId: 'env-to-revoked', size: 10, sha256: '00'.repeat(32) },
    });
    expect([to.status, code(to)]).toEqual([409, 'E_RECIPIENT_UNAVAILABLE']);
    expect(await pushRefusal(a.token)).toBe(403);
    expect(await pushRefusal('x'.repeat(43))).toBe(401);
    const approve = await embassy(['hq', 'approve', ...t.admin, a.device.id]);
    expect(approve.code).toBe(1);
    expect(approve.stderr).toContain('E_DEVICE_REVOKED');
  });
});
