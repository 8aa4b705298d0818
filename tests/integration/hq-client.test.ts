import { createHash, randomBytes } from 'node:crypto';
import { rmSync } from 'node:fs';
import { Readable } from 'node:stream';
import { createServer, connect, type Server, type Socket } from 'node:net';
import sodium from 'libsodium-wrappers-sumo';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  createRelayClient,
  encodeEnrolmentCertification,
  RelayClientError,
  type DeviceSigner,
  type RelayClient,
} from '../../electron/core/sync/relay';
import { EnrolmentCertification, prekeyMessage, type InboxItem } from '../../shared/sync/relay-protocol';
import { startRelay } from '../../hq/server/relay-server';
import { startFaultProxy } from '../fixtures/fault-proxy';
import {
  approvedDevice,
  call,
  enrolBody,
  newDevice,
  startTestRelay,
  openRelayStore,
  type TestDevice,
  type TestRelay,
} from './hq-harness';

/**
 * The core's relay client against a real relay: pinning refused before any request, enrolment,
 * prekeys, the signed directory, an upload that resumes after the connection is cut mid-PATCH,
 * a download that resumes with Range after a cut (and across calls), ack and push. Cuts come
 * from a loopback TCP proxy that destroys the connection after N bytes in one direction.
 */
let t: TestRelay;

beforeAll(async () => {
  await sodium.ready;
  t = await startTestRelay();
});
afterAll(async () => {
  t.agent.destroy();
  await t.relay.close();
  rmSync(t.dataDir, { recursive: true, force: true });
});

interface CutProxy {
  readonly port: number;
  /** Connections opened through the proxy. */
  connections: number;
  /** Cuts made so far. */
  cuts: number;
  /** Cut the next connection that carries more than `bytes` in `direction` (once). */
  arm(direction: 'up' | 'down', bytes: number): void;
  close(): Promise<void>;
}

/** A loopback TCP proxy to the relay: TLS passes through untouched (the pin still holds). */
async function cutProxy(target: number): Promise<CutProxy> {
  let armed: { direction: 'up' | 'down'; bytes: number } | undefined;
  const sockets = new Set<Socket>();
  const state = {
    connections: 0,
    cuts: 0,
  };
  const server: Server = createServer((client) => {
    state.connections++;
    const upstream = connect(target, '127.0.0.1');
    sockets.add(client).add(upstream);
    const counted = { up: 0, down: 0 };
    const relay = (from: Socket, to: Socket, direction: 'up' | 'down') => {
      from.on('data', (chunk: Buffer) => {
        counted[direction] += chunk.length;
        if (armed?.direction === direction && counted[direction] > armed.bytes) {
          armed = undefined;
          state.cuts++;
          client.destroy();
          upstream.destroy();
          return;
        }
        to.write(chunk);
      });
    };
    relay(client, upstream, 'up');
    relay(upstream, client, 'down');
    for (const s of [client, upstream]) {
      s.on('error', () => undefined);
      s.on('close', () => {
        client.destroy();
        upstream.destroy();
        sockets.delete(s);
      });
    }
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const port = (server.address() as { port: number }).port;
  return {
    port,
    get connections() {
      return state.connections;
    },
    get cuts() {
      return state.cuts;
    },
    arm(direction, bytes) {
      armed = { direction, bytes };
    },
    close: () =>
      new Promise<void>((resolve) => {
        for (const s of sockets) s.destroy();
        server.close(() => resolve());
      }),
  } as CutProxy;
}

const signer = (d: TestDevice): DeviceSigner => ({
  deviceId: d.id,
  sign: (m) => sodium.crypto_sign_detached(m, d.sign.privateKey),
});
const verify = (m: Uint8Array, s: Uint8Array, k: Uint8Array) => sodium.crypto_sign_verify_detached(s, m, k);

function client(port = t.relay.port, fingerprintHex = t.relay.fingerprint): RelayClient {
  return createRelayClient({ baseUrl: `https://127.0.0.1:${port}`, fingerprintHex, retryDelayMs: 20 });
}

/** An in-memory sink. */
function memorySink(initial: Buffer[] = []) {
  const parts = [...initial];
  return {
    parts,
    offset: () => parts.reduce((n, p) => n + p.length, 0),
    write: (c: Uint8Array) => void parts.push(Buffer.from(c)),
    readBack: () => parts,
    bytes: () => Buffer.concat(parts),
  };
}

describe('relay client', () => {
  it('refuses a relay whose certificate does not match the pin, before sending any request', async () => {
    await new Promise((r) => setTimeout(r, 50));
    const before = t.logs.length;
    const wrong = client(t.relay.port, 'ab'.repeat(32));
    const err = await wrong.health().catch((e: unknown) => e);
    expect(err).toBeInstanceOf(RelayClientError);
    expect(err).toMatchObject({ code: 'E_PINNING', retryable: false });
    await new Promise((r) => setTimeout(r, 100));
    // The relay logs one line per request: none arrived.
    expect(t.logs.slice(before)).toEqual([]);
    wrong.close();
    // The right pin works.
    const right = client();
    expect((await right.health()).hqSignPublicKey).toBe(t.relay.hqSignPublicKey);
    right.close();
    expect(() =>
      createRelayClient({ baseUrl: 'http://127.0.0.1:1', fingerprintHex: 'ab'.repeat(32) }),
    ).toThrow();
  });

  it('enrols, publishes prekeys and fetches the verified directory', async () => {
    const c = client();
    try {
      // The certification, decoded and re-encoded by the client's helper, enrols as pending.
      const fresh = newDevice();
      const certification = EnrolmentCertification.parse(
        JSON.parse(Buffer.from(fresh.request).toString('utf8')),
      );
      expect(encodeEnrolmentCertification(certification)).toBe(Buffer.from(fresh.request).toString('base64'));
      expect(await c.enroll(enrolBody(fresh))).toEqual({ deviceId: fresh.id, status: 'pending' });
      const refused = await c
        .enroll({ ...enrolBody(fresh), proof: enrolBody(newDevice()).proof })
        .catch((e) => e);
      expect(refused).toMatchObject({ code: 'E_BAD_SIGNATURE', status: 401, retryable: false });

      const { device } = await approvedDevice(t);
      const relay = c.withDevice(signer(device));
      const prekeyId = 'a1'.repeat(16);
      const publicKey = sodium.crypto_box_keypair().publicKey;
      const createdAt = Date.now();
      await relay.publishPrekeys([
        {
          prekeyId,
          publicKey: Buffer.from(publicKey).toString('base64'),
          createdAt,
          signature: Buffer.from(
            sodium.crypto_sign_detached(
              prekeyMessage(device.id, prekeyId, publicKey, createdAt),
              device.sign.privateKey,
            ),
          ).toString('base64'),
        },
      ]);
      const hq = Buffer.from((await c.health()).hqSignPublicKey, 'base64');
      const { directory } = await relay.directory(hq, verify);
      const mine = directory.officers.flatMap((o) => o.devices).find((d) => d.deviceId === device.id);
      expect(mine?.prekey?.prekeyId).toBe(prekeyId);
      const bad = await relay.directory(sodium.crypto_sign_keypair().publicKey, verify).catch((e) => e);
      expect(bad).toMatchObject({ code: 'E_BAD_SIGNATURE' });
    } finally {
      c.close();
    }
  });

  it('uploads through a cut mid-PATCH, downloads through a cut with Range, pushes and acks', async () => {
    const a = await approvedDevice(t);
    const b = await approvedDevice(t);
    const proxy = await cutProxy(t.relay.port);
    const c = client(proxy.port);
    try {
      const relayA = c.withDevice(signer(a.device));
      const relayB = c.withDevice(signer(b.device));

      const t0 = Date.now();
      const pushed: number[] = [];
      let closedWith: Error | undefined | 'open' = 'open';
      const push = relayB.push(
        (cursor) => pushed.push(cursor),
        (err) => (closedWith = err),
      );

      const bytes = randomBytes(1300 * 1024); // node's: libsodium's wasm takes seconds for this much
      const sha256 = createHash('sha256').update(bytes).digest('hex');
      // Cut the next connection once it has carried 600 KiB towards the relay (in the 3rd chunk).
      await relayA.inbox(); // log in first, so the cut falls in the upload
      proxy.arm('up', 600 * 1024);
      const progress: number[] = [];
      const t1 = Date.now();
      const status = await relayA.upload(
        { recipient: b.device.id, envelopeId: 'env-client-0001', bytes },
        (sent) => progress.push(sent),
      );
      expect(status).toMatchObject({ state: 'complete', offset: bytes.length, size: bytes.length });
      expect(proxy.cuts).toBe(1);
      console.log(`client upload: set-up ${t1 - t0} ms, upload ${Date.now() - t1} ms`);
      expect(progress.at(-1)).toBe(bytes.length);
      // The resume started from the relay's offset (what it kept of the cut chunk), not from 0:
      // after the cut the reported offset is off the 256 KiB grid, or repeats if nothing was kept.
      const CH = 256 * 1024;
      const restartedAt = progress
        .slice(0, -1)
        .find((p, i) => i > 0 && (p % CH !== 0 || p === progress[i - 1]));
      expect(progress.every((p, i) => i === 0 || p >= (progress[i - 1] ?? 0))).toBe(true);
      console.log(
        `client upload: progress ${progress.join(', ')}; resumed at ${restartedAt}; ${proxy.connections} connections`,
      );
      expect(restartedAt).toBeGreaterThanOrEqual(2 * CH);
      // Idempotent: the same envelope again is the same item, nothing re-sent.
      expect((await relayA.upload({ recipient: b.device.id, envelopeId: 'env-client-0001', bytes })).id).toBe(
        status.id,
      );

      for (let i = 0; i < 100 && pushed.length === 0; i++) await new Promise((r) => setTimeout(r, 20));
      const inbox = await relayB.inbox(0);
      const item = inbox.items.find((i) => i.id === status.id) as InboxItem;
      expect(item).toMatchObject({ sender: a.device.id, sha256, size: bytes.length });
      expect(pushed).toContain(item.cursor);

      const marks: string[] = [];
      let last = Date.now();
      const mark = (what: string) => {
        marks.push(`${what} ${Date.now() - last}ms`);
        last = Date.now();
      };
      mark('start');
      // Download, cut after 700 KiB towards the client: resumes with Range and checks the digest.
      proxy.arm('down', 700 * 1024);
      const sink = memorySink();
      await relayB.download(item, sink);
      expect(proxy.cuts).toBe(2);
      mark('cut download');
      expect(sink.bytes().equals(bytes)).toBe(true);

      // Across calls: abort part-way, then resume from what the sink holds.
      const abort = new AbortController();
      const partial = memorySink();
      const err = await relayB
        .download(
          item,
          {
            ...partial,
            write: (ch) => {
              partial.write(ch);
              if (partial.offset() > 400_000) abort.abort();
            },
          },
          abort.signal,
        )
        .catch((e: unknown) => e);
      expect(err).toMatchObject({ code: 'E_ABORTED' });
      mark('aborted');
      const held = partial.offset();
      expect(held).toBeGreaterThan(0);
      expect(held).toBeLessThan(bytes.length);
      await relayB.download(item, partial);
      expect(partial.bytes().equals(bytes)).toBe(true);
      mark('resumed');

      // A digest that does not match is refused.
      const wrongDigest = await relayB
        .download({ ...item, sha256: '00'.repeat(32) }, memorySink())
        .catch((e) => e);
      expect(wrongDigest).toMatchObject({ code: 'E_DIGEST_MISMATCH' });

      mark('digest');
      await relayB.ack(item.id);
      expect((await relayB.inbox(0)).items.find((i) => i.id === item.id)).toBeUndefined();
      const gone = await relayB.download(item, memorySink()).catch((e) => e);
      expect(gone).toMatchObject({ code: 'E_GONE', status: 410, retryable: false });

      push.close();
      for (let i = 0; i < 50 && closedWith === 'open'; i++) await new Promise((r) => setTimeout(r, 20));
      expect(closedWith).toBeUndefined();
      mark('push closed');
      console.log(`client download: ${marks.join(', ')}`);
    } finally {
      c.close();
      await proxy.close();
    }
  });

  it('sends a mailbox listing or an acknowledgement again when its connection is cut', async () => {
    const a = await approvedDevice(t);
    const b = await approvedDevice(t);
    const proxy = await cutProxy(t.relay.port);
    const c = client(proxy.port);
    try {
      const relayA = c.withDevice(signer(a.device));
      const relayB = c.withDevice(signer(b.device));
      const bytes = randomBytes(2000);
      const status = await relayA.upload({ recipient: b.device.id, envelopeId: 'env-client-retry', bytes });
      await relayB.inbox(0); // logged in: the cuts below fall on the listing and the ack
      // The listing's request is cut on its way up: listed again.
      proxy.arm('up', 0);
      const listed = await relayB.inbox(0);
      expect(proxy.cuts).toBe(1);
      const item = listed.items.find((i) => i.id === status.id) as InboxItem;
      expect(item).toMatchObject({ size: bytes.length });
      const sink = memorySink();
      await relayB.download(item, sink);
      expect(sink.bytes().equals(bytes)).toBe(true);
      // The relay records the acknowledgement, but its answer is cut on the way down: the ack is
      // sent again and answered 200 (an acknowledged item acknowledges again).
      proxy.arm('down', 0);
      await relayB.ack(item.id);
      expect(proxy.cuts).toBe(2);
      expect((await relayB.inbox(0)).items.find((i) => i.id === item.id)).toBeUndefined();
    } finally {
      c.close();
      await proxy.close();
    }
  });

  it('gives up with a retryable error when the relay stays unreachable', async () => {
    const proxy = await cutProxy(t.relay.port);
    const { device } = await approvedDevice(t);
    const c = createRelayClient({
      baseUrl: `https://127.0.0.1:${proxy.port}`,
      fingerprintHex: t.relay.fingerprint,
      retryDelayMs: 5,
      maxRetries: 2,
    });
    try {
      const relay = c.withDevice(signer(device));
      await relay.inbox();
      await proxy.close();
      const err = await relay.inbox().catch((e: unknown) => e);
      expect(err).toMatchObject({ code: 'E_NETWORK', retryable: true });
    } finally {
      c.close();
    }
  });

  it('logs in again when the relay forgot the session (restart), including for HEAD and PATCH', async () => {
    const own = await startTestRelay();
    const { device } = await approvedDevice(own);
    const b = await approvedDevice(own);
    const c = client(own.relay.port, own.relay.fingerprint);
    let relay = own.relay;
    try {
      const r = c.withDevice(signer(device));
      expect((await r.inbox()).items).toEqual([]);
      // Same data dir and port: same identity, but sessions (in memory) are gone.
      await relay.close();
      relay = await startRelay({
        dataDir: own.dataDir,
        ...(own.db ? { db: own.db } : {}),
        host: '127.0.0.1',
        port: own.relay.port,
        log: () => undefined,
      });
      const status = await r.upload({
        recipient: b.device.id,
        envelopeId: 'env-relogin-01',
        bytes: randomBytes(1000),
      });
      expect(status.state).toBe('complete');
    } finally {
      c.close();
      own.agent.destroy();
      await relay.close();
      rmSync(own.dataDir, { recursive: true, force: true });
    }
  });
  it('completes an item whose bytes all arrived but whose last PATCH was cut before completion', async () => {
    const a = await approvedDevice(t);
    const b = await approvedDevice(t);
    const bytes = randomBytes(300 * 1024);
    const sha256 = createHash('sha256').update(bytes).digest('hex');
    const envelopeId = 'env-client-stuck-01';
    // What a PATCH cut right after its last byte leaves: every byte stored and recorded, the
    // item still "uploading" (the relay completes only a PATCH that ends cleanly).
    const created = await call(t, {
      path: '/v1/mail',
      token: a.token,
      body: { recipient: b.device.id, envelopeId, size: bytes.length, sha256 },
    });
    const id = created.json<{ id: string }>().id;
    const store = await openRelayStore(t);
    try {
      await store.blobs.writeAt(id, 0, Readable.from([bytes]), bytes.length);
      await store.setItemOffset(id, bytes.length);
    } finally {
      await store.close();
    }
    const head = await call(t, { method: 'HEAD', path: `/v1/mail/${id}`, token: a.token });
    expect(head.headers['upload-offset']).toBe(String(bytes.length));

    const c = client();
    try {
      const status = await c
        .withDevice(signer(a.device))
        .upload({ recipient: b.device.id, envelopeId, bytes });
      expect(status).toMatchObject({ id, state: 'complete', offset: bytes.length });
      const inbox = await c.withDevice(signer(b.device)).inbox();
      expect(inbox.items.map((i) => i.id)).toEqual([id]);
    } finally {
      c.close();
    }
  });

  it('keeps a slow PATCH alive: the timeout is inactivity, and PATCHes shrink to what the link carries', async () => {
    const a = await approvedDevice(t);
    const b = await approvedDevice(t);
    // 512 kbit/s and a 6 s timeout: 768 KiB in one PATCH would be 12 s of line, and the answer
    // comes only after the last byte (the proxy's queue, like a kernel's, takes the body at
    // once, so the socket shows no activity meanwhile). The first PATCH is 256 KiB (4 s), the
    // next ones what the measured rate carries in a third of the timeout.
    const proxy = await startFaultProxy(
      { host: '127.0.0.1', port: t.relay.port },
      { rttMs: 100, bitsPerSecond: 512_000, dropRate: 0 },
    );
    const c = createRelayClient({
      baseUrl: proxy.url('https'),
      fingerprintHex: t.relay.fingerprint,
      timeoutMs: 6000,
      chunkBytes: 4 * 1024 * 1024,
      retryDelayMs: 20,
    });
    try {
      const dev = c.withDevice(signer(a.device));
      await dev.inbox();
      const before = proxy.stats().connections;
      const bytes = randomBytes(768 * 1024);
      const progress: number[] = [];
      const t0 = Date.now();
      const status = await dev.upload(
        { recipient: b.device.id, envelopeId: 'env-client-slow-01', bytes },
        (sent) => progress.push(sent),
      );
      expect(status).toMatchObject({ state: 'complete', offset: bytes.length });
      const elapsed = Date.now() - t0;
      console.log(
        `slow PATCH: ${bytes.length} B at 512 kbit/s in ${elapsed} ms, progress ${progress.join(', ')}; ${proxy.stats().connections - before} new connections`,
      );
      // No request timed out while bytes were moving: no resume (a HEAD after a failure would
      // report an offset again), at most one more connection (the pool may open one between
      // requests), and about the line time (12.3 s) — each timeout would cost 6 s more.
      expect(progress.every((p, i) => i === 0 || p > (progress[i - 1] ?? 0))).toBe(true);
      expect(proxy.stats().connections - before).toBeLessThanOrEqual(1);
      expect(elapsed).toBeLessThan(17_000);
      expect(progress[1]).toBe(256 * 1024);
      expect(progress.length).toBeGreaterThanOrEqual(5);
    } finally {
      c.close();
      await proxy.close();
    }
  }, 60_000);
});
