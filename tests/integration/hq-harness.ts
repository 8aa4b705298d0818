import { cpSync, mkdtempSync } from 'node:fs';
import { Agent, request } from 'node:https';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import sodium from 'libsodium-wrappers-sumo';
import { runCli } from '../../electron/cli/embassy';
import { afterAll } from 'vitest';
import { PgRelayStore } from '../../hq/storage/pg-relay-store';
import type { RelayStore } from '../../hq/storage/relay-store';
import { SqliteRelayStore } from '../../hq/storage/sqlite-relay-store';
import type { PgCluster } from '../fixtures/postgres-cluster';
import { sharedPgCluster, stopPgCluster } from '../fixtures/relay-backends';
import { certificationFor, createTestPki, type TestOfficer, type TestPki } from '../fixtures/officer-pki';
import { deviceIdOf, startRelay, type RelayLimits, type RunningRelay } from '../../hq/server/relay-server';
import {
  authSessionMessage,
  enrolmentMessage,
  type ChallengeResponse,
  type SessionResponse,
} from '../../shared/sync/relay-protocol';

/**
 * Which store the relay suites run on: SQLite by default, PostgreSQL (a throwaway cluster per
 * test file, a database per relay) when `EMBASSY_RELAY_DB=postgres`. `npm test` runs the relay
 * suites once each way.
 */
export const RELAY_DB = process.env.EMBASSY_RELAY_DB === 'postgres' ? 'postgres' : 'sqlite';
// Registered first, so it runs after the test file's own afterAll (which closes its relays);
// a no-op in a file that started no cluster.
afterAll(stopPgCluster);

/** A relay on 127.0.0.1 (free port) in a fresh data dir, with its log lines collected. */
export interface TestRelay {
  readonly relay: RunningRelay;
  readonly dataDir: string;
  /** `postgres://…` when the suite runs on PostgreSQL. */
  readonly db: string | undefined;
  /** Where `embassy hq approve|revoke|devices` find this relay: `--data DIR [--db URL]`. */
  readonly admin: readonly string[];
  /** Folders and files the relay's data lands in (for the canary scans): its data dir, and on PostgreSQL the cluster's data directory and server log. */
  readonly storagePaths: readonly string[];
  readonly logs: string[];
  readonly agent: Agent;
}

/** The test CA and its default officer, made once per test file (openssl), removed at exit. */
let shared: Promise<{ pki: TestPki; officer: TestOfficer }> | undefined;
let defaultOfficer: TestOfficer | undefined;

export function testPki(): Promise<{ pki: TestPki; officer: TestOfficer }> {
  shared ??= (async () => {
    const pki = await createTestPki();
    process.once('exit', () => pki.cleanup());
    const officer = await pki.issue();
    defaultOfficer = officer;
    return { pki, officer };
  })();
  return shared;
}

export async function startTestRelay(
  limits?: Partial<RelayLimits>,
  options: { trustCaFiles?: string[]; db?: 'postgres' } = {},
): Promise<TestRelay> {
  await sodium.ready;
  await testPki();
  const dataDir = mkdtempSync(join(tmpdir(), 'hq-test-'));
  const onPg = options.db === 'postgres' || RELAY_DB === 'postgres';
  const cluster = onPg ? await sharedPgCluster() : undefined;
  const db = cluster ? await cluster.createDatabase() : undefined;
  return launch(dataDir, db, cluster, limits, options.trustCaFiles ?? []);
}

/**
 * Another instance of `t`'s relay on the same PostgreSQL database, in a copy of its data
 * directory (the same certificate and HQ key, as every instance behind one address has).
 */
export async function startSiblingRelay(t: TestRelay, limits?: Partial<RelayLimits>): Promise<TestRelay> {
  if (t.db === undefined) throw new Error('a sibling relay needs a PostgreSQL database');
  const dataDir = mkdtempSync(join(tmpdir(), 'hq-test-sibling-'));
  cpSync(t.dataDir, dataDir, { recursive: true });
  return launch(dataDir, t.db, await sharedPgCluster(), limits, []);
}

async function launch(
  dataDir: string,
  db: string | undefined,
  cluster: PgCluster | undefined,
  limits: Partial<RelayLimits> | undefined,
  trustCaFiles: string[],
): Promise<TestRelay> {
  const logs: string[] = [];
  const relay = await startRelay({
    dataDir,
    ...(db ? { db } : {}),
    host: '127.0.0.1',
    port: 0,
    limits,
    log: (l) => logs.push(l),
    trustCaFiles,
  });
  // Pinned: the relay's own certificate is the only trust anchor, and its fingerprint is checked.
  const agent = new Agent({
    ca: relay.certificatePem,
    keepAlive: true,
    maxSockets: 8,
    // The pin, checked at every full handshake (resumed sessions carry no certificate).
    checkServerIdentity: (_host, cert) =>
      cert.fingerprint256.replace(/:/g, '').toLowerCase() === relay.fingerprint
        ? undefined
        : new Error('certificate fingerprint mismatch'),
  });
  return {
    relay,
    dataDir,
    db,
    admin: ['--data', dataDir, ...(db ? ['--db', db] : [])],
    storagePaths: [dataDir, ...(cluster ? [cluster.dataDir, cluster.logFile] : [])],
    logs,
    agent,
  };
}

/** A second handle on the test relay's store (as an administrator or an attacker with the data has). */
export function openRelayStore(t: Pick<TestRelay, 'dataDir' | 'db'>): Promise<RelayStore> {
  return t.db
    ? PgRelayStore.open(t.db, { create: false })
    : Promise.resolve(SqliteRelayStore.open(t.dataDir));
}

/** The ids of the items whose bytes the test relay holds (its blob store, whichever backend). */
export async function heldBlobs(t: Pick<TestRelay, 'dataDir' | 'db'>): Promise<string[]> {
  const store = await openRelayStore(t);
  try {
    return (await store.blobs.list()).sort();
  } finally {
    await store.close();
  }
}

export interface Reply {
  readonly status: number;
  readonly headers: Record<string, string | string[] | undefined>;
  readonly body: Buffer;
  json<T = unknown>(): T;
}

export interface Req {
  readonly method?: string;
  readonly path: string;
  readonly headers?: Record<string, string>;
  readonly body?: Buffer | string | object;
  readonly token?: string;
}

/** One HTTPS request to the test relay over the pinning agent. */
export function call(t: TestRelay, r: Req): Promise<Reply> {
  const headers: Record<string, string> = { ...r.headers };
  let body: Buffer | undefined;
  if (r.body !== undefined) {
    if (Buffer.isBuffer(r.body)) body = r.body;
    else if (typeof r.body === 'string') body = Buffer.from(r.body);
    else {
      body = Buffer.from(JSON.stringify(r.body));
      headers['content-type'] ??= 'application/json';
    }
    if (headers['transfer-encoding'] === undefined) headers['content-length'] ??= String(body.length);
  }
  if (r.token) headers.authorization = `Bearer ${r.token}`;
  return new Promise((resolve, reject) => {
    const req = request(
      `${t.relay.url}${r.path}`,
      { method: r.method ?? (body ? 'POST' : 'GET'), headers, agent: t.agent },
      (res) => {
        const parts: Buffer[] = [];
        res.on('data', (c: Buffer) => parts.push(c));
        res.on('end', () => {
          const buf = Buffer.concat(parts);
          resolve({
            status: res.statusCode ?? 0,
            headers: res.headers,
            body: buf,
            json: <T>() => JSON.parse(buf.toString('utf8')) as T,
          });
        });
        res.on('error', reject);
      },
    );
    req.on('error', reject);
    req.end(body);
  });
}

/** A device with real libsodium keys. */
export interface TestDevice {
  readonly id: string;
  readonly sign: { publicKey: Uint8Array; privateKey: Uint8Array };
  readonly box: { publicKey: Uint8Array; privateKey: Uint8Array };
  readonly request: Uint8Array;
}

const b64 = (u: Uint8Array) => Buffer.from(u).toString('base64');

/**
 * A device certified by `officer` (the test PKI's default officer unless given; call
 * `startTestRelay` or `testPki` first). `request` is the enrolment certification JSON.
 */
export function newDevice(officer: TestOfficer | undefined = defaultOfficer): TestDevice {
  if (!officer) throw new Error('no test officer yet: await testPki() first');
  const sign = sodium.crypto_sign_keypair();
  const box = sodium.crypto_box_keypair();
  const request = certificationFor(officer, sign.publicKey, box.publicKey);
  return { id: deviceIdOf(sign.publicKey), sign, box, request };
}

/** A device whose enrolment request is `request` (JSON bytes), with a valid device proof. */
export function deviceWithRequest(request: Uint8Array, keys?: Pick<TestDevice, 'sign' | 'box'>): TestDevice {
  const sign = keys?.sign ?? sodium.crypto_sign_keypair();
  const box = keys?.box ?? sodium.crypto_box_keypair();
  return { id: deviceIdOf(sign.publicKey), sign, box, request };
}

export function enrolBody(d: TestDevice) {
  return {
    signPublicKey: b64(d.sign.publicKey),
    boxPublicKey: b64(d.box.publicKey),
    request: b64(d.request),
    proof: b64(
      sodium.crypto_sign_detached(
        enrolmentMessage(d.sign.publicKey, d.box.publicKey, d.request),
        d.sign.privateKey,
      ),
    ),
  };
}

/** Runs `embassy …` in-process (the same code as the CLI binary) and captures its output. */
export async function embassy(args: string[]): Promise<{ code: number; stdout: string; stderr: string }> {
  let stdout = '';
  let stderr = '';
  const code = await runCli(args, {
    stdout: (s) => (stdout += s),
    stderr: (s) => (stderr += s),
    readStdin: () => Promise.resolve(Buffer.alloc(0)),
  });
  return { code, stdout, stderr };
}

/** Challenge and session for an approved device; returns the bearer token. */
export async function login(t: TestRelay, d: TestDevice): Promise<string> {
  const ch = await call(t, { path: '/v1/auth/challenge', body: { deviceId: d.id } });
  if (ch.status !== 200) throw new Error(`challenge: ${ch.status} ${ch.body.toString()}`);
  const { nonce } = ch.json<ChallengeResponse>();
  const signature = sodium.crypto_sign_detached(
    authSessionMessage(d.id, t.relay.fingerprint, Buffer.from(nonce, 'base64')),
    d.sign.privateKey,
  );
  const s = await call(t, {
    path: '/v1/auth/session',
    body: { deviceId: d.id, nonce, signature: b64(signature) },
  });
  if (s.status !== 200) throw new Error(`session: ${s.status} ${s.body.toString()}`);
  return s.json<SessionResponse>().token;
}

/** Enrols and approves (through `embassy hq approve`) a fresh device, and logs it in. */
export async function approvedDevice(
  t: TestRelay,
  officer?: TestOfficer,
): Promise<{ device: TestDevice; token: string }> {
  const device = newDevice(officer);
  const e = await call(t, { path: '/v1/enroll', body: enrolBody(device) });
  if (e.status !== 201) throw new Error(`enroll: ${e.status} ${e.body.toString()}`);
  // The test PKI's root is not a CA this relay trusts: approving its officers is a forced decision.
  const a = await embassy(['hq', 'approve', ...t.admin, '--force', device.id]);
  if (a.code !== 0) throw new Error(`approve: ${a.stderr}`);
  return { device, token: await login(t, device) };
}
