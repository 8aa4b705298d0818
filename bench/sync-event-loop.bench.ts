import { spawn, type ChildProcess } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createInterface } from 'node:readline';
import type { SoftHsmToken } from '../tests/fixtures/softhsm';
import { makeOfficers, newOfficer, type Officer } from '../tests/integration/sync-harness';
import { must } from '../tests/integration/vault-harness';
import { lagDuring, type Bench, type Figure } from './figures';

/**
 * Event-loop lag of the core's main thread during sync. Two officers on SoftHSM tokens with
 * in-process cores (this thread is the core's main thread, as in the Electron main process;
 * the vault works in its worker), the relay in a child process (`hq serve` under tsx, so its
 * TLS and SQLite commits are not on this loop), loopback, no proxy. The sender queues
 * `EMBASSY_BENCH_LAG_MESSAGES` messages (default 200) and `EMBASSY_BENCH_LAG_MB` MB of
 * attachments (default 20, two documents); then one round uploads everything and one round
 * on the other side downloads, opens and stores it. `monitorEventLoopDelay` (1 ms resolution)
 * samples the loop during each round; figures are the delay beyond the 1 ms timer, p50 / p99 /
 * max in ms. Baseline: the same monitor over 3 s with both cores open and idle, same run.
 * Goal: p99 < 20 ms during sync.
 */
const MESSAGES = Number(process.env.EMBASSY_BENCH_LAG_MESSAGES ?? '200');
const MB = Number(process.env.EMBASSY_BENCH_LAG_MB ?? '20');
const ENTRY = join(process.cwd(), 'electron', 'cli', 'embassy-main.ts');

async function startRelayProcess(
  dataDir: string,
  rootPath: string,
): Promise<{ child: ChildProcess; url: string; fingerprint: string }> {
  const child = spawn(
    process.execPath,
    [
      '--import',
      'tsx',
      ENTRY,
      'hq',
      'serve',
      '--data',
      dataDir,
      '--listen',
      '127.0.0.1:0',
      '--json',
      '--quiet',
      '--trust-ca',
      rootPath,
    ],
    { stdio: ['ignore', 'pipe', 'inherit'] },
  );
  const first = await new Promise<string>((res, rej) => {
    createInterface({ input: child.stdout as NonNullable<typeof child.stdout> }).once('line', res);
    child.once('exit', () => rej(new Error('hq serve exited early')));
  });
  return { child, ...(JSON.parse(first) as { url: string; fingerprint: string }) };
}

const bench: Bench = async () => {
  const scratch = mkdtempSync(join(tmpdir(), 'embassy-bench-lag-'));
  const { tokens, rootPath } = await makeOfficers([
    { name: 'Nguyen Van An', email: 'an.nguyen@mission.example', label: 'lag-an' },
    { name: 'Tran Thi Binh', email: 'binh.tran@hq.example', label: 'lag-binh' },
  ]);
  const relay = await startRelayProcess(join(scratch, 'relay'), rootPath);
  const officers: Officer[] = [];
  try {
    const [a, b] = tokens as [SoftHsmToken, SoftHsmToken];
    officers.push(await newOfficer(a, 'Nguyen Van An', 'an.nguyen@mission.example'));
    officers.push(await newOfficer(b, 'Tran Thi Binh', 'binh.tran@hq.example'));
    const [sender, receiver] = officers as [Officer, Officer];
    for (const o of officers) {
      await must(o.core, 'sync.enroll', {
        hqUrl: relay.url,
        fingerprint: relay.fingerprint,
        token: { label: o.token.label },
        pin: o.token.pin,
      });
    }
    for (const o of [sender, receiver, sender]) await must(o.core, 'sync.now', {});

    for (let i = 0; i < MESSAGES; i++) {
      await must(sender.core, 'sync.send', {
        kind: 'message',
        to: [receiver.email],
        title: `Công điện ${i}`,
        text: `Kính gửi Vụ Lãnh sự: đề nghị xác nhận hồ sơ số ${i}. Trân trọng.`,
      });
    }
    const docs = 2;
    for (let k = 0; k < docs; k++) {
      const file = join(scratch, `dinh-kem-${k}.bin`);
      writeFileSync(file, randomBytes(Math.round((MB * 1e6) / docs)));
      const doc = await must(sender.core, 'documents.add', {
        subject: `Hồ sơ ${k}`,
        direction: 'outgoing',
        classification: 'confidential',
      });
      await must(sender.core, 'attachments.add', {
        documentId: doc.id,
        source: { kind: 'path', path: file },
      });
      await must(sender.core, 'sync.send', { kind: 'document', to: [receiver.email], documentId: doc.id });
    }

    const idle = await lagDuring(() => new Promise((r) => setTimeout(r, 3000)));
    const up = await lagDuring(() => must(sender.core, 'sync.now', {}));
    const sent = sender.core.sync.lastRound();
    const down = await lagDuring(() => must(receiver.core, 'sync.now', {}));
    const got = receiver.core.sync.lastRound();
    if (sent?.sent !== MESSAGES + docs || got?.received !== MESSAGES + docs) {
      throw new Error(`round did not move everything: ${JSON.stringify({ sent, got })}`);
    }

    const what = `${MESSAGES} messages + ${MB} MB in ${docs} documents, loopback, relay in a child process`;
    const figures: Figure[] = [];
    for (const [name, r, note] of [
      ['idle', idle, 'baseline: both cores open, no round, 3 s, same run'],
      ['upload round', up, `sender's round: ${what}`],
      ['download round', down, `receiver's round: download, open, store, ack; ${what}`],
    ] as const) {
      figures.push(
        { name: `${name}: loop delay p50`, value: r.p50, unit: 'ms', note },
        {
          name: `${name}: loop delay p99`,
          value: r.p99,
          unit: 'ms',
          ...(name === 'idle' ? {} : { note: 'goal < 20 ms' }),
        },
        { name: `${name}: loop delay max`, value: r.max, unit: 'ms' },
        { name: `${name}: duration`, value: r.seconds, unit: 's', note: `${r.samples} samples` },
      );
    }
    return figures;
  } finally {
    for (const o of officers) await o.core.close();
    relay.child.kill('SIGTERM');
    for (const t of tokens) await t.cleanup();
    rmSync(scratch, { recursive: true, force: true });
  }
};

export default bench;
