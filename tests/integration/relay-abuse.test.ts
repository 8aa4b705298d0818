import { spawn, type ChildProcess } from 'node:child_process';
import { createHash, randomBytes } from 'node:crypto';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { Agent } from 'node:https';
import { connect, type Socket } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createInterface } from 'node:readline';
import sodium from 'libsodium-wrappers-sumo';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { InboxResponse, MailUploadStatus } from '../../shared/sync/relay-protocol';
import {
  approvedDevice,
  call,
  embassy,
  enrolBody,
  login,
  newDevice,
  testPki,
  type Reply,
  type Req,
  type TestDevice,
  type TestRelay,
} from './hq-harness';

/**
 * The relay under abuse (issue 14), in its own process so that its memory is its own: each
 * attack runs from its own loopback address while a legitimate sender and recipient keep
 * exchanging mail from 127.0.0.1, and the round trip (announce, upload, list, download, ack) is
 * measured before and during. `EMBASSY_RELAY_ABUSE_SCALE=full` runs the full counts
 * (10,000 enrolments, 100,000 challenges); the default is a tenth of each.
 */
const SCALES = {
  ci: { enrolments: 1_000, challenges: 10_000 },
  full: { enrolments: 10_000, challenges: 100_000 },
};
const scale = SCALES[(process.env.EMBASSY_RELAY_ABUSE_SCALE ?? 'ci') as keyof typeof SCALES] ?? SCALES.ci;

const ENTRY = join(process.cwd(), 'electron', 'cli', 'embassy-main.ts');
const LIMITS = {
  maxPendingEnrolments: 100,
  maxPendingBytesPerDevice: 4 * 1024 * 1024,
  uploadExpiryMs: 6_000,
  uploadSweepIntervalMs: 500,
};

let child: ChildProcess;
let t: TestRelay;
let sender: { device: TestDevice; token: string };
let recipient: { device: TestDevice; token: string };
/** Approved before the enrolment flood fills the pending queue: attackers of the quota test. */
let greedy: { device: TestDevice; token: string };
let slow: { device: TestDevice; token: string };
const results: string[] = [];

/** Peak and current resident memory of the relay process, in MiB (Linux /proc). */
function relayMemory(): { peak: number; now: number } {
  const status = readFileSync(`/proc/${child.pid}/status`, 'utf8');
  const kib = (field: string) => Number(new RegExp(`${field}:\\s+(\\d+) kB`).exec(status)?.[1] ?? NaN);
  return { peak: kib('VmHWM') / 1024, now: kib('VmRSS') / 1024 };
}

/** The relay as seen from another loopback address (its own TLS agent, pinned the same way). */
function from(address: string): TestRelay {
  const agent = new Agent({
    ca: t.relay.certificatePem,
    keepAlive: true,
    maxSockets: 16,
    localAddress: address,
    checkServerIdentity: () => undefined,
  });
  return { ...t, agent };
}

/** Runs `count` requests made by `make`, `width` at a time, and counts the answers by status. */
async function flood(target: TestRelay, count: number, width: number, make: (i: number) => Req) {
  const statuses = new Map<number, number>();
  let next = 0;
  let errors = 0;
  await Promise.all(
    Array.from({ length: width }, async () => {
      while (next < count) {
        const i = next++;
        try {
          const r = await call(target, make(i));
          statuses.set(r.status, (statuses.get(r.status) ?? 0) + 1);
        } catch {
          errors++;
        }
      }
    }),
  );
  return { statuses: Object.fromEntries([...statuses].sort()), errors };
}

/** One legitimate exchange: sender announces and uploads 4 KiB, recipient lists, downloads, acks. */
async function roundTrip(): Promise<number> {
  const started = performance.now();
  const bytes = randomBytes(4096);
  const created: Reply = await call(t, {
    path: '/v1/mail',
    token: sender.token,
    body: {
      recipient: recipient.device.id,
      envelopeId: `legit-${randomBytes(8).toString('hex')}`,
      size: bytes.length,
      sha256: createHash('sha256').update(bytes).digest('hex'),
    },
  });
  if (created.status !== 201) throw new Error(`announce: ${created.status} ${created.body.toString()}`);
  const item = created.json<MailUploadStatus>();
  const sent = await call(t, {
    method: 'PATCH',
    path: `/v1/mail/${item.id}`,
    token: sender.token,
    headers: { 'content-type': 'application/offset+octet-stream', 'upload-offset': '0' },
    body: bytes,
  });
  if (sent.status !== 200) throw new Error(`upload: ${sent.status} ${sent.body.toString()}`);
  const inbox = (await call(t, { path: '/v1/inbox', token: recipient.token })).json<InboxResponse>();
  const mine = inbox.items.find((i) => i.id === item.id);
  if (!mine) throw new Error('the mail did not arrive');
  const got = await call(t, { path: `/v1/inbox/${item.id}`, token: recipient.token });
  if (!got.body.equals(bytes)) throw new Error('the mail arrived changed');
  const ack = await call(t, {
    method: 'POST',
    path: `/v1/inbox/${item.id}/ack`,
    token: recipient.token,
    body: {},
  });
  if (ack.status !== 200) throw new Error(`ack: ${ack.status}`);
  return performance.now() - started;
}

const p = (sorted: number[], q: number) =>
  sorted[Math.min(sorted.length - 1, Math.floor(q * sorted.length))] ?? NaN;
const ms = (v: number) => `${v.toFixed(1)} ms`;

/** Runs `attack` while the legitimate pair keeps exchanging mail; every exchange must succeed. */
async function whileSyncing<T>(name: string, attack: () => Promise<T>): Promise<T> {
  const rtts: number[] = [];
  let done = false;
  const legit = (async () => {
    while (!done || rtts.length < 3) rtts.push(await roundTrip());
  })();
  const outcome = await attack();
  done = true;
  await legit;
  const sorted = [...rtts].sort((a, b) => a - b);
  const mem = relayMemory();
  results.push(
    `${name}: legitimate round trips ${rtts.length}, p50 ${ms(p(sorted, 0.5))}, max ${ms(sorted.at(-1) ?? NaN)}; ` +
      `relay RSS ${mem.now.toFixed(0)} MiB (peak ${mem.peak.toFixed(0)} MiB); ${JSON.stringify(outcome)}`,
  );
  return outcome;
}

beforeAll(async () => {
  await sodium.ready;
  await testPki();
  const dataDir = mkdtempSync(join(tmpdir(), 'hq-abuse-'));
  const limitsFile = join(dataDir, '..', `${dataDir.split('/').pop()}-limits.json`);
  writeFileSync(limitsFile, JSON.stringify(LIMITS));
  child = spawn(
    process.execPath,
    [
      ...['--import', 'tsx', ENTRY, 'hq', 'serve', '--data', dataDir, '--listen', '127.0.0.1:0'],
      ...['--limits', limitsFile, '--json', '--quiet'],
    ],
    { stdio: ['ignore', 'pipe', 'inherit'] },
  );
  const first = await new Promise<string>((res, rej) => {
    createInterface({ input: child.stdout as NodeJS.ReadableStream }).once('line', res);
    child.once('exit', () => rej(new Error('serve exited early')));
  });
  const started = JSON.parse(first) as { url: string; fingerprint: string; hqSignPublicKey: string };
  const certificatePem = readFileSync(join(dataDir, 'tls', 'cert.pem'), 'utf8');
  const relay = {
    ...started,
    port: Number(new URL(started.url).port),
    certificatePem,
    close: async () => {},
  };
  t = {
    relay,
    dataDir,
    logs: [],
    agent: new Agent({
      ca: certificatePem,
      keepAlive: true,
      maxSockets: 8,
      checkServerIdentity: () => undefined,
    }),
  };
  sender = await approvedDevice(t);
  recipient = await approvedDevice(t);
  greedy = await approvedDevice(t);
  slow = await approvedDevice(t);
}, 60_000);

afterAll(async () => {
  console.log(
    `relay abuse (${process.env.EMBASSY_RELAY_ABUSE_SCALE ?? 'ci'} scale):\n  ${results.join('\n  ')}`,
  );
  t?.agent.destroy();
  const exited = new Promise((res) => child?.once('exit', res));
  child?.kill('SIGTERM');
  await exited;
  if (t) rmSync(t.dataDir, { recursive: true, force: true });
});

describe('the relay under abuse, while a legitimate device keeps syncing', () => {
  it('measures the legitimate round trip before any attack', async () => {
    const rtts: number[] = [];
    for (let i = 0; i < 20; i++) rtts.push(await roundTrip());
    const sorted = rtts.sort((a, b) => a - b);
    results.push(`baseline: 20 round trips, p50 ${ms(p(sorted, 0.5))}, max ${ms(sorted.at(-1) ?? NaN)}`);
  });

  it('enrolment flood from one address: budgets answer 429, the pending queue stays capped', async () => {
    const bodies = Array.from({ length: 150 }, () => enrolBody(newDevice()));
    const attacker = from('127.0.0.2');
    const outcome = await whileSyncing(`${scale.enrolments} enrolments from 127.0.0.2`, () =>
      flood(attacker, scale.enrolments, 16, (i) => ({ path: '/v1/enroll', body: bodies[i % bodies.length] })),
    );
    attacker.agent.destroy();
    expect(outcome.errors).toBe(0);
    expect(Object.keys(outcome.statuses).sort()).toEqual(expect.arrayContaining(['201', '429']));
    expect(outcome.statuses[201] ?? 0).toBeLessThanOrEqual(LIMITS.maxPendingEnrolments);
    const listed = await embassy(['hq', 'devices', '--data', t.dataDir, '--json']);
    const pending = (JSON.parse(listed.stdout) as { status: string }[]).filter((d) => d.status === 'pending');
    expect(pending.length).toBeLessThanOrEqual(LIMITS.maxPendingEnrolments);
  }, 600_000);

  it('challenge flood naming known devices: 429 for the flooder, the devices still log in', async () => {
    const attacker = from('127.0.0.3');
    const ids = [sender.device.id, recipient.device.id];
    const outcome = await whileSyncing(`${scale.challenges} challenges from 127.0.0.3`, async () => {
      const running = flood(attacker, scale.challenges, 16, (i) => ({
        path: '/v1/auth/challenge',
        body: { deviceId: ids[i % 2] },
      }));
      // A device logs in again in the middle of the flood.
      const fresh = await login(t, sender.device);
      return { ...(await running), relogin: fresh.length > 0 };
    });
    attacker.agent.destroy();
    expect(outcome.errors).toBe(0);
    expect(outcome.relogin).toBe(true);
    expect(outcome.statuses[429] ?? 0).toBeGreaterThan(scale.challenges / 2);
  }, 900_000);

  it('500 connections that do nothing: those beyond the per-address cap are closed, others served', async () => {
    const outcome = await whileSyncing('500 idle connections from 127.0.0.4', async () => {
      const sockets: Socket[] = [];
      let closedByRelay = 0;
      await Promise.all(
        Array.from(
          { length: 500 },
          () =>
            new Promise<void>((res) => {
              const s = connect({ host: '127.0.0.1', port: t.relay.port, localAddress: '127.0.0.4' }, () =>
                res(),
              );
              s.on('error', () => res());
              s.on('close', () => closedByRelay++);
              sockets.push(s);
            }),
        ),
      );
      await new Promise((res) => setTimeout(res, 1_000));
      const result = { opened: sockets.length, closedByRelay };
      for (const s of sockets) s.destroy();
      return result;
    });
    expect(outcome.closedByRelay).toBeGreaterThanOrEqual(500 - 256);
  }, 120_000);

  it('a device declaring uploads far beyond the quota holds none of it; another never finishing frees it', async () => {
    const outcome = await whileSyncing('declarations beyond quota and unfinished uploads', async () => {
      const declared = await flood(from('127.0.0.5'), 200, 8, (i) => ({
        path: '/v1/mail',
        token: greedy.token,
        body: {
          recipient: recipient.device.id,
          envelopeId: `greedy-${String(i).padStart(4, '0')}`,
          // Each fits the recipient's 4 MiB quota; the 200 together declare 600 MiB.
          size: 3 * 1024 * 1024,
          sha256: '00'.repeat(32),
        },
      }));
      // The slow device sends half of 3 MiB, which is most of the recipient's 4 MiB, and stops.
      const half = await call(t, {
        path: '/v1/mail',
        token: slow.token,
        body: {
          recipient: recipient.device.id,
          envelopeId: 'slow-00001',
          size: 3 * 1024 * 1024,
          sha256: '00'.repeat(32),
        },
      });
      const item = half.json<MailUploadStatus>();
      const patched = await call(t, {
        method: 'PATCH',
        path: `/v1/mail/${item.id}`,
        token: slow.token,
        headers: { 'content-type': 'application/offset+octet-stream', 'upload-offset': '0' },
        body: Buffer.alloc(3 * 1024 * 1024 - 100),
      });
      const tooMuch = await call(t, {
        path: '/v1/mail',
        token: sender.token,
        body: {
          recipient: recipient.device.id,
          envelopeId: 'big-000001',
          size: 2 * 1024 * 1024,
          sha256: '00'.repeat(32),
        },
      });
      // Expiry (6 s here) deletes the unfinished upload and frees the quota.
      await new Promise((res) => setTimeout(res, LIMITS.uploadExpiryMs + 2 * LIMITS.uploadSweepIntervalMs));
      const gone = await call(t, { method: 'HEAD', path: `/v1/mail/${item.id}`, token: slow.token });
      const fits = await call(t, {
        path: '/v1/mail',
        token: sender.token,
        body: {
          recipient: recipient.device.id,
          envelopeId: 'big-000002',
          size: 2 * 1024 * 1024,
          sha256: '00'.repeat(32),
        },
      });
      return {
        declared: declared.statuses,
        halfUpload: patched.status,
        beforeExpiry: tooMuch.status,
        afterExpiryHead: gone.status,
        afterExpiry: fits.status,
      };
    });
    expect(outcome.declared).toEqual({ 201: 64, 429: 136 });
    expect(outcome.halfUpload).toBe(200);
    expect(outcome.beforeExpiry).toBe(413);
    expect(outcome.afterExpiryHead).toBe(404);
    expect(outcome.afterExpiry).toBe(201);
    expect(relayMemory().peak).toBeLessThan(512);
  }, 120_000);
});
