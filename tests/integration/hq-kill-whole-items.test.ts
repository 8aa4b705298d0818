import { spawn, type ChildProcess } from 'node:child_process';
import { createHash, randomBytes } from 'node:crypto';
import { cpSync, mkdtempSync, rmSync } from 'node:fs';
import { Agent } from 'node:https';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createInterface } from 'node:readline';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { MailUploadStatus } from '../../shared/sync/relay-protocol';
import { PgRelayStore } from '../../hq/storage/pg-relay-store';
import { approvedDevice, call, startTestRelay, type TestRelay } from './hq-harness';

/**
 * An acknowledged upload survives kill -9 of the relay in the middle of a group commit
 * (`hq/storage/pg-whole-item-batch.ts`: the whole items of a moment go to PostgreSQL as one
 * transaction). A relay process on PostgreSQL takes 1,200 whole items offered at once, and is
 * killed with SIGKILL once a few hundred were acknowledged, while batches are still queued and
 * in the database. Every item answered 200/201 must then be in the database, complete, its
 * bytes whole; and no item is left without its bytes.
 */

const ENTRY = join(process.cwd(), 'electron', 'cli', 'embassy-main.ts');
const ITEMS = 1200;
const KILL_AFTER = 300;

let setup: TestRelay;
let dataDir: string;
let child: ChildProcess | undefined;

beforeAll(async () => {
  // Devices enrolled, approved and logged in through an in-process instance: their sessions are
  // in the database, so the relay process below (another instance) honours them.
  setup = await startTestRelay(undefined, { db: 'postgres' });
}, 60_000);

afterAll(async () => {
  child?.kill('SIGKILL');
  setup?.agent.destroy();
  await setup?.relay.close();
  if (setup) rmSync(setup.dataDir, { recursive: true, force: true });
  if (dataDir) rmSync(dataDir, { recursive: true, force: true });
});

async function startProcess(db: string): Promise<{ url: string; fingerprint: string }> {
  dataDir = mkdtempSync(join(tmpdir(), 'hq-kill-whole-'));
  cpSync(setup.dataDir, dataDir, { recursive: true }); // the same certificate and HQ key
  child = spawn(
    process.execPath,
    ['--import', 'tsx', ENTRY, 'hq', 'serve', '--data', dataDir, '--db', db, '--listen', '127.0.0.1:0', '--json', '--quiet'], // prettier-ignore
    { stdio: ['ignore', 'pipe', 'inherit'] },
  );
  const first = await new Promise<string>((resolve, reject) => {
    createInterface({ input: child?.stdout as NodeJS.ReadableStream }).once('line', resolve);
    child?.once('exit', (code) => reject(new Error(`hq serve exited ${code}`)));
  });
  return JSON.parse(first) as { url: string; fingerprint: string };
}

describe('kill -9 of a PostgreSQL relay during group commits of whole items', () => {
  it('loses no acknowledged item, and leaves none without its bytes', async () => {
    const db = setup.db as string;
    const receivers = [await approvedDevice(setup), await approvedDevice(setup)];
    const senders = [await approvedDevice(setup), await approvedDevice(setup), await approvedDevice(setup)];
    const { url, fingerprint } = await startProcess(db);
    const agent = new Agent({
      ca: setup.relay.certificatePem,
      keepAlive: true,
      maxSockets: 64,
      checkServerIdentity: (_h, cert) =>
        cert.fingerprint256.replace(/:/g, '').toLowerCase() === fingerprint ? undefined : new Error('pin'),
    });
    const target = { ...setup, relay: { ...setup.relay, url }, agent } as TestRelay;
    const acked = new Map<string, string>(); // item id → SHA-256 of what was sent
    let failed = 0;
    let notWhole = 0;
    try {
      await Promise.all(
        Array.from({ length: ITEMS }, async (_, n) => {
          const bytes = randomBytes(1000 + (n % 3000));
          const sha256 = createHash('sha256').update(bytes).digest('hex');
          const sender = senders[n % senders.length] as { token: string };
          const recipient = (receivers[n % receivers.length] as { device: { id: string } }).device.id;
          try {
            const r = await call(target, {
              path: '/v1/mail',
              token: sender.token,
              body: {
                recipient,
                envelopeId: `kill-${n}`,
                size: bytes.length,
                sha256,
                content: bytes.toString('base64'),
              },
            });
            if (r.status !== 201 && r.status !== 200) throw new Error(`status ${r.status}`);
            const status = r.json<MailUploadStatus>();
            if (status.state !== 'complete') notWhole++;
            acked.set(status.id, sha256);
            if (acked.size === KILL_AFTER) child?.kill('SIGKILL');
          } catch {
            failed++;
          }
        }),
      );
    } finally {
      agent.destroy();
    }
    expect(notWhole).toBe(0);
    // The kill landed with work in flight: some answered, some cut off.
    expect(acked.size).toBeGreaterThanOrEqual(KILL_AFTER);
    expect(failed).toBeGreaterThan(0);
    const store = await PgRelayStore.open(db, { create: false });
    try {
      for (const [id, sha256] of acked) {
        const item = await store.getItem(id);
        expect(item?.state).toBe('complete');
        expect(await store.blobs.sha256(id, item?.size ?? 0)).toBe(sha256);
      }
      // All or nothing: every item stored (answered or not) has its bytes.
      const held = new Set(await store.blobs.list());
      let stored = 0;
      for (const r of receivers) {
        const inbox = await store.listInbox(r.device.id, 0, ITEMS);
        stored += inbox.length;
        for (const i of inbox) expect(held.has(i.id)).toBe(true);
      }
      expect(stored).toBeGreaterThanOrEqual(acked.size);
      process.stdout.write(`kill -9: ${acked.size} acknowledged, ${failed} cut off, ${stored} stored\n`);
    } finally {
      await store.close();
    }
  }, 180_000);
});
