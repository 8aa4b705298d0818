import { createHash, randomBytes } from 'node:crypto';
import { existsSync, mkdtempSync, readdirSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createCore, type Core, type CoreOptions } from '../../electron/core';
import { startRelay, type RunningRelay } from '../../hq/server/relay-server';
import { execFile, spawn } from 'node:child_process';
import Database from 'better-sqlite3-multiple-ciphers';
import { promisify } from 'node:util';
import { createSoftHsmToken, makeCa, type SoftHsmToken } from '../fixtures/softhsm';

const run = promisify(execFile);
import { must } from './vault-harness';

/**
 * Sync tests' common parts: officers on real SoftHSM tokens under one test CA, each with an
 * in-process core and a token-bound vault, and the project's own relay on loopback that trusts
 * that CA (so enrolment is approved at once, as where policy trusts the issuing CA).
 */

export interface Officer {
  readonly name: string;
  readonly email: string;
  readonly token: SoftHsmToken;
  readonly profileDir: string;
  core: Core;
}

export interface TestRelayServer {
  relay: RunningRelay;
  readonly dataDir: string;
  readonly logs: string[];
}

/** Holder names are ASCII: `openssl x509 -new -subj` (the fixture) cannot write UTF-8 names. */
export async function makeOfficers(
  people: readonly { name: string; email: string; label: string }[],
): Promise<{ tokens: SoftHsmToken[]; rootPath: string }> {
  // One CA for everyone, as one ministry issues every officer's token certificate.
  const caDir = mkdtempSync(join(tmpdir(), 'embassy-sync-ca-'));
  const ca = await makeCa(caDir, 'ministry', (cmd, args) => run(cmd, args));
  const tokens = await Promise.all(
    people.map((p) =>
      createSoftHsmToken({ keys: ['rsa'], label: p.label, holder: { name: p.name, email: p.email }, ca }),
    ),
  );
  return { tokens, rootPath: ca.rootPath };
}

export async function startSyncRelay(trustCa: string, dataDir?: string): Promise<TestRelayServer> {
  const dir = dataDir ?? mkdtempSync(join(tmpdir(), 'embassy-relay-'));
  const logs: string[] = [];
  const relay = await startRelay({
    dataDir: dir,
    host: '127.0.0.1',
    port: 0,
    trustCaFiles: [trustCa],
    log: (l) => logs.push(l),
  });
  return { relay, dataDir: dir, logs };
}

export function officerCore(token: SoftHsmToken, profileDir: string, sync?: CoreOptions['sync']): Core {
  return createCore({
    profileDir,
    version: 'test',
    // The workstation trusts the ministry root that issued the officers' tokens, as IT pins it.
    signing: { tokenHost: { env: token.env, pollMs: 500 }, trust: { anchorFiles: [token.ca.rootPath] } },
    sync: { background: false, push: false, ...sync },
  });
}

export async function newOfficer(
  token: SoftHsmToken,
  name: string,
  email: string,
  sync?: CoreOptions['sync'],
): Promise<Officer> {
  const profileDir = mkdtempSync(join(tmpdir(), 'embassy-sync-officer-'));
  const core = officerCore(token, profileDir, sync);
  await must(core, 'vault.create', {
    profile: 'token',
    modulePath: token.modulePath,
    tokenLabel: token.label,
    pin: token.pin,
  });
  return { name, email, token, profileDir, core };
}

export async function enroll(o: Officer, relay: RunningRelay) {
  return must(o.core, 'sync.enroll', {
    hqUrl: relay.url,
    fingerprint: relay.fingerprint,
    token: { label: o.token.label },
    pin: o.token.pin,
    department: 'Consular',
  });
}

/** Every file under `dir` (recursively). */
export function filesUnder(dir: string): string[] {
  const out: string[] = [];
  for (const name of readdirSync(dir)) {
    const p = join(dir, name);
    if (statSync(p).isDirectory()) out.push(...filesUnder(p));
    else out.push(p);
  }
  return out;
}

/** How many times any canary appears in any file under `dir`, as UTF-8 or UTF-16LE. */
export function canaryHits(
  dir: string,
  canaries: readonly string[],
  extra: readonly string[] = [],
): string[] {
  const hits: string[] = [];
  const blobs = [
    ...filesUnder(dir).map((f) => ({ f, b: readFileSync(f) })),
    ...extra.map((t, i) => ({ f: `log#${i}`, b: Buffer.from(t) })),
  ];
  for (const { f, b } of blobs) {
    for (const c of canaries) {
      if (b.includes(Buffer.from(c, 'utf8')) || b.includes(Buffer.from(c, 'utf16le')))
        hits.push(`${c} in ${f}`);
    }
  }
  return hits;
}

/**
 * The relay's mail items by state, and the items whose bytes it still holds (files of chunked
 * uploads, and rows of items sent whole).
 */
export function relayMail(dataDir: string): { states: unknown[]; blobs: string[] } {
  const db = new Database(join(dataDir, 'relay.sqlite'), { readonly: true });
  try {
    const states = db.prepare('SELECT state, count(*) AS n FROM mail_items GROUP BY state').all();
    const files = existsSync(join(dataDir, 'blobs')) ? filesUnder(join(dataDir, 'blobs')) : [];
    const whole = (db.prepare('SELECT item_id FROM item_bytes').all() as { item_id: string }[]).map(
      (r) => `item_bytes:${r.item_id}`,
    );
    return { states, blobs: [...files, ...whole] };
  } finally {
    db.close();
  }
}

/** The bytes of every item the relay holds, as an adversary with its data folder reads them. */
export function relayItemBytes(dataDir: string): Uint8Array[] {
  const db = new Database(join(dataDir, 'relay.sqlite'), { readonly: true });
  try {
    const whole = (db.prepare('SELECT data FROM item_bytes').all() as { data: Buffer }[]).map(
      (r) => new Uint8Array(r.data),
    );
    const files = existsSync(join(dataDir, 'blobs')) ? filesUnder(join(dataDir, 'blobs')) : [];
    return [...whole, ...files.map((f) => new Uint8Array(readFileSync(f)))];
  } finally {
    db.close();
  }
}

/** What one side queued: message texts, document titles, and each attachment's name → SHA-256. */
export interface QueuedBatch {
  texts: Set<string>;
  titles: string[];
  files: Map<string, string>;
}

const sha256 = (b: Uint8Array) => createHash('sha256').update(b).digest('hex');

/**
 * Queues a batch in `core`'s outbox for `to`: `messages` messages (Vietnamese text), then one
 * document per entry of `documents`, each with random attachments of the sizes listed (written
 * to `scratch` for `attachments.add`, then removed). `tag` makes every text and title unique.
 */
export async function queueBatch(
  core: Core,
  to: string,
  tag: string,
  plan: { messages: number; documents: readonly (readonly number[])[] },
  scratch: string,
): Promise<QueuedBatch> {
  const batch: QueuedBatch = { texts: new Set(), titles: [], files: new Map() };
  const dir = mkdtempSync(join(scratch, 'queue-'));
  for (let i = 0; i < plan.messages; i++) {
    const text = `${tag} #${i}: Kính gửi Vụ Lãnh sự, đề nghị gia hạn hộ chiếu công vụ số ${1000 + i} trước ngày ${(i % 28) + 1}/12. Trân trọng.`;
    await must(core, 'sync.send', { kind: 'message', to: [to], title: `Công điện ${tag} ${i}`, text });
    batch.texts.add(text);
  }
  for (const [d, sizes] of plan.documents.entries()) {
    const title = `Hồ sơ mật ${tag} ${d} — đính kèm`;
    const doc = await must(core, 'documents.add', {
      subject: title,
      direction: 'outgoing',
      classification: 'confidential',
      body: `Tài liệu số ${d} gửi kèm, vui lòng xác nhận đã nhận.`,
    });
    for (const [k, size] of sizes.entries()) {
      const bytes = randomBytes(size);
      const name = `tai-lieu-${d}-${k}.bin`;
      const path = join(dir, name);
      writeFileSync(path, bytes);
      await must(core, 'attachments.add', { documentId: doc.id, source: { kind: 'path', path } });
      rmSync(path);
      batch.files.set(name, sha256(bytes));
    }
    await must(core, 'sync.send', { kind: 'document', to: [to], documentId: doc.id });
    batch.titles.push(title);
  }
  rmSync(dir, { recursive: true, force: true });
  return batch;
}

/** An attachment's bytes read back from the vault (not the digest the vault recorded), hashed. */
export async function attachmentDigest(core: Core, id: string): Promise<string> {
  const h = createHash('sha256');
  for (let offset = 0; ;) {
    const c = await must(core, 'attachments.read', { id, offset, length: 1024 * 1024 });
    const bytes = Buffer.from(c.base64, 'base64');
    h.update(bytes);
    offset += bytes.length;
    if (c.eof || bytes.length === 0) break;
  }
  return h.digest('hex');
}

/** The built CLI bundle (the sync CLI and kill tests run it as scripts and IT would). */
export const EMBASSY_CLI = join(process.cwd(), 'dist', 'node', 'embassy.cjs');

/** Runs the built `embassy` with the officer's token configuration, `stdin` (the PIN) piped in. */
export function spawnEmbassy(args: readonly string[], token: SoftHsmToken, stdin = token.pin) {
  const child = spawn(process.execPath, [EMBASSY_CLI, ...args], {
    env: { ...process.env, SOFTHSM2_CONF: token.confPath },
    stdio: ['pipe', 'pipe', 'pipe'],
  });
  let stdout = '';
  let stderr = '';
  child.stdout.on('data', (d: Buffer) => (stdout += d.toString()));
  child.stderr.on('data', (d: Buffer) => (stderr += d.toString()));
  const done = new Promise<{ code: number | null; signal: string | null; stdout: string; stderr: string }>(
    (resolve, reject) => {
      child.on('error', reject);
      child.on('exit', (code, signal) => resolve({ code, signal, stdout, stderr }));
    },
  );
  child.stdin.end(stdin);
  return { child, done };
}
