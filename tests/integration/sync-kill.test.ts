import { spawn, type ChildProcess } from 'node:child_process';
import { existsSync, mkdtempSync, rmSync } from 'node:fs';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createInterface } from 'node:readline';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { BAD_LINK, startFaultProxy, type FaultProfile, type FaultProxy } from '../fixtures/fault-proxy';
import type { SoftHsmToken } from '../fixtures/softhsm';
import {
  attachmentDigest,
  EMBASSY_CLI,
  spawnEmbassy,
  makeOfficers,
  officerCore,
  queueBatch,
  relayMail,
  type QueuedBatch,
} from './sync-harness';
import { must } from './vault-harness';

/**
 * kill -9 during sync, with every part a real process: the relay is the built bundle's
 * `hq serve` on a fixed port (so clients find it again after a restart), each client is
 * `embassy sync --once`. A batch is queued both ways (messages, and documents with random
 * attachments); then, with both clients syncing at once through a fault proxy (so transfers
 * last long enough to be interrupted), a client is killed ten times and the relay ten times,
 * each a random delay after the relay saw the round's first request. Clean rounds follow until
 * everything is through. Then: each item stored exactly once, no refusal, attachments
 * byte-identical, every outbox row sent, both vaults' integrity_check ok, the relay's
 * mailboxes empty.
 *
 * `EMBASSY_SYNC_KILL_SCALE`: unset (CI) = 6 messages + 3 files of 1–1.5 MB each way through a
 * mild link (40 ms RTT, 1.5 Mbit/s, 1 % late segments, no cuts), kills 0.1–1.5 s into a round
 * (~2 min); `full` = the issue's goal, 1,000 messages + 5 × 20 MB each way through the bad link
 * (`BAD_LINK`: 600 ms, 256 kbit/s, 3 %, cuts every 5–30 s), kills 5–60 s into a round, so they
 * land all through the first part of a transfer that takes well over an hour.
 */

const KILLS = 10;
const SCALES = {
  ci: {
    messages: 6,
    /** Per direction: one document with one file, one with two. */
    documents: [[1_500_000], [1_000_000, 1_000_000]],
    link: { rttMs: 40, bitsPerSecond: 1.5e6, dropRate: 0.01, seed: 7 } as FaultProfile,
    killDelayMs: [100, 1500],
    settleMs: 330_000,
    timeoutMs: 540_000,
  },
  full: {
    messages: 1000,
    documents: Array.from({ length: 5 }, () => [20_000_000]),
    link: BAD_LINK,
    killDelayMs: [5_000, 60_000],
    settleMs: 6 * 3600_000,
    timeoutMs: 8 * 3600_000,
  },
} as const;
const scaleName = (process.env.EMBASSY_SYNC_KILL_SCALE ?? 'ci') as keyof typeof SCALES;
const SCALE = SCALES[scaleName] ?? SCALES.ci;

interface Side {
  name: string;
  email: string;
  token: SoftHsmToken;
  profile: string;
}

let tokens: SoftHsmToken[];
let rootPath: string;
let relayData: string;
let port: number;
/** Each side's own link to HQ. */
const links: FaultProxy[] = [];
let relay: { child: ChildProcess; url: string; fingerprint: string; exited: Promise<void> } | null = null;
const relayLines: string[] = [];
const scratch = mkdtempSync(join(tmpdir(), 'embassy-sync-kill-'));
const sides: Side[] = [];

function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const s = createServer();
    s.once('error', reject);
    s.listen(0, '127.0.0.1', () => {
      const p = (s.address() as { port: number }).port;
      s.close(() => resolve(p));
    });
  });
}

const embassy = spawnEmbassy;

async function ok(args: string[], token: SoftHsmToken): Promise<string> {
  const r = await embassy(args, token).done;
  if (r.code !== 0) throw new Error(`embassy ${args[0]}: ${r.code} ${r.stderr}`);
  return r.stdout;
}

async function startRelay(): Promise<void> {
  const child = spawn(
    process.execPath,
    [
      EMBASSY_CLI,
      'hq',
      'serve',
      '--data',
      relayData,
      '--listen',
      `127.0.0.1:${port}`,
      '--json',
      '--trust-ca',
      rootPath,
    ],
    { stdio: ['ignore', 'pipe', 'pipe'] },
  );
  const exited = new Promise<void>((res) => child.once('exit', () => res()));
  createInterface({ input: child.stderr }).on('line', (l) => relayLines.push(l));
  const first = await new Promise<string>((res, rej) => {
    createInterface({ input: child.stdout }).once('line', res);
    child.once('exit', () => rej(new Error('hq serve exited early')));
  });
  const started = JSON.parse(first) as { url: string; fingerprint: string };
  relay = { child, exited, ...started };
}

async function killRelay(): Promise<void> {
  if (!relay) return;
  const r = relay;
  relay = null;
  r.child.kill('SIGKILL');
  await r.exited;
}

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));
const between = (min: number, max: number) => min + Math.floor(Math.random() * (max - min));

/** Resolves once the relay logs a request after `mark` lines (a round is talking to it), or after `ms`. */
async function firstRequest(mark: number, ms: number): Promise<void> {
  const end = Date.now() + ms;
  while (relayLines.length <= mark && Date.now() < end) await sleep(20);
}

function syncArgs(s: Side): string[] {
  return ['sync', '--profile', s.profile, '--pin-stdin', '--once', '--json'];
}

beforeAll(async () => {
  if (!existsSync(EMBASSY_CLI)) throw new Error('dist missing: run npm run build first');
  ({ tokens, rootPath } = await makeOfficers([
    { name: 'Vo Thi Lan', email: 'lan.vo@mission.example', label: 'kill-lan' },
    { name: 'Dang Van Hai', email: 'hai.dang@hq.example', label: 'kill-hai' },
  ]));
  relayData = mkdtempSync(join(tmpdir(), 'embassy-kill-relay-'));
  port = await freePort();
  await startRelay();
  for (const [i, t] of (tokens as SoftHsmToken[]).entries()) {
    const link = await startFaultProxy(
      { host: '127.0.0.1', port },
      { ...SCALE.link, seed: (SCALE.link.seed ?? 1) + i },
    );
    links.push(link);
    const profile = mkdtempSync(join(tmpdir(), 'embassy-kill-profile-'));
    await ok(
      ['vault', 'init', '--profile', profile, '--module', t.modulePath, '--token', t.label, '--pin-stdin'],
      t,
    );
    // On the bad link a cut may land on enrolment: tried again, as an officer would (same keys).
    for (let attempt = 1; ; attempt++) {
      const r = await embassy(
        [
          'enroll',
          '--profile',
          profile,
          '--hq',
          link.url('https'),
          '--hq-fingerprint',
          relay?.fingerprint ?? '',
          '--pin-stdin',
          '--trust',
          rootPath,
        ],
        t,
      ).done;
      if (r.code === 0) break;
      if (attempt >= 5) throw new Error(`embassy enroll: ${r.code} ${r.stderr}`);
    }
    sides.push({
      name: i === 0 ? 'mission' : 'hq',
      email: i === 0 ? 'lan.vo@mission.example' : 'hai.dang@hq.example',
      token: t,
      profile,
    });
  }
  // Prekeys both ways (a round publishes ours, the next one sees the other's).
  for (const s of [sides[0], sides[1], sides[0]] as Side[]) await ok(syncArgs(s), s.token);
}, 600_000);

afterAll(async () => {
  await killRelay();
  for (const l of links) await l.close();
  for (const t of tokens ?? []) await t.cleanup();
  for (const dir of [scratch, relayData, ...sides.map((s) => s.profile)])
    if (dir) rmSync(dir, { recursive: true, force: true });
});

describe(`sync under kill -9 of clients and relay (${scaleName}: ${SCALE.messages} messages + ${SCALE.documents.flat().length} files each way)`, () => {
  it(
    `${KILLS} client kills and ${KILLS} relay kills mid-transfer: exactly once, byte-identical, nothing lost`,
    async () => {
      const [mission, hq] = sides as [Side, Side];
      // What each side sends (queued in-process: two thousand CLI starts would take longer than
      // the transfer); keyed by the receiver.
      const sent = new Map<string, QueuedBatch>();
      const t0 = Date.now();
      for (const [from, to] of [
        [mission, hq],
        [hq, mission],
      ] as const) {
        const core = officerCore(from.token, from.profile);
        try {
          await must(core, 'vault.unlock', { pin: from.token.pin });
          const plan = { messages: SCALE.messages, documents: SCALE.documents };
          sent.set(to.name, await queueBatch(core, to.email, `${from.name}→${to.name}`, plan, scratch));
        } finally {
          await core.close();
        }
      }
      const queuedMs = Date.now() - t0;
      const expected = SCALE.messages + SCALE.documents.length;

      // The kills: alternately a client (mission, hq, …) and the relay, both clients syncing. A
      // kill counts only if it hit work in progress: the client was still running (it died of
      // SIGKILL), or a client's round failed because the relay went away.
      const log: string[] = [];
      let clientKills = 0;
      let relayKills = 0;
      const outcomes: Record<string, number> = {};
      for (let i = 0; (clientKills < KILLS || relayKills < KILLS) && i < 4 * KILLS; i++) {
        if (!relay) await startRelay();
        const mark = relayLines.length;
        const relayTurn = (i % 2 === 1 && relayKills < KILLS) || clientKills >= KILLS;
        // A client kill runs that client alone (the other would finish the batch meanwhile);
        // a relay kill hits both clients' rounds.
        const victimSide = i % 4 < 2 ? mission : hq;
        const runs = (relayTurn ? [mission, hq] : [victimSide]).map((s) => ({
          s,
          ...embassy(syncArgs(s), s.token),
        }));
        await firstRequest(mark, 10_000);
        const delay = between(SCALE.killDelayMs[0], SCALE.killDelayMs[1]);
        await sleep(delay);
        const victim = runs[0] as (typeof runs)[number];
        if (relayTurn) await killRelay();
        else victim.child.kill('SIGKILL');
        const results = await Promise.all(runs.map((r) => r.done));
        for (const res of results) {
          const key =
            res.signal === 'SIGKILL'
              ? 'killed'
              : res.code === 0
                ? `exit 0 ${(JSON.parse(res.stdout) as { errors: { code: string }[] }).errors.map((e) => e.code).join(',') || 'clean'}`
                : `exit ${res.code}`;
          outcomes[key] = (outcomes[key] ?? 0) + 1;
        }
        if (relayTurn) {
          const hit = results.some(
            (r) => r.code !== 0 || (JSON.parse(r.stdout) as { errors: unknown[] }).errors.length > 0,
          );
          if (hit) relayKills++;
          log.push(`relay at ${delay} ms${hit ? '' : ' (idle)'}`);
        } else {
          const hit = results[runs.indexOf(victim)]?.signal === 'SIGKILL';
          if (hit) clientKills++;
          log.push(`${victim.s.name} at ${delay} ms${hit ? '' : ' (already done)'}`);
        }
      }
      const killsMs = Date.now() - t0 - queuedMs;

      // Clean rounds until a round on each side is quiet: nothing sent (the other side may not
      // have listed it yet), nothing pending or failed in the outbox, nothing received, no error. Then the inboxes must hold everything. Rows whose
      // uploads failed when the relay died wait out the engine's backoff (full jitter, up to
      // 5 min after many failures; usually well under a minute here): `sync --once` skips them
      // until due, so the deadline covers the longest backoff.
      if (!relay) await startRelay();
      let clean = 0;
      const cleanLog: string[] = [];
      const deadline = Date.now() + SCALE.settleMs;
      // Each side runs rounds on its own (as a workstation's background sync would), not in
      // step with the other: one side's hour of uploads must not keep the other from receiving.
      // A side is done when a round of its own is quiet and the other side is done too.
      const finished: Record<string, boolean> = { mission: false, hq: false };
      await Promise.all(
        [mission, hq].map(async (s) => {
          const other = s === mission ? hq.name : mission.name;
          for (;;) {
            const res = JSON.parse(await ok(syncArgs(s), s.token)) as {
              sent: number;
              pending: number;
              failed: number;
              received: number;
              errors: unknown[];
            };
            clean++;
            cleanLog.push(`${s.name} ${JSON.stringify(res)}`);
            const quiet =
              res.sent === 0 &&
              res.pending === 0 &&
              res.failed === 0 &&
              res.received === 0 &&
              res.errors.length === 0;
            finished[s.name] = quiet;
            if ((quiet && finished[other]) || Date.now() > deadline) return;
            if (res.received === 0 && res.errors.length === 0) await sleep(2000); // rows in backoff, or waiting for the other side
          }
        }),
      );
      const counts = { mission: 0, hq: 0 };
      for (const s of [mission, hq]) {
        const inbox = JSON.parse(
          await ok(['inbox', '--profile', s.profile, '--pin-stdin', '--limit', '10000', '--json'], s.token),
        ) as unknown[];
        counts[s.name as 'mission' | 'hq'] = inbox.length;
      }
      console.log(
        `sync-kill: queued in ${(queuedMs / 1000).toFixed(1)} s; ${clientKills} client + ${relayKills} relay kills in ${(killsMs / 1000).toFixed(1)} s ` +
          `(${log.join('; ')}); clean rounds ${cleanLog.join(' ')}; round outcomes ${JSON.stringify(outcomes)}; ${clean} clean rounds; links ${JSON.stringify(links.map((l) => l.stats()))}`,
      );
      expect({ clientKills, relayKills }).toEqual({ clientKills: KILLS, relayKills: KILLS });
      if (counts.mission !== expected || counts.hq !== expected) {
        // What each side holds, for the failure message.
        await killRelay();
        for (const s of [mission, hq]) {
          const core = officerCore(s.token, s.profile);
          try {
            await must(core, 'vault.unlock', { pin: s.token.pin });
            const id = (await core.vault.run('sync.identity', {})).identity;
            const audit = await core.vault.run('sync.audit', { limit: 100 });
            console.log(
              `${s.name}: device ${id?.deviceId} inboxCursor ${id?.inboxCursor}; audit ${JSON.stringify(audit.events.map((e) => [e.event, e.code, e.item_id?.slice(0, 6)]))}`,
            );
          } finally {
            await core.close();
          }
        }
        console.log(
          `relay: ${JSON.stringify(relayMail(relayData))}; log tail ${relayLines.slice(-30).join(' | ')}`,
        );
      }
      expect(counts).toEqual({ mission: expected, hq: expected });

      await killRelay();
      expect(relayMail(relayData)).toEqual({ states: [{ state: 'acked', n: 2 * expected }], blobs: [] });

      // Each vault, opened in-process: integrity, exactly once, byte-identical, outbox all sent.
      for (const s of [mission, hq]) {
        const core = officerCore(s.token, s.profile);
        try {
          await must(core, 'vault.unlock', { pin: s.token.pin });
          expect((await core.vault.run('integrityCheck', {})).result).toBe('ok');
          const audit = await core.vault.run('sync.audit', { limit: 10_000 });
          expect(audit.events.filter((e) => e.event === 'rejected')).toEqual([]);
          expect(audit.received).toBe(expected);
          const received = (await core.vault.run('sync.received', { limit: 10_000 })).items;
          expect(received).toHaveLength(expected);
          expect(new Set(received.map((r) => r.envelopeId)).size).toBe(expected);
          const mine = sent.get(s.name);
          expect(new Set(received.filter((r) => r.kind === 'message').map((r) => r.text))).toEqual(
            mine?.texts,
          );
          const got = new Map<string, string>();
          for (const d of received.filter((r) => r.kind === 'document')) {
            const detail = await must(core, 'documents.get', { id: d.recordId });
            for (const a of detail.attachments) {
              expect(got.has(a.name), `${a.name} twice`).toBe(false);
              got.set(a.name, await attachmentDigest(core, a.id));
            }
          }
          expect(got).toEqual(mine?.files);
          const outbox = (await core.vault.run('sync.outbox.list', { limit: 1000 })).items;
          expect(outbox).toHaveLength(Math.min(1000, expected));
          expect(await core.vault.run('sync.outbox.stats', {})).toMatchObject({ count: 0, failed: 0 });
          expect(outbox.filter((o) => o.state !== 'sent')).toEqual([]);
        } finally {
          await core.close();
        }
      }
    },
    SCALE.timeoutMs,
  );
});
