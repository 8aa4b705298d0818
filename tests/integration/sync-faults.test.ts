import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { BAD_LINK, startFaultProxy, type FaultProxy } from '../fixtures/fault-proxy';
import type { SoftHsmToken } from '../fixtures/softhsm';
import { call, must } from './vault-harness';
import {
  attachmentDigest,
  makeOfficers,
  newOfficer,
  queueBatch,
  relayMail,
  startSyncRelay,
  type Officer,
  type TestRelayServer,
} from './sync-harness';

/**
 * Sync over a bad link: both officers' in-process cores reach the relay only through a fault
 * proxy each, their own access link (600 ms RTT, 256 kbit/s each way, 3 % of segments late by a retransmission timeout, every
 * connection reset every 5–30 s). M messages (Vietnamese text) and K documents with random
 * attachment bytes go both ways at once; rounds run on both sides until every outbox row is
 * `sent` and each side holds everything, within a deadline. Then: every item exactly once, no
 * refusal in the audit log, attachments byte-identical, the relay's mailboxes empty.
 *
 * `EMBASSY_SYNC_FAULT_SCALE`: unset (CI) = 60 messages + 2 × 256 KiB each way (~2–3 min);
 * `mid` = 200 messages + 2 × 2 MiB; `full` = the goal, 1,000 messages + 5 × 20 MB each way,
 * which at 256 kbit/s takes hours (100 MB each way is ~55 min of pure line time per direction,
 * more with cuts and round trips), with a deadline to match.
 */

const SCALES = {
  ci: { messages: 60, documents: 2, attachmentBytes: 256 * 1024, deadlineMs: 200_000 },
  mid: { messages: 200, documents: 2, attachmentBytes: 2 * 1024 * 1024, deadlineMs: 1_500_000 },
  full: { messages: 1000, documents: 5, attachmentBytes: 20_000_000, deadlineMs: 6 * 3600_000 },
} as const;
const scaleName = (process.env.EMBASSY_SYNC_FAULT_SCALE ?? 'ci') as keyof typeof SCALES;
const SCALE = SCALES[scaleName] ?? SCALES.ci;

let tokens: SoftHsmToken[];
let hq: TestRelayServer;
/** Each officer's own link to HQ (one access link each: their traffic shares it, not the other's). */
let links: { mission: FaultProxy; hq: FaultProxy };
let mission: Officer;
let hqOfficer: Officer;
const scratch = mkdtempSync(join(tmpdir(), 'embassy-sync-faults-'));

beforeAll(async () => {
  let rootPath: string;
  ({ tokens, rootPath } = await makeOfficers([
    { name: 'Nguyen Van An', email: 'an.nguyen@mission.example', label: 'faults-an' },
    { name: 'Tran Thi Binh', email: 'binh.tran@hq.example', label: 'faults-binh' },
  ]));
  hq = await startSyncRelay(rootPath);
  const target = { host: '127.0.0.1', port: hq.relay.port };
  links = {
    mission: await startFaultProxy(target, BAD_LINK),
    hq: await startFaultProxy(target, { ...BAD_LINK, seed: (BAD_LINK.seed ?? 1) + 1 }),
  };
  mission = await newOfficer(tokens[0] as SoftHsmToken, 'Nguyen Van An', 'an.nguyen@mission.example');
  hqOfficer = await newOfficer(tokens[1] as SoftHsmToken, 'Tran Thi Binh', 'binh.tran@hq.example');
}, 180_000);

afterAll(async () => {
  for (const o of [mission, hqOfficer]) await o?.core.close();
  for (const l of Object.values(links ?? {})) await l.close();
  await hq?.relay.close();
  for (const t of tokens ?? []) await t.cleanup();
  rmSync(scratch, { recursive: true, force: true });
});

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

/** Done on one side: nothing left in its outbox and everything the other side sent stored. */
async function done(o: Officer, expected: number): Promise<boolean> {
  const stats = await o.core.vault.run('sync.outbox.stats', {});
  const audit = await o.core.vault.run('sync.audit', { limit: 1 });
  return stats.count === 0 && stats.failed === 0 && audit.received >= expected;
}

const plan = {
  messages: SCALE.messages,
  documents: Array.from({ length: SCALE.documents }, () => [SCALE.attachmentBytes]),
};

describe(`sync over a bad link (${scaleName}: ${SCALE.messages} messages + ${SCALE.documents} × ${SCALE.attachmentBytes} B each way)`, () => {
  it('enrols through the proxy (TLS passes through it, the pin holds) and exchanges prekeys', async () => {
    for (const [o, link] of [
      [mission, links.mission],
      [hqOfficer, links.hq],
    ] as const) {
      // A cut may land on enrolment's requests: the wizard then says "offline" and the officer
      // tries again (same device keys, so the relay sees the same device), as here.
      let status: string | undefined;
      for (let attempt = 1; status === undefined; attempt++) {
        const r = await call(o.core, 'sync.enroll', {
          hqUrl: link.url('https'),
          fingerprint: hq.relay.fingerprint,
          token: { label: o.token.label },
          pin: o.token.pin,
          department: 'Consular',
        });
        if (r.ok) status = r.value.enrolment;
        else if (r.error.code !== 'E_SYNC_OFFLINE' || attempt >= 5) throw new Error(`enrol: ${r.error.code}`);
      }
      expect(status).toBe('approved');
    }
    // Both directories must list the other's prekey before anything can be sealed to it.
    const deadline = Date.now() + 120_000;
    for (;;) {
      for (const o of [mission, hqOfficer]) await call(o.core, 'sync.now', {});
      const reach = await Promise.all(
        [
          [mission, hqOfficer],
          [hqOfficer, mission],
        ].map(async ([a, b]) => {
          const dir = await must((a as Officer).core, 'sync.directory', {});
          return dir.officers.some((x) => x.address === (b as Officer).email && x.reachable);
        }),
      );
      if (reach.every(Boolean)) break;
      if (Date.now() > deadline) throw new Error('prekeys were not exchanged through the proxy');
    }
  }, 150_000);

  it(
    'delivers every item exactly once, byte-identical, both ways, through cuts and drops',
    async () => {
      const t0 = Date.now();
      const [toHq, toMission] = await Promise.all([
        queueBatch(mission.core, hqOfficer.email, 'Sứ quán→Bộ', plan, scratch),
        queueBatch(hqOfficer.core, mission.email, 'Bộ→Sứ quán', plan, scratch),
      ]);
      const queuedMs = Date.now() - t0;
      const expected = SCALE.messages + SCALE.documents;

      const rounds = { mission: 0, hq: 0 };
      const errors = new Map<string, number>();
      const start = Date.now();
      const deadline = start + SCALE.deadlineMs;
      const finished = { mission: false, hq: false };
      // Both sides run rounds at once and independently, as two workstations would.
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
              // Keep going while the other side may still send to us.
              const other = name === 'mission' ? 'hq' : 'mission';
              if (finished[other]) return;
            }
            if (Date.now() > deadline) return;
            rounds[name]++;
            await call(o.core, 'sync.now', {});
            for (const e of o.core.sync.lastRound()?.errors ?? [])
              errors.set(e.code, (errors.get(e.code) ?? 0) + 1);
            if (finished[name]) await sleep(500);
          }
        }),
      );
      const elapsedMs = Date.now() - start;
      const stats = { mission: links.mission.stats(), hq: links.hq.stats() };
      // The relay's view: requests by method, route and status (cut PATCHes show here).
      const requests: Record<string, number> = {};
      for (const l of hq.logs) {
        const m = /^(\S+ \S+ \d+) \d+ms$/.exec(l);
        if (m?.[1]) requests[m[1]] = (requests[m[1]] ?? 0) + 1;
      }
      console.log(
        `sync-faults ${scaleName}: queued in ${(queuedMs / 1000).toFixed(1)} s; delivered in ${(elapsedMs / 1000).toFixed(1)} s; ` +
          `rounds mission ${rounds.mission}, hq ${rounds.hq}; links ${JSON.stringify(stats)}; ` +
          `round errors ${JSON.stringify(Object.fromEntries(errors))}; relay requests ${JSON.stringify(requests)}`,
      );
      expect(finished, `not done within ${SCALE.deadlineMs} ms`).toEqual({ mission: true, hq: true });
      // The link really was bad: connections were cut and segments were late.
      for (const link of Object.values(stats)) {
        expect(link.cuts).toBeGreaterThan(0);
        expect(link.drops).toBeGreaterThan(0);
      }

      for (const [receiver, sent] of [
        [hqOfficer, toHq],
        [mission, toMission],
      ] as const) {
        const audit = await receiver.core.vault.run('sync.audit', { limit: 10_000 });
        expect(audit.events.filter((e) => e.event === 'rejected')).toEqual([]);
        expect(audit.received).toBe(expected);
        const received = (await receiver.core.vault.run('sync.received', { limit: 10_000 })).items;
        expect(received).toHaveLength(expected);
        expect(new Set(received.map((r) => r.envelopeId)).size).toBe(expected);
        const texts = received.filter((r) => r.kind === 'message').map((r) => r.text);
        expect(texts).toHaveLength(SCALE.messages);
        expect(new Set(texts)).toEqual(sent.texts);
        const docs = received.filter((r) => r.kind === 'document');
        expect(docs.map((d) => d.title).sort()).toEqual([...sent.titles].sort());
        for (const d of docs) {
          expect(d.attachments).toHaveLength(1);
          expect(d.attachments[0]?.size).toBe(SCALE.attachmentBytes);
          // Read back from the vault and hashed here, not only the digest the vault recorded.
          const detail = await must(receiver.core, 'documents.get', { id: d.recordId });
          const att = detail.attachments[0];
          expect(att).toBeDefined();
          expect(await attachmentDigest(receiver.core, att?.id ?? '')).toBe(sent.files.get(att?.name ?? ''));
        }
      }

      for (const o of [mission, hqOfficer]) {
        const stats = await o.core.vault.run('sync.outbox.stats', {});
        expect(stats).toMatchObject({ count: 0, failed: 0 });
        const outbox = (await o.core.vault.run('sync.outbox.list', { limit: 1000 })).items;
        expect(outbox.length).toBe(Math.min(1000, expected));
        expect(outbox.filter((i) => i.state !== 'sent')).toEqual([]);
      }

      // Every item was acknowledged: the relay holds no unacknowledged mail and no bytes.
      expect(relayMail(hq.dataDir)).toEqual({ states: [{ state: 'acked', n: 2 * expected }], blobs: [] });
    },
    SCALE.deadlineMs + 120_000,
  );
});
