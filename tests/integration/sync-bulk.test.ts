import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startFaultProxy, type FaultProxy } from '../fixtures/fault-proxy';
import type { SoftHsmToken } from '../fixtures/softhsm';
import { call, must } from './vault-harness';
import {
  enroll,
  makeOfficers,
  newOfficer,
  queueBatch,
  startSyncRelay,
  type Officer,
  type TestRelayServer,
} from './sync-harness';

/**
 * A large document downloading must not hold back the mail that comes after it: the mission
 * officer's link is thin (1 Mbit/s), a 4 MB document from HQ takes about half a minute on it,
 * and a message HQ sends a few seconds into that download is stored before the document is.
 */
let tokens: SoftHsmToken[];
let hq: TestRelayServer;
let link: FaultProxy;
let mission: Officer;
let hqOfficer: Officer;
const scratch = mkdtempSync(join(tmpdir(), 'embassy-sync-bulk-'));
const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

beforeAll(async () => {
  let rootPath: string;
  ({ tokens, rootPath } = await makeOfficers([
    { name: 'Nguyen Van An', email: 'an.nguyen@mission.example', label: 'bulk-an' },
    { name: 'Tran Thi Binh', email: 'binh.tran@hq.example', label: 'bulk-binh' },
  ]));
  hq = await startSyncRelay(rootPath);
  link = await startFaultProxy(
    { host: '127.0.0.1', port: hq.relay.port },
    { rttMs: 40, bitsPerSecond: 1_000_000, dropRate: 0 },
  );
  mission = await newOfficer(tokens[0] as SoftHsmToken, 'Nguyen Van An', 'an.nguyen@mission.example');
  hqOfficer = await newOfficer(tokens[1] as SoftHsmToken, 'Tran Thi Binh', 'binh.tran@hq.example');
  await must(mission.core, 'sync.enroll', {
    hqUrl: link.url('https'),
    fingerprint: hq.relay.fingerprint,
    token: { label: mission.token.label },
    pin: mission.token.pin,
    department: 'Consular',
  });
  await enroll(hqOfficer, hq.relay);
  for (let i = 0; i < 10; i++) {
    for (const o of [mission, hqOfficer]) await call(o.core, 'sync.now', {});
    const dir = await must(hqOfficer.core, 'sync.directory', {});
    if (dir.officers.some((x) => x.address === mission.email && x.reachable)) break;
  }
}, 120_000);

afterAll(async () => {
  for (const o of [mission, hqOfficer]) await o?.core.close();
  await link?.close();
  await hq?.relay.close();
  for (const t of tokens ?? []) await t.cleanup();
  rmSync(scratch, { recursive: true, force: true });
});

describe('a large download beside small mail', () => {
  it('stores a message sent during a 4 MB download before the document', async () => {
    const big = await queueBatch(
      hqOfficer.core,
      mission.email,
      'lớn',
      { messages: 0, documents: [[4_000_000]] },
      scratch,
    );
    await must(hqOfficer.core, 'sync.now', {});
    const start = Date.now();
    const round = call(mission.core, 'sync.now', {});
    // A few seconds into the download (about 32 s of line time), HQ sends a message.
    await sleep(4_000);
    const small = await queueBatch(
      hqOfficer.core,
      mission.email,
      'nhỏ',
      { messages: 1, documents: [] },
      scratch,
    );
    await must(hqOfficer.core, 'sync.now', {});
    expect((await round).ok).toBe(true);
    const elapsed = Date.now() - start;
    expect(mission.core.sync.lastRound()).toMatchObject({ received: 2, errors: [] });

    const received = (await mission.core.vault.run('sync.received', { limit: 10 })).items;
    const message = received.find((r) => r.kind === 'message');
    const document = received.find((r) => r.kind === 'document');
    expect(message?.text).toBe([...small.texts][0]);
    expect(document?.title).toBe(big.titles[0]);
    console.log(
      `sync-bulk: round ${elapsed} ms; message stored ${(message?.receivedAt ?? 0) - start} ms, document ${(document?.receivedAt ?? 0) - start} ms after it began`,
    );
    // The message did not wait for the document.
    expect(message?.receivedAt ?? Infinity).toBeLessThan(document?.receivedAt ?? 0);
  }, 180_000);
});
