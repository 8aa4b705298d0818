import { spawn, type ChildProcess } from 'node:child_process';
import { cpSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createInterface } from 'node:readline';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { SoftHsmToken } from '../fixtures/softhsm';
import { sharedPgCluster, stopPgCluster } from '../fixtures/relay-backends';
import { startTcpBalancer, type TcpBalancer } from '../fixtures/tcp-balancer';
import { call, must } from './vault-harness';
import {
  attachmentDigest,
  makeOfficers,
  newOfficer,
  queueBatch,
  type Officer,
  type QueuedBatch,
} from './sync-harness';

/**
 * Two relay instances (separate processes, `embassy hq serve --db`) on one PostgreSQL behind a
 * layer-4 balancer; the two officers exchange messages and documents (full scale: 200 and 5 × 2 MiB) each way
 * through it, and the instance that has served more mail is killed with SIGKILL mid-exchange.
 * The clients' retries land on the survivor: every item arrives exactly once, byte-identical.
 */

const ENTRY = join(process.cwd(), 'electron', 'cli', 'embassy-main.ts');
/** `EMBASSY_FAILOVER_SCALE=full` is the scale (about 80 s here); CI runs a smaller one. */
const SCALES = {
  ci: { messages: 40, documents: 2, attachmentBytes: 512 * 1024, killAfterMail: 40 },
  full: { messages: 200, documents: 5, attachmentBytes: 2 * 1024 * 1024, killAfterMail: 150 },
};
const scaleName = process.env.EMBASSY_FAILOVER_SCALE === 'full' ? 'full' : 'ci';
const SCALE = SCALES[scaleName];

interface Instance {
  readonly child: ChildProcess;
  readonly port: number;
  readonly fingerprint: string;
  /** Mail requests (create and PATCH) it has answered. */
  mail: number;
}

let tokens: SoftHsmToken[];
let rootPath: string;
let dirs: string[] = [];
let instances: Instance[] = [];
let balancer: TcpBalancer;
let mission: Officer;
let hqOfficer: Officer;
let scratch: string;

async function startInstance(dataDir: string, db: string): Promise<Instance> {
  const child = spawn(
    process.execPath,
    ['--import', 'tsx', ENTRY, 'hq', 'serve', '--data', dataDir, '--db', db, '--listen', '127.0.0.1:0', '--json', '--trust-ca', rootPath], // prettier-ignore
    { stdio: ['ignore', 'pipe', 'pipe'] },
  );
  const first = await new Promise<string>((resolve, reject) => {
    createInterface({ input: child.stdout as NodeJS.ReadableStream }).once('line', resolve);
    child.once('exit', (code) => reject(new Error(`hq serve exited ${code}`)));
  });
  const { url, fingerprint } = JSON.parse(first) as { url: string; fingerprint: string };
  const instance: Instance = { child, port: Number(new URL(url).port), fingerprint, mail: 0 };
  createInterface({ input: child.stderr as NodeJS.ReadableStream }).on('line', (l) => {
    if (/ mail\.(create|item) \d+/.test(l)) instance.mail++;
  });
  return instance;
}

beforeAll(async () => {
  ({ tokens, rootPath } = await makeOfficers([
    { name: 'Nguyen Van An', email: 'an.nguyen@mission.example', label: 'fo-mission-an' },
    { name: 'Tran Thi Binh', email: 'binh.tran@hq.example', label: 'fo-hq-binh' },
  ]));
  const db = await (await sharedPgCluster()).createDatabase();
  const dirA = mkdtempSync(join(tmpdir(), 'embassy-relay-fo-a-'));
  const dirB = mkdtempSync(join(tmpdir(), 'embassy-relay-fo-b-'));
  scratch = mkdtempSync(join(tmpdir(), 'embassy-failover-'));
  dirs = [dirA, dirB, scratch];
  const a = await startInstance(dirA, db);
  cpSync(dirA, dirB, { recursive: true }); // the same certificate and HQ key
  const b = await startInstance(dirB, db);
  instances = [a, b];
  balancer = await startTcpBalancer([a.port, b.port]);
  mission = await newOfficer(tokens[0] as SoftHsmToken, 'Nguyen Van An', 'an.nguyen@mission.example');
  hqOfficer = await newOfficer(tokens[1] as SoftHsmToken, 'Tran Thi Binh', 'binh.tran@hq.example');
}, 180_000);

afterAll(async () => {
  for (const o of [mission, hqOfficer]) await o?.core.close();
  await balancer?.close();
  for (const i of instances) i.child.kill('SIGKILL');
  for (const t of tokens ?? []) await t.cleanup();
  for (const d of dirs) rmSync(d, { recursive: true, force: true });
  await stopPgCluster();
});

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

async function done(o: Officer, expected: number): Promise<boolean> {
  const stats = await o.core.vault.run('sync.outbox.stats', {});
  const audit = await o.core.vault.run('sync.audit', { limit: 1 });
  return stats.count === 0 && stats.failed === 0 && audit.received >= expected;
}

describe('sync through two relay instances when one is killed (kill -9)', () => {
  it('enrols both officers through the balancer and exchanges prekeys', async () => {
    expect(instances[1]?.fingerprint).toBe(instances[0]?.fingerprint);
    for (const o of [mission, hqOfficer]) {
      const r = await must(o.core, 'sync.enroll', {
        hqUrl: balancer.url,
        fingerprint: instances[0]?.fingerprint ?? '',
        token: { label: o.token.label },
        pin: o.token.pin,
        department: 'Consular',
      });
      expect(r.enrolment).toBe('approved');
    }
    for (let i = 0; i < 2; i++) for (const o of [mission, hqOfficer]) await must(o.core, 'sync.now', {});
    const dir = await must(mission.core, 'sync.directory', {});
    expect(dir.officers.find((o) => o.address === hqOfficer.email)?.reachable).toBe(true);
  }, 120_000);

  it(`delivers ${SCALE.messages} messages + ${SCALE.documents} × ${SCALE.attachmentBytes} B each way exactly once, byte-identical, across the kill`, async () => {
    const plan = { messages: SCALE.messages, documents: Array.from({ length: SCALE.documents }, () => [SCALE.attachmentBytes]) }; // prettier-ignore
    const [toHq, toMission] = await Promise.all([
      queueBatch(mission.core, hqOfficer.email, 'Sứ quán→Bộ', plan, scratch),
      queueBatch(hqOfficer.core, mission.email, 'Bộ→Sứ quán', plan, scratch),
    ]);
    const expected = SCALE.messages + SCALE.documents;
    const errors = new Map<string, number>();
    let killed: { index: number; mailBefore: number[] } | undefined;
    const start = Date.now();
    const deadline = start + 240_000;
    const finished = { mission: false, hq: false };
    const killer = (async () => {
      // Mid-exchange: once some mail went through, kill the busier instance.
      while (!killed && Date.now() < deadline) {
        const served = instances.map((i) => i.mail);
        if (served.reduce((x, y) => x + y, 0) >= SCALE.killAfterMail) {
          const index = (served[0] ?? 0) >= (served[1] ?? 0) ? 0 : 1;
          instances[index]?.child.kill('SIGKILL');
          killed = { index, mailBefore: served };
        } else await sleep(20);
      }
    })();
    await Promise.all(
      (
        [
          ['mission', mission],
          ['hq', hqOfficer],
        ] as const
      ).map(async ([name, o]) => {
        for (;;) {
          if (await done(o, expected)) {
            finished[name] = true;
            if (finished[name === 'mission' ? 'hq' : 'mission']) return;
          }
          if (Date.now() > deadline) return;
          await call(o.core, 'sync.now', {});
          for (const e of o.core.sync.lastRound()?.errors ?? [])
            errors.set(e.code, (errors.get(e.code) ?? 0) + 1);
          if (finished[name]) await sleep(300);
        }
      }),
    );
    await killer;
    console.log(
      `failover ${scaleName}: killed instance ${killed?.index} after ${JSON.stringify(killed?.mailBefore)} mail requests; ` +
        `done in ${((Date.now() - start) / 1000).toFixed(1)} s; survivor served ${instances.map((i) => i.mail)}; ` +
        `balancer connections ${JSON.stringify(balancer.connections)}; round errors ${JSON.stringify(Object.fromEntries(errors))}`,
    );
    expect(killed).toBeDefined();
    expect(finished).toEqual({ mission: true, hq: true });
    for (const [receiver, sent] of [
      [hqOfficer, toHq],
      [mission, toMission],
    ] as [Officer, QueuedBatch][]) {
      const received = (await receiver.core.vault.run('sync.received', { limit: 10_000 })).items;
      expect(received).toHaveLength(expected);
      expect(new Set(received.map((r) => r.envelopeId)).size).toBe(expected);
      const texts = received.filter((r) => r.kind === 'message').map((r) => r.text);
      expect(texts).toHaveLength(SCALE.messages);
      expect(new Set(texts)).toEqual(sent.texts);
      const docs = received.filter((r) => r.kind === 'document');
      expect(docs.map((d) => d.title).sort()).toEqual([...sent.titles].sort());
      for (const d of docs) {
        const detail = await must(receiver.core, 'documents.get', { id: d.recordId });
        const att = detail.attachments[0];
        expect(await attachmentDigest(receiver.core, att?.id ?? '')).toBe(sent.files.get(att?.name ?? ''));
      }
    }
  }, 400_000);
});
