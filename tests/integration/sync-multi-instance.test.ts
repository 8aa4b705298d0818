import { createHash, randomBytes } from 'node:crypto';
import { cpSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startRelay, type RunningRelay } from '../../hq/server/relay-server';
import type { SoftHsmToken } from '../fixtures/softhsm';
import { sharedPgCluster, stopPgCluster } from '../fixtures/relay-backends';
import { must } from './vault-harness';
import { canaryHits, enroll, makeOfficers, newOfficer, type Officer } from './sync-harness';

/**
 * A sync exchange across two relay instances on one PostgreSQL: the mission officer's
 * workstation talks to instance A only, the HQ officer's to instance B only (as two clients
 * behind a load balancer may land). The HQ side runs its background engine with push and a
 * 10-minute poll: the message arriving within seconds is the push from B, woken by A's
 * completion through LISTEN/NOTIFY. Then nothing of the plaintext is in either data
 * directory, in PostgreSQL's data directory or in its log.
 */

const run = randomBytes(4).toString('hex');
const CANARY = {
  title: `CANARY-MI-TITLE-${run}-Công hàm`,
  text: `CANARY-MI-TEXT-${run}-hợp đồng bảo mật`,
  attachment: `CANARY-MI-ATTACHMENT-${run}`,
};

let tokens: SoftHsmToken[];
let rootPath: string;
let dirs: string[] = [];
let a: RunningRelay;
let b: RunningRelay;
const logs: string[] = [];
let mission: Officer;
let hqOfficer: Officer;
let pgPaths: string[];

beforeAll(async () => {
  ({ tokens, rootPath } = await makeOfficers([
    { name: 'Nguyen Van An', email: 'an.nguyen@mission.example', label: 'mi-mission-an' },
    { name: 'Tran Thi Binh', email: 'binh.tran@hq.example', label: 'mi-hq-binh' },
  ]));
  const cluster = await sharedPgCluster();
  pgPaths = [cluster.dataDir, cluster.logFile];
  const db = await cluster.createDatabase();
  const dirA = mkdtempSync(join(tmpdir(), 'embassy-relay-a-'));
  const dirB = mkdtempSync(join(tmpdir(), 'embassy-relay-b-'));
  dirs = [dirA, dirB];
  const options = {
    db,
    host: '127.0.0.1',
    port: 0,
    trustCaFiles: [rootPath],
    log: (l: string) => logs.push(l),
  };
  a = await startRelay({ dataDir: dirA, ...options });
  cpSync(dirA, dirB, { recursive: true }); // the same certificate and HQ key
  b = await startRelay({ dataDir: dirB, ...options });
  mission = await newOfficer(tokens[0] as SoftHsmToken, 'Nguyen Van An', 'an.nguyen@mission.example');
  hqOfficer = await newOfficer(tokens[1] as SoftHsmToken, 'Tran Thi Binh', 'binh.tran@hq.example', {
    background: true,
    push: true,
    intervalMs: 600_000,
  });
}, 180_000);

afterAll(async () => {
  for (const o of [mission, hqOfficer]) await o?.core.close();
  await a?.close();
  await b?.close();
  for (const t of tokens ?? []) await t.cleanup();
  for (const d of dirs) rmSync(d, { recursive: true, force: true });
  await stopPgCluster();
});

describe('sync across two relay instances on one PostgreSQL', () => {
  it('enrols the mission on A and HQ on B; each sees the other in the directory', async () => {
    expect(b.fingerprint).toBe(a.fingerprint);
    expect((await enroll(mission, a)).enrolment).toBe('approved');
    expect((await enroll(hqOfficer, b)).enrolment).toBe('approved');
    for (let i = 0; i < 2; i++) {
      await must(mission.core, 'sync.now', {});
      await must(hqOfficer.core, 'sync.now', {});
    }
    const dir = await must(mission.core, 'sync.directory', {});
    expect(dir.officers.find((o) => o.address === 'binh.tran@hq.example')?.reachable).toBe(true);
  }, 120_000);

  it('delivers through A to B, woken by push, exactly once and byte-identical', async () => {
    const blob = Buffer.concat([Buffer.from(CANARY.attachment), randomBytes(600 * 1024)]);
    const doc = await must(mission.core, 'documents.add', {
      subject: CANARY.title,
      direction: 'outgoing',
      classification: 'confidential',
      body: CANARY.text,
    });
    await must(mission.core, 'attachments.add', {
      documentId: doc.id,
      name: 'canary.bin',
      source: { kind: 'bytes', base64: blob.toString('base64') },
    });
    await must(mission.core, 'sync.send', { kind: 'message', to: ['binh.tran@hq.example'], title: CANARY.title, text: CANARY.text }); // prettier-ignore
    await must(mission.core, 'sync.send', {
      kind: 'document',
      to: ['binh.tran@hq.example'],
      documentId: doc.id,
    });
    const before = (await must(hqOfficer.core, 'sync.status', {})).inboxVersion;
    const sentAt = Date.now();
    await must(mission.core, 'sync.now', {});
    expect(mission.core.sync.lastRound()).toMatchObject({ sent: 2, errors: [] });
    // No "sync now" on the HQ side: its 10-minute poll is far away, only a push wakes it.
    let version = before;
    for (let i = 0; i < 300 && version < before + 2; i++) {
      await new Promise((r) => setTimeout(r, 100));
      version = (await must(hqOfficer.core, 'sync.status', {})).inboxVersion;
    }
    console.log(
      `sync across instances: received ${version - before} item(s) ${Date.now() - sentAt} ms after A's round began`,
    );
    expect(version).toBe(before + 2);
    const inbox = (await hqOfficer.core.vault.run('sync.received', { limit: 10 })).items;
    expect(inbox.find((i) => i.kind === 'message')).toMatchObject({ title: CANARY.title, text: CANARY.text });
    const got = inbox.find((i) => i.kind === 'document');
    expect(got?.attachments.find((x) => x.name === 'canary.bin')?.sha256).toBe(
      createHash('sha256').update(blob).digest('hex'),
    );
    // Exactly once: a further round (after the pushed one settles) adds nothing.
    await must(hqOfficer.core, 'sync.now', {});
    await must(hqOfficer.core, 'sync.now', {});
    expect((await must(hqOfficer.core, 'sync.status', {})).inboxVersion).toBe(before + 2);
    const after = (await hqOfficer.core.vault.run('sync.received', { limit: 10 })).items;
    expect(after.map((i) => i.kind).sort()).toEqual(['document', 'message']);
  }, 120_000);

  it("leaves no canary in the instances' data, PostgreSQL's data directory or its log", () => {
    const [pgData, pgLog] = pgPaths as [string, string];
    const serverLog = readFileSync(pgLog, 'utf8');
    const hits = [...dirs, pgData].flatMap((d) => canaryHits(d, Object.values(CANARY), [...logs, serverLog]));
    expect(hits).toEqual([]);
    // The scan reads PostgreSQL's files: the officers' addresses (clear metadata) are there.
    expect(canaryHits(pgData, ['binh.tran@hq.example']).length).toBeGreaterThan(0);
  });
});
