import { createHash, randomBytes } from 'node:crypto';
import { mkdtempSync } from 'node:fs';
import { rm } from 'node:fs/promises';
import { Agent, request } from 'node:https';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import sodium from 'libsodium-wrappers-sumo';
import { deviceIdOf, startRelay, type RelayLimits, type RunningRelay } from '../hq/server/relay-server';
import { SqliteRelayStore } from '../hq/storage/sqlite-relay-store';
import { certificationFor, createTestPki, type TestOfficer } from '../tests/fixtures/officer-pki';
import {
  authSessionMessage,
  enrolmentMessage,
  UPLOAD_OFFSET_HEADER,
  type ChallengeResponse,
  type MailUploadStatus,
  type SessionResponse,
} from '../shared/sync/relay-protocol';

/**
 * A plain node:https client of the relay protocol, for benchmarks: an in-process relay in a
 * temporary data dir, devices with real libsodium keys (enrolled over HTTPS, approved through
 * the store as `embassy hq approve` does), challenge login, and uploads. Not bench-specific
 * logic: the upload function is a parameter, so the sync engine can be measured in its place.
 */

/** Where and as whom a device talks to the relay: a base URL (the relay, or a proxy in front). */
export interface RelayLink {
  readonly baseUrl: string;
  readonly agent: Agent;
  readonly token: string;
  /** The device behind `token` and the relay's pin, for clients that log in on their own. */
  readonly device?: BenchDevice;
  readonly fingerprint?: string;
}

export interface UploadItem {
  readonly recipient: string;
  readonly envelopeId: string;
  readonly bytes: Buffer;
}

/**
 * Puts one item in the recipient's mailbox; resolves once the relay holds it complete.
 * `prepare`, when present, runs before timing starts (a client with its own connections and
 * session opens them there, as the reference does with the link's agent and token).
 */
export type UploadFn = ((link: RelayLink, item: UploadItem) => Promise<void>) & {
  prepare?: (link: RelayLink) => Promise<void>;
};

export interface Reply {
  readonly status: number;
  readonly headers: Record<string, string | string[] | undefined>;
  readonly body: Buffer;
}

export interface BenchRelay {
  readonly relay: RunningRelay;
  /** The officer whose (software) "token" certifies every bench device's enrolment. */
  readonly officer: TestOfficer;
  readonly store: SqliteRelayStore;
  readonly dataDir: string;
  /** Over loopback, no proxy: for set-up (enrolment, login). */
  readonly agent: Agent;
  close(): Promise<void>;
}

export interface BenchDevice {
  readonly id: string;
  readonly sign: { publicKey: Uint8Array; privateKey: Uint8Array };
}

const b64 = (u: Uint8Array) => Buffer.from(u).toString('base64');

/** An agent that trusts the relay's certificate only, and checks its pinned fingerprint. */
export function pinnedAgent(relay: RunningRelay, maxSockets = 8): Agent {
  return new Agent({
    ca: relay.certificatePem,
    keepAlive: true,
    maxSockets,
    checkServerIdentity: (_host, cert) =>
      cert.fingerprint256.replace(/:/g, '').toLowerCase() === relay.fingerprint
        ? undefined
        : new Error('certificate fingerprint mismatch'),
  });
}

export async function startBenchRelay(limits?: Partial<RelayLimits>): Promise<BenchRelay> {
  await sodium.ready;
  // The relay checks the enrolment certification: one test CA and officer certify every device.
  const pki = await createTestPki('bench');
  const officer = await pki.issue({ keyType: 'ec' });
  const dataDir = mkdtempSync(join(tmpdir(), 'embassy-relay-bench-'));
  const store = SqliteRelayStore.open(dataDir);
  const relay = await startRelay({
    dataDir,
    host: '127.0.0.1',
    port: 0,
    limits,
    store,
    log: () => undefined,
  });
  const agent = pinnedAgent(relay, 16);
  return {
    relay,
    officer,
    store,
    dataDir,
    agent,
    async close() {
      agent.destroy();
      await relay.close(); // closes the store too
      await rm(dataDir, { recursive: true, force: true });
      pki.cleanup();
    },
  };
}

/** One HTTPS request. A JSON body for objects; a `token` adds the bearer header. */
export function send(
  base: { baseUrl: string; agent: Agent },
  r: {
    method?: string;
    path: string;
    headers?: Record<string, string>;
    body?: Buffer | object;
    token?: string;
  },
): Promise<Reply> {
  const headers: Record<string, string> = { ...r.headers };
  let body: Buffer | undefined;
  if (r.body !== undefined) {
    if (Buffer.isBuffer(r.body)) body = r.body;
    else {
      body = Buffer.from(JSON.stringify(r.body));
      headers['content-type'] ??= 'application/json';
    }
    headers['content-length'] = String(body.length);
  }
  if (r.token) headers.authorization = `Bearer ${r.token}`;
  return new Promise((resolve, reject) => {
    const req = request(
      `${base.baseUrl}${r.path}`,
      { method: r.method ?? (body ? 'POST' : 'GET'), headers, agent: base.agent },
      (res) => {
        const parts: Buffer[] = [];
        res.on('data', (c: Buffer) => parts.push(c));
        res.on('end', () =>
          resolve({ status: res.statusCode ?? 0, headers: res.headers, body: Buffer.concat(parts) }),
        );
        res.on('error', reject);
      },
    );
    req.on('error', reject);
    req.end(body);
  });
}

function expectStatus(r: Reply, ok: readonly number[], what: string): void {
  if (!ok.includes(r.status))
    throw new Error(`${what}: ${r.status} ${r.body.toString('utf8').slice(0, 200)}`);
}

/** Enrols `count` devices over HTTPS and approves them in the store (what `embassy hq approve` does). */
export async function approvedDevices(b: BenchRelay, count: number): Promise<BenchDevice[]> {
  const base = { baseUrl: b.relay.url, agent: b.agent };
  const devices: BenchDevice[] = [];
  for (let i = 0; i < count; i++) {
    const sign = sodium.crypto_sign_keypair();
    const box = sodium.crypto_box_keypair();
    const enrolment = certificationFor(b.officer, sign.publicKey, box.publicKey);
    const e = await send(base, {
      path: '/v1/enroll',
      body: {
        signPublicKey: b64(sign.publicKey),
        boxPublicKey: b64(box.publicKey),
        request: b64(enrolment),
        proof: b64(
          sodium.crypto_sign_detached(
            enrolmentMessage(sign.publicKey, box.publicKey, enrolment),
            sign.privateKey,
          ),
        ),
      },
    });
    expectStatus(e, [201], 'enroll');
    const id = deviceIdOf(sign.publicKey);
    await b.store.setDeviceStatus(id, 'approved', Date.now());
    devices.push({ id, sign });
  }
  return devices;
}

/** Challenge and session; the bearer token. `base` may be the relay or a proxy in front of it. */
export async function login(
  base: { baseUrl: string; agent: Agent },
  relay: RunningRelay,
  d: BenchDevice,
): Promise<string> {
  const ch = await send(base, { path: '/v1/auth/challenge', body: { deviceId: d.id } });
  expectStatus(ch, [200], 'challenge');
  const { nonce } = JSON.parse(ch.body.toString('utf8')) as ChallengeResponse;
  const signature = sodium.crypto_sign_detached(
    authSessionMessage(d.id, relay.fingerprint, Buffer.from(nonce, 'base64')),
    d.sign.privateKey,
  );
  const s = await send(base, {
    path: '/v1/auth/session',
    body: { deviceId: d.id, nonce, signature: b64(signature) },
  });
  expectStatus(s, [200], 'session');
  return (JSON.parse(s.body.toString('utf8')) as SessionResponse).token;
}

/** A fresh envelope id (the sender picks it; it makes the upload idempotent). */
export function envelopeId(): string {
  return randomBytes(16).toString('base64url');
}

/**
 * The reference upload: `POST /v1/mail`, then `PATCH` chunks of `chunkBytes` one after the
 * other, each with `Upload-Offset`, each waiting for its answer. No resume (benchmarks run
 * without cuts); a refusal throws.
 */
export function sequentialChunkUpload(chunkBytes = 256 * 1024): UploadFn {
  return async (link, item) => {
    const sha256 = createHash('sha256').update(item.bytes).digest('hex');
    const created = await send(link, {
      path: '/v1/mail',
      token: link.token,
      body: { recipient: item.recipient, envelopeId: item.envelopeId, size: item.bytes.length, sha256 },
    });
    expectStatus(created, [200, 201], 'create mail');
    let status = JSON.parse(created.body.toString('utf8')) as MailUploadStatus;
    while (status.state === 'uploading') {
      const r = await send(link, {
        method: 'PATCH',
        path: `/v1/mail/${status.id}`,
        token: link.token,
        headers: {
          'content-type': 'application/offset+octet-stream',
          [UPLOAD_OFFSET_HEADER]: String(status.offset),
        },
        body: item.bytes.subarray(status.offset, status.offset + chunkBytes),
      });
      expectStatus(r, [200], 'patch');
      status = JSON.parse(r.body.toString('utf8')) as MailUploadStatus;
    }
  };
}

/**
 * The small-item upload the sync engine uses up to `MAX_WHOLE_ITEM_BYTES`: one `POST /v1/mail`
 * carrying the bytes (relay-api-v1), answered once the item is complete and durable.
 */
export function wholeItemUpload(): UploadFn {
  return async (link, item) => {
    const sha256 = createHash('sha256').update(item.bytes).digest('hex');
    const created = await send(link, {
      path: '/v1/mail',
      token: link.token,
      body: {
        recipient: item.recipient,
        envelopeId: item.envelopeId,
        size: item.bytes.length,
        sha256,
        content: item.bytes.toString('base64'),
      },
    });
    expectStatus(created, [200, 201], 'create mail');
    const status = JSON.parse(created.body.toString('utf8')) as MailUploadStatus;
    if (status.state === 'uploading') throw new Error('the relay did not take the item whole');
  };
}
