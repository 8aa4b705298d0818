import { createHash, randomBytes } from 'node:crypto';
import { rmSync } from 'node:fs';
import { request } from 'node:https';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import WebSocket from 'ws';
import { PushMessage, type InboxResponse, type MailUploadStatus } from '../../shared/sync/relay-protocol';
import {
  approvedDevice,
  call,
  startSiblingRelay,
  startTestRelay,
  type TestDevice,
  type TestRelay,
} from './hq-harness';

/**
 * Two relay instances on one PostgreSQL database (a throwaway cluster), each with a copy of the
 * same data directory, as behind a load balancer: a session opened on one is valid on the
 * other, mail uploaded through one wakes a device connected to the other, an upload cut on one
 * is resumed on the other, one quota holds across both, and mail taken by both at once is
 * listed once each.
 */

let a: TestRelay;
let b: TestRelay;

beforeAll(async () => {
  a = await startTestRelay(undefined, { db: 'postgres' });
  b = await startSiblingRelay(a);
});

afterAll(async () => {
  for (const t of [a, b]) {
    t?.agent.destroy();
    await t?.relay.close();
    if (t) rmSync(t.dataDir, { recursive: true, force: true });
  }
});

const CHUNK_TYPE = { 'content-type': 'application/offset+octet-stream' };

async function upload(t: TestRelay, token: string, id: string, offset: number, bytes: Buffer) {
  return call(t, {
    method: 'PATCH',
    path: `/v1/mail/${id}`,
    token,
    headers: { ...CHUNK_TYPE, 'upload-offset': String(offset) },
    body: bytes,
  });
}

/** A PATCH whose connection is cut after `sent` of the chunk's bytes. */
function cutPatch(t: TestRelay, token: string, id: string, offset: number, chunk: Buffer, sent: number) {
  return new Promise<void>((resolve) => {
    const req = request(`${t.relay.url}/v1/mail/${id}`, {
      method: 'PATCH',
      ca: t.relay.certificatePem,
      headers: {
        authorization: `Bearer ${token}`,
        ...CHUNK_TYPE,
        'content-length': String(chunk.length),
        'upload-offset': String(offset),
      },
    });
    req.on('error', () => resolve());
    req.on('response', () => resolve());
    req.on('close', () => resolve());
    req.write(chunk.subarray(0, sent), () => setTimeout(() => req.destroy(), 150));
  });
}

async function createItem(t: TestRelay, token: string, to: TestDevice, bytes: Buffer, envelopeId: string) {
  const sha256 = createHash('sha256').update(bytes).digest('hex');
  const r = await call(t, {
    path: '/v1/mail',
    token,
    body: { recipient: to.id, envelopeId, size: bytes.length, sha256 },
  });
  return { status: r.status, item: r.json<MailUploadStatus>() };
}

describe('two relay instances on one PostgreSQL', () => {
  it('share identity and sessions: a token from instance A works on B', async () => {
    expect(b.relay.fingerprint).toBe(a.relay.fingerprint);
    expect(b.relay.port).not.toBe(a.relay.port);
    const s = await approvedDevice(a);
    const onB = await call(b, { path: '/v1/inbox', token: s.token });
    expect(onB.status).toBe(200);
    // And a made-up token is refused by both.
    const fake = randomBytes(32).toString('base64url');
    expect((await call(b, { path: '/v1/inbox', token: fake })).status).toBe(401);
  });

  it('wakes a device connected to B with mail uploaded through A (LISTEN/NOTIFY)', async () => {
    const sender = await approvedDevice(a);
    const receiver = await approvedDevice(b);
    const ws = new WebSocket(`wss://127.0.0.1:${b.relay.port}/v1/push`, {
      ca: b.relay.certificatePem,
      headers: { authorization: `Bearer ${receiver.token}` },
    });
    const pushes: PushMessage[] = [];
    ws.on('message', (m: Buffer) => pushes.push(PushMessage.parse(JSON.parse(m.toString('utf8')))));
    await new Promise<void>((res, rej) => {
      ws.once('open', () => res());
      ws.once('error', rej);
    });
    try {
      const bytes = randomBytes(50_000);
      const { item } = await createItem(a, sender.token, receiver.device, bytes, 'env-push-across-01');
      const started = Date.now();
      expect((await upload(a, sender.token, item.id, 0, bytes)).status).toBe(200);
      for (let i = 0; i < 100 && !pushes.some((p) => p.type === 'mail'); i++)
        await new Promise((r) => setTimeout(r, 20));
      const mail = pushes.find((p) => p.type === 'mail');
      console.log(`push across instances: ${Date.now() - started} ms from the last PATCH's answer`);
      expect(mail).toBeDefined();
      const inbox = (
        await call(b, { path: '/v1/inbox?after=0', token: receiver.token })
      ).json<InboxResponse>();
      expect(inbox.items.map((i) => i.id)).toEqual([item.id]);
      expect(inbox.cursor).toBe(mail?.type === 'mail' ? mail.cursor : -1);
    } finally {
      ws.close();
    }
  });

  it('wakes each device on B whose whole items came through A in one group commit', async () => {
    const sender = await approvedDevice(a);
    const receivers = [await approvedDevice(b), await approvedDevice(b)];
    const pushes = receivers.map(() => [] as PushMessage[]);
    const sockets = receivers.map((r, i) => {
      const ws = new WebSocket(`wss://127.0.0.1:${b.relay.port}/v1/push`, {
        ca: b.relay.certificatePem,
        headers: { authorization: `Bearer ${r.token}` },
      });
      ws.on('message', (m: Buffer) => pushes[i]?.push(PushMessage.parse(JSON.parse(m.toString('utf8')))));
      return ws;
    });
    try {
      await Promise.all(
        sockets.map((ws) => new Promise((res, rej) => ws.once('open', res).once('error', rej))),
      );
      // Six whole items asked for at once: one group, one transaction, wake-ups sent together.
      const answers = await Promise.all(
        Array.from({ length: 6 }, async (_, n) => {
          const bytes = randomBytes(3000);
          const r = await call(a, {
            path: '/v1/mail',
            token: sender.token,
            body: {
              recipient: receivers[n % 2]?.device.id,
              envelopeId: `env-group-wake-${n}`,
              size: bytes.length,
              sha256: createHash('sha256').update(bytes).digest('hex'),
              content: bytes.toString('base64'),
            },
          });
          return { status: r.status, id: r.json<MailUploadStatus>().id };
        }),
      );
      expect(answers.map((x) => x.status)).toEqual([201, 201, 201, 201, 201, 201]);
      for (const [i, r] of receivers.entries()) {
        const inbox = (await call(b, { path: '/v1/inbox?after=0', token: r.token })).json<InboxResponse>();
        expect(inbox.items.map((x) => x.id).sort()).toEqual(
          answers
            .filter((_, n) => n % 2 === i)
            .map((x) => x.id)
            .sort(),
        );
        const woken = () => pushes[i]?.some((p) => p.type === 'mail' && p.cursor === inbox.cursor);
        for (let k = 0; k < 100 && !woken(); k++) await new Promise((res) => setTimeout(res, 20));
        expect(woken()).toBe(true);
      }
    } finally {
      for (const ws of sockets) ws.close();
    }
  });

  it('resumes on B an upload cut on A, and serves Ranges of it from either instance', async () => {
    const sender = await approvedDevice(a);
    const receiver = await approvedDevice(a);
    const bytes = randomBytes(3 * 1024 * 1024 + 12345);
    const { item } = await createItem(a, sender.token, receiver.device, bytes, 'env-cut-resume-01');
    const half = 2 * 1024 * 1024;
    await cutPatch(a, sender.token, item.id, 0, bytes.subarray(0, half), 1536 * 1024);
    // B knows where A's cut left the item (the committed chunks).
    let offset = 0;
    for (let i = 0; i < 50 && offset === 0; i++) {
      await new Promise((r) => setTimeout(r, 30));
      const h = await call(b, { method: 'HEAD', path: `/v1/mail/${item.id}`, token: sender.token });
      offset = Number(h.headers['upload-offset']);
    }
    console.log(`cut on A after ${1536 * 1024} bytes sent; B resumes at ${offset}`);
    expect(offset).toBeGreaterThan(0);
    expect(offset).toBeLessThanOrEqual(1536 * 1024);
    const rest = await upload(b, sender.token, item.id, offset, bytes.subarray(offset));
    expect([rest.status, rest.json<MailUploadStatus>().state]).toEqual([200, 'complete']);

    const first = await call(a, {
      path: `/v1/inbox/${item.id}`,
      token: receiver.token,
      headers: { range: `bytes=0-${half - 1}` },
    });
    const second = await call(b, {
      path: `/v1/inbox/${item.id}`,
      token: receiver.token,
      headers: { range: `bytes=${half}-` },
    });
    expect([first.status, second.status]).toEqual([206, 206]);
    expect(Buffer.concat([first.body, second.body]).equals(bytes)).toBe(true);
  });

  it('refuses a second writer of one item on the other instance while the first streams', async () => {
    const sender = await approvedDevice(a);
    const receiver = await approvedDevice(a);
    const bytes = randomBytes(1024 * 1024);
    const { item } = await createItem(a, sender.token, receiver.device, bytes, 'env-one-writer-01');
    // A PATCH on A that stalls after half its bytes: it holds the item.
    const stalled = request(`${a.relay.url}/v1/mail/${item.id}`, {
      method: 'PATCH',
      ca: a.relay.certificatePem,
      headers: {
        authorization: `Bearer ${sender.token}`,
        ...CHUNK_TYPE,
        'content-length': String(bytes.length),
        'upload-offset': '0',
      },
    });
    stalled.on('error', () => undefined);
    await new Promise<void>((r) => stalled.write(bytes.subarray(0, 512 * 1024), () => r()));
    await new Promise((r) => setTimeout(r, 300));
    const second = await upload(b, sender.token, item.id, 0, bytes);
    expect([second.status, second.json<{ error: { code: string } }>().error.code]).toEqual([
      409,
      'E_UPLOAD_BUSY',
    ]);
    stalled.destroy();
  });

  it('enforces one recipient quota across instances: full through A is full on B, freed on B is free on A', async () => {
    const receiver = await approvedDevice(a);
    const sender = await approvedDevice(b);
    const size = 10_000;
    const limits = { maxPendingBytesPerDevice: 5 * size };
    const [small1, small2] = [await startSiblingRelay(a, limits), await startSiblingRelay(a, limits)] as [
      TestRelay,
      TestRelay,
    ];
    try {
      const ids: string[] = [];
      for (let n = 0; n < 5; n++) {
        const bytes = randomBytes(size);
        const r = await createItem(small1, sender.token, receiver.device, bytes, `env-quota-${n}`);
        expect(r.status).toBe(201);
        expect((await upload(small1, sender.token, r.item.id, 0, bytes)).status).toBe(200);
        ids.push(r.item.id);
      }
      const extra = randomBytes(size);
      const refused = await createItem(small2, sender.token, receiver.device, extra, 'env-quota-extra');
      expect(refused.status).toBe(413);
      // Acknowledged through the other instance: the room is back for both.
      const ack = await call(small2, { path: `/v1/inbox/${ids[0]}/ack`, token: receiver.token, body: {} });
      expect(ack.status).toBe(200);
      const accepted = await createItem(small1, sender.token, receiver.device, extra, 'env-quota-extra');
      expect(accepted.status).toBe(201);
    } finally {
      for (const t of [small1, small2]) {
        t.agent.destroy();
        await t.relay.close();
        rmSync(t.dataDir, { recursive: true, force: true });
      }
    }
  });

  it('takes 40 items offered at once through two instances, each once, with distinct cursors', async () => {
    const receiver = await approvedDevice(a);
    const senders = await Promise.all([0, 1, 2, 3].map((i) => approvedDevice(i % 2 ? b : a)));
    const results = await Promise.all(
      Array.from({ length: 40 }, async (_, n) => {
        const s = senders[n % 4] as { token: string };
        const bytes = randomBytes(10_000);
        const r = await createItem(n % 2 ? a : b, s.token, receiver.device, bytes, `env-many-${n}`);
        if (r.status !== 201) return r.status;
        return (await upload(n % 2 ? b : a, s.token, r.item.id, 0, bytes)).status;
      }),
    );
    expect(results.filter((s) => s !== 200)).toEqual([]);
    const listed: number[] = [];
    let after = 0;
    for (;;) {
      const page = (
        await call(b, { path: `/v1/inbox?after=${after}&limit=7`, token: receiver.token })
      ).json<InboxResponse>();
      listed.push(...page.items.map((i) => i.cursor));
      after = page.cursor;
      if (!page.more) break;
    }
    expect(listed).toHaveLength(40);
    expect(new Set(listed).size).toBe(40);
  });
});
