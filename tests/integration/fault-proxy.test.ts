import { createHash, randomBytes } from 'node:crypto';
import { once } from 'node:events';
import { connect, createServer, type Server, type Socket } from 'node:net';
import { Agent, request } from 'node:https';
import { rmSync } from 'node:fs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startFaultProxy, type FaultProfile, type FaultProxy } from '../fixtures/fault-proxy';
import { startTestRelay, type TestRelay } from './hq-harness';

/**
 * The fault proxy's own self-checks: it keeps bytes intact, paces at its cap, delays by half an
 * RTT each way, cuts and refuses. Generous bounds: this checks the fixture, not product speed.
 */
let echo: Server;
let sink: Server;
const proxies: FaultProxy[] = [];

function listen(server: Server): Promise<number> {
  return new Promise((resolve) =>
    server.listen(0, '127.0.0.1', () => resolve((server.address() as { port: number }).port)),
  );
}

beforeAll(async () => {
  echo = createServer((s) => {
    s.on('error', () => undefined);
    s.pipe(s);
  });
  // Reads a 4-byte length, then that many bytes, then answers one byte.
  sink = createServer((s) => {
    s.on('error', () => undefined);
    let want = -1;
    let got = 0;
    let head = Buffer.alloc(0);
    s.on('data', (chunk: Buffer) => {
      if (want < 0) {
        head = Buffer.concat([head, chunk]);
        if (head.length < 4) return;
        want = head.readUInt32BE(0);
        chunk = head.subarray(4);
      }
      got += chunk.length;
      if (got >= want) s.write(Buffer.from([1]));
    });
  });
  await Promise.all([listen(echo), listen(sink)]);
});

afterAll(async () => {
  await Promise.all(proxies.map((p) => p.close()));
  echo.close();
  sink.close();
});

async function proxyTo(server: Server, profile: FaultProfile): Promise<FaultProxy> {
  const p = await startFaultProxy(
    { host: '127.0.0.1', port: (server.address() as { port: number }).port },
    profile,
  );
  proxies.push(p);
  return p;
}

async function dial(p: FaultProxy): Promise<Socket> {
  const s = connect(p.port, '127.0.0.1');
  await once(s, 'connect');
  return s;
}

/** Reads exactly `n` bytes from `s`. */
function readN(s: Socket, n: number): Promise<Buffer> {
  return new Promise((resolve, reject) => {
    const parts: Buffer[] = [];
    let got = 0;
    const onData = (c: Buffer) => {
      parts.push(c);
      got += c.length;
      if (got >= n) {
        s.off('data', onData);
        s.off('error', reject);
        resolve(Buffer.concat(parts));
      }
    };
    s.on('data', onData);
    s.on('error', reject);
  });
}

/** Waits for `s` to close; the error it closed with, if any. */
function closed(s: Socket): Promise<NodeJS.ErrnoException | undefined> {
  return new Promise((resolve) => {
    let error: NodeJS.ErrnoException | undefined;
    s.on('error', (e) => (error = e));
    s.on('close', () => resolve(error));
  });
}

const sha = (b: Buffer) => createHash('sha256').update(b).digest('hex');

describe('fault proxy', () => {
  it('delivers 1 MiB through an echo server intact, in order, with drops on', async () => {
    const p = await proxyTo(echo, { rttMs: 10, bitsPerSecond: 100e6, dropRate: 0.05, seed: 7 });
    const s = await dial(p);
    const data = randomBytes(1024 * 1024);
    const back = readN(s, data.length);
    // Written in uneven pieces, to cross segment boundaries every which way.
    for (let at = 0; at < data.length;) {
      const n = 1 + Math.floor(Math.random() * 70_000);
      s.write(data.subarray(at, at + n));
      at += n;
    }
    const got = await back;
    expect(got.length).toBe(data.length);
    expect(sha(got)).toBe(sha(data));
    const st = p.stats();
    expect(st.drops).toBeGreaterThan(20);
    expect(st.bytesUp).toBe(data.length);
    expect(st.bytesDown).toBe(data.length);
    expect(st.cuts).toBe(0);
    s.destroy();
  });

  it('paces at its bandwidth cap (2 Mbit/s, 500 KiB)', async () => {
    const p = await proxyTo(sink, { rttMs: 20, bitsPerSecond: 2e6, dropRate: 0 });
    const s = await dial(p);
    const n = 500 * 1024;
    const head = Buffer.alloc(4);
    head.writeUInt32BE(n);
    const t0 = performance.now();
    const ack = readN(s, 1);
    s.write(Buffer.concat([head, randomBytes(n)]));
    await ack;
    const elapsed = performance.now() - t0;
    // Serialisation plus the handshake and one round trip.
    const ideal = (((n + 4) * 8) / 2e6) * 1000 + 2 * 20;
    expect(elapsed).toBeGreaterThan(0.8 * ideal);
    expect(elapsed).toBeLessThan(1.6 * ideal);
    s.destroy();
  });

  it('shares its bandwidth between connections, as one link (2 × 250 KiB at once at 2 Mbit/s)', async () => {
    const p = await proxyTo(sink, { rttMs: 20, bitsPerSecond: 2e6, dropRate: 0 });
    const n = 250 * 1024;
    const sockets = await Promise.all([dial(p), dial(p)]);
    const t0 = performance.now();
    await Promise.all(
      sockets.map((s) => {
        const head = Buffer.alloc(4);
        head.writeUInt32BE(n);
        const ack = readN(s, 1);
        s.write(Buffer.concat([head, randomBytes(n)]));
        return ack;
      }),
    );
    const elapsed = performance.now() - t0;
    // Both through one 2 Mbit/s link: the time of 500 KiB, not of 250 KiB (per-connection caps).
    const shared = ((2 * (n + 4) * 8) / 2e6) * 1000 + 2 * 20;
    expect(elapsed).toBeGreaterThan(0.8 * shared);
    expect(elapsed).toBeLessThan(1.6 * shared);
    for (const s of sockets) s.destroy();
  });

  it('delays each direction by half the RTT, and a new connection by one RTT more', async () => {
    const p = await proxyTo(echo, { rttMs: 200, bitsPerSecond: Infinity, dropRate: 0 });
    const s = await dial(p);
    const t0 = performance.now();
    let back = readN(s, 4);
    s.write('ping');
    await back;
    const first = performance.now() - t0;
    const t1 = performance.now();
    back = readN(s, 4);
    s.write('pong');
    await back;
    const second = performance.now() - t1;
    expect(first).toBeGreaterThanOrEqual(395); // handshake + round trip
    expect(first).toBeLessThan(700);
    expect(second).toBeGreaterThanOrEqual(198);
    expect(second).toBeLessThan(450);
    s.destroy();
  });

  it('cuts open connections mid-transfer every uniform(min, max) ms', async () => {
    const p = await proxyTo(echo, { rttMs: 0, bitsPerSecond: Infinity, dropRate: 0, cutEveryMs: [100, 300] });
    const s = await dial(p);
    const t0 = performance.now();
    const tick = setInterval(() => s.writable && s.write(randomBytes(1000)), 10);
    s.on('data', () => undefined);
    const err = await closed(s);
    clearInterval(tick);
    const elapsed = performance.now() - t0;
    expect(elapsed).toBeLessThan(600);
    if (err) expect(err.code).toMatch(/ECONNRESET|EPIPE/);
    expect(p.stats().cuts).toBeGreaterThanOrEqual(1);
    s.destroy();
    // cutNow: an explicit cut, counted too.
    p.setProfile({ cutEveryMs: undefined });
    const before = p.stats().cuts;
    const s2 = await dial(p);
    const s2closed = closed(s2);
    await new Promise((r) => setTimeout(r, 20));
    p.cutNow();
    expect((await s2closed)?.code).toBe('ECONNRESET');
    expect(p.stats().cuts).toBe(before + 1);
  });

  it('refuses connections while offline and serves again after', async () => {
    const p = await proxyTo(echo, { rttMs: 0, bitsPerSecond: Infinity, dropRate: 0 });
    p.offline(true);
    const s = connect(p.port, '127.0.0.1');
    const got: Buffer[] = [];
    s.on('data', (c: Buffer) => got.push(c));
    s.on('connect', () => s.write('hello'));
    const err = await closed(s);
    expect(got).toEqual([]);
    if (err) expect(err.code).toMatch(/ECONNRESET|EPIPE/);
    p.offline(false);
    const ok = await dial(p);
    const back = readN(ok, 5);
    ok.write('hello');
    expect((await back).toString()).toBe('hello');
    ok.destroy();
  });

  describe('TLS', () => {
    let t: TestRelay;
    beforeAll(async () => {
      t = await startTestRelay();
    });
    afterAll(async () => {
      t.agent.destroy();
      await t.relay.close();
      rmSync(t.dataDir, { recursive: true, force: true });
    });

    it('passes TLS 1.3 to the relay byte for byte (pinned certificate, drops on)', async () => {
      const p = await startFaultProxy(
        { host: '127.0.0.1', port: t.relay.port },
        { rttMs: 40, bitsPerSecond: 10e6, dropRate: 0.05, seed: 3 },
      );
      proxies.push(p);
      const agent = new Agent({
        ca: t.relay.certificatePem,
        checkServerIdentity: (_h, cert) =>
          cert.fingerprint256.replace(/:/g, '').toLowerCase() === t.relay.fingerprint
            ? undefined
            : new Error('pin'),
      });
      const body = await new Promise<string>((resolve, reject) => {
        const req = request(`${p.url('https')}/health`, { agent }, (res) => {
          let text = '';
          res.on('data', (c: Buffer) => (text += c.toString()));
          res.on('end', () => resolve(text));
        });
        req.on('error', reject);
        req.end();
      });
      expect(JSON.parse(body)).toMatchObject({ status: 'ok', protocol: 1 });
      agent.destroy();
    });
  });
});
