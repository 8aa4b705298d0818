import { appendFileSync, existsSync, readFileSync } from 'node:fs';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createCore, type Core } from '../../electron/core';
import type { CallName } from '../../shared/contract/call-names';
import type { CallOutput } from '../../shared/contract/calls';
import type { SignJobStatus } from '../../shared/contract/document-signing-calls';
import { isErrorCode } from '../../shared/contract/errors';
import type { Result } from '../../shared/contract/result';
import { fuzzCorpus, seedPdfs, type FuzzFile } from '../fixtures/pdf-fuzz-corpus';
import { createSoftHsmToken, type SoftHsmToken } from '../fixtures/softhsm';
import { makePdf } from '../fixtures/verifiers';

/**
 * The PDF fuzz run (issue 14): malformed PDFs, mutated from real ones (pdf-lib, Ghostscript,
 * MuPDF, qpdf with object streams, a form, a signed file), go through the real core as the
 * interface sends them — stored as attachments (text indexed through the PDF sandbox), the
 * preview's reads and the sign form's outlook, verification, and signing with a SoftHSM token.
 * Must hold: the core and the vault worker never crash (the vault never locks by itself) or
 * stall past the sandbox's time limit; every file gets a result or a typed error (never
 * E_INTERNAL); afterwards `integrity_check` is ok and the canary documents read back whole
 * after a lock and unlock. The sandbox may crash or time out: those are counted and reported.
 *
 * `EMBASSY_PDF_FUZZ_SCALE`: unset (CI) 150 files (~1–2 min); `full` 1,200 (by hand; the
 * figures are in bench/README.md). `EMBASSY_PDF_FUZZ_SEED` replays another corpus.
 */
const SCALES = { ci: 150, full: 1200 } as const;
const scaleName = (process.env.EMBASSY_PDF_FUZZ_SCALE ?? 'ci') as keyof typeof SCALES;
const COUNT = SCALES[scaleName] ?? SCALES.ci;
const SEED = Number(process.env.EMBASSY_PDF_FUZZ_SEED ?? 0x14);
/** The sandbox's time limit per file in this run; a call may add the core's own work to it. */
const SANDBOX_TIMEOUT_MS = 5_000;
/** Slack for the core's own work around one sandbox request on a loaded 2-core machine. */
const CALL_SLACK_MS = 5_000;
/** The shipped sandbox (the runner builds first): restarts after a crash cost no transpiling. */
const SANDBOX_BUNDLE = join(process.cwd(), 'dist', 'pdf-sandbox', 'pdf-sandbox.cjs');
/** Where progress goes during a long run (one line per 50 files), if set. */
const LOG = process.env.EMBASSY_PDF_FUZZ_LOG;
const progress = (line: string) => {
  if (LOG) appendFileSync(LOG, `${new Date().toISOString()} ${line}\n`);
};

let token: SoftHsmToken;
let core: Core;
let dir: string;
const locks: string[] = [];

async function call<N extends CallName>(name: N, input: unknown): Promise<Result<CallOutput<N>>> {
  return (await core.dispatch(name, input, { transport: 'direct' })) as Result<CallOutput<N>>;
}
async function must<N extends CallName>(name: N, input: unknown): Promise<CallOutput<N>> {
  const r = await call(name, input);
  if (!r.ok) throw new Error(`${name}: ${r.error.code} ${r.error.message}`);
  return r.value;
}

/** Outcome of one step for one file: `ok` or the error code. */
type Outcome = string;
interface Step {
  outcome: Outcome;
  ms: number;
}
async function timed<T>(fn: () => Promise<Result<T>>): Promise<{ step: Step; value?: T }> {
  const t0 = performance.now();
  const r = await fn();
  const step = { outcome: r.ok ? 'ok' : r.error.code, ms: performance.now() - t0 };
  return r.ok ? { step, value: r.value } : { step };
}

async function readAll(id: string): Promise<Buffer> {
  const parts: Buffer[] = [];
  for (let offset = 0; ;) {
    const c = await must('attachments.read', { id, offset });
    const b = Buffer.from(c.base64, 'base64');
    parts.push(b);
    offset += b.length;
    if (c.eof || b.length === 0) return Buffer.concat(parts);
  }
}

async function signOne(documentId: string): Promise<SignJobStatus> {
  const started = await must('sign.documents', {
    documentIds: [documentId],
    token: { label: token.label },
    pin: token.pin,
    reason: 'Fuzz',
  });
  for (;;) {
    const s = await must('sign.progress', { jobId: started.jobId });
    if (s.state !== 'running') return s;
    await new Promise((r) => setTimeout(r, 20));
  }
}

/** Peak resident memory (kB) of processes, sampled from /proc while the run goes. */
function memorySampler(pids: () => readonly number[]) {
  const peaks = { core: 0, sandbox: 0 };
  const vm = (pid: number, field: 'VmRSS' | 'VmHWM') => {
    try {
      const m = new RegExp(`${field}:\\s+(\\d+) kB`).exec(readFileSync(`/proc/${pid}/status`, 'utf8'));
      return m ? Number(m[1]) : 0;
    } catch {
      return 0;
    }
  };
  const sample = () => {
    peaks.core = Math.max(peaks.core, vm(process.pid, 'VmHWM'));
    for (const pid of pids()) peaks.sandbox = Math.max(peaks.sandbox, vm(pid, 'VmHWM'), vm(pid, 'VmRSS'));
  };
  const timer = setInterval(sample, 50);
  return { peaks, stop: () => (clearInterval(timer), sample()) };
}

/** How late the core's event loop runs a 50 ms timer: a parser on this thread would show here. */
function loopLag() {
  let max = 0;
  let last = performance.now();
  const timer = setInterval(() => {
    const now = performance.now();
    max = Math.max(max, now - last - 50);
    last = now;
  }, 50);
  return { max: () => max, stop: () => clearInterval(timer) };
}

const CANARIES = ['ZEBRACANARY', 'OKAPICANARY', 'NARWHALCANARY'];

beforeAll(async () => {
  if (!existsSync(SANDBOX_BUNDLE)) throw new Error('dist missing: run npm run build first');
  token = await createSoftHsmToken({ label: 'Fuzz Signing', keys: ['rsa'] });
  dir = await mkdtemp(join(tmpdir(), 'embassy-pdf-fuzz-'));
  core = createCore({
    profileDir: join(dir, 'profile'),
    version: 'test',
    signing: { tokenHost: { env: token.env }, trust: { anchorFiles: [token.ca.rootPath] } },
    pdfSandbox: {
      timeoutMs: SANDBOX_TIMEOUT_MS,
      maxOldSpaceMb: 256,
      host: { entry: SANDBOX_BUNDLE, execArgv: [] },
    },
    vault: { idleLock: false, onLock: (reason) => locks.push(reason) },
    sync: { background: false },
  });
  await must('vault.create', {
    profile: 'token',
    modulePath: token.modulePath,
    tokenLabel: token.label,
    pin: token.pin,
  });
}, 180_000);

afterAll(async () => {
  await core?.close();
  await token?.cleanup();
  if (dir) await rm(dir, { recursive: true, force: true });
});

describe(`PDF fuzz (${COUNT} files, seed ${SEED})`, () => {
  it(
    'every malformed PDF gets a result or a typed error; the core and the vault survive, the database is intact',
    async () => {
      // Canaries first: documents that must come through whole.
      const canaries: { id: string; attachment: string; bytes: Buffer; word: string }[] = [];
      for (const word of CANARIES) {
        const doc = await must('documents.add', { subject: `Canary ${word}`, classification: 'secret' });
        const pdf = await makePdf(1);
        const text = Buffer.from(
          pdf.toString('latin1').replace('Embassy test document', `${word} document`),
          'latin1',
        );
        const bytes = Buffer.from(text);
        const a = await must('attachments.add', {
          documentId: doc.id,
          source: { kind: 'bytes', base64: bytes.toString('base64') },
          name: `${word}.pdf`,
        });
        canaries.push({ id: doc.id, attachment: a.id, bytes, word });
      }

      // The corpus: seeds made by the tools, plus a PDF the core itself signed.
      const seeds = await seedPdfs(dir);
      const signedSeedDoc = await must('documents.add', { subject: 'Seed to sign' });
      await must('attachments.add', {
        documentId: signedSeedDoc.id,
        source: { kind: 'bytes', base64: (seeds.get('pdf-lib') as Buffer).toString('base64') },
        name: 'seed.pdf',
      });
      const seedJob = await signOne(signedSeedDoc.id);
      expect(seedJob.results[0]?.ok).toBe(true);
      seeds.set('signed', await readAll(seedJob.results[0]?.attachmentId ?? ''));
      const corpus: FuzzFile[] = fuzzCorpus(seeds, COUNT, SEED).filter(
        (f) => f.bytes.length <= 2 * 1024 * 1024,
      );
      expect(corpus.length).toBeGreaterThanOrEqual(Math.floor(COUNT * 0.95));

      const before = core.pdfSandboxStats();
      const memory = memorySampler(() => core.pdfSandboxStats().pids);
      const lag = loopLag();
      const outcomes = new Map<string, Map<Outcome, number>>();
      const count = (step: string, outcome: Outcome) => {
        const m = outcomes.get(step) ?? new Map<Outcome, number>();
        m.set(outcome, (m.get(outcome) ?? 0) + 1);
        outcomes.set(step, m);
      };
      let maxMs = { step: '', file: '', ms: 0 };
      /** Files on which the sandbox crashed or timed out, and in which step. */
      const sandboxFailures: string[] = [];
      let seen = { crashes: before.crashes, timeouts: before.timeouts };
      const check = (file: FuzzFile, name: string, step: Step) => {
        const now = core.pdfSandboxStats();
        if (now.crashes !== seen.crashes || now.timeouts !== seen.timeouts)
          sandboxFailures.push(`${file.name} ${name}: ${now.crashes > seen.crashes ? 'crash' : 'timeout'}`);
        seen = { crashes: now.crashes, timeouts: now.timeouts };
        // A typed error is a code of the contract's list; E_INTERNAL would be a crash in disguise.
        expect(
          step.outcome === 'ok' || (isErrorCode(step.outcome) && step.outcome !== 'E_INTERNAL'),
          `${file.name} ${name}: ${step.outcome}`,
        ).toBe(true);
        expect(step.ms, `${file.name} ${name} took ${Math.round(step.ms)} ms`).toBeLessThan(
          SANDBOX_TIMEOUT_MS + CALL_SLACK_MS,
        );
        count(name, step.outcome);
        if (step.ms > maxMs.ms) maxMs = { step: name, file: file.name, ms: step.ms };
      };

      const t0 = performance.now();
      const stored: { file: FuzzFile; documentId: string }[] = [];
      for (const [i, file] of corpus.entries()) {
        if (i % 50 === 0) progress(`${i}/${corpus.length} ${JSON.stringify(core.pdfSandboxStats())}`);
        const doc = await must('documents.add', { subject: file.name });
        // Indexing: stored, its text read by the sandbox.
        const added = await timed(() =>
          call('attachments.add', {
            documentId: doc.id,
            source: { kind: 'bytes', base64: file.bytes.toString('base64') },
            name: file.name,
          }),
        );
        check(file, 'attachments.add', added.step);
        if (!added.value) continue;
        const id = added.value.id;
        count('indexed', added.value.textIndexed ? 'text' : 'no text');
        // Preview support: the bytes read back as stored, and the sign form's outlook.
        const read = await timed(() => call('attachments.read', { id, offset: 0 }));
        check(file, 'attachments.read', read.step);
        expect(
          Buffer.from(read.value?.base64 ?? '', 'base64').equals(file.bytes.subarray(0, 1024 * 1024)),
        ).toBe(true);
        check(file, 'sign.fields', (await timed(() => call('sign.fields', { attachmentId: id }))).step);
        // Verification.
        const verified = await timed(() => call('verify.attachment', { id }));
        check(file, 'verify.attachment', verified.step);
        if (verified.value) count('verdict', verified.value.verdict);
        stored.push({ file, documentId: doc.id });
      }
      // Signing, one job per file (so each file's time and outcome are its own).
      for (const [i, { file, documentId }] of stored.entries()) {
        if (i % 50 === 0) progress(`signing ${i}/${stored.length} ${JSON.stringify(core.pdfSandboxStats())}`);
        const s0 = performance.now();
        const job = await signOne(documentId);
        const result = job.results[0];
        const step = {
          outcome:
            job.state === 'done' && result
              ? result.ok
                ? 'ok'
                : (result.error?.code ?? 'no code')
              : `job ${job.state} ${job.error?.code ?? ''}`,
          ms: performance.now() - s0,
        };
        check(file, 'sign.documents', step);
        // What we signed, we can verify.
        if (result?.ok && result.attachmentId) {
          const again = await timed(() => call('verify.attachment', { id: result.attachmentId }));
          check(file, 'verify signed', again.step);
          if (again.value) count('verdict of signed', again.value.verdict);
        }
      }
      const elapsed = performance.now() - t0;
      lag.stop();
      memory.stop();
      const stats = core.pdfSandboxStats();

      // The core and the vault worker are alive and the vault never locked by itself.
      expect(locks).toEqual([]);
      expect((await must('vault.status', {})).state).toBe('unlocked');
      expect(lag.max()).toBeLessThan(SANDBOX_TIMEOUT_MS);
      // The database is intact, and the canaries come back whole after a lock and an unlock.
      expect((await core.vault.run('integrityCheck', {})).result).toBe('ok');
      await must('vault.lock', {});
      await must('vault.unlock', { pin: token.pin });
      for (const c of canaries) {
        const detail = await must('documents.get', { id: c.id });
        expect(detail.document.subject).toBe(`Canary ${c.word}`);
        expect((await readAll(c.attachment)).equals(c.bytes)).toBe(true);
        const hits = await must('search', { query: c.word.toLowerCase() });
        expect(JSON.stringify(hits)).toContain(c.id);
      }
      expect((await core.vault.run('integrityCheck', {})).result).toBe('ok');

      const byKind = new Map<string, number>();
      for (const f of corpus) byKind.set(f.kind, (byKind.get(f.kind) ?? 0) + 1);
      const report = {
        files: corpus.length,
        seeds: [...seeds.keys()],
        kinds: Object.fromEntries(byKind),
        stored: stored.length,
        outcomes: Object.fromEntries([...outcomes].map(([k, v]) => [k, Object.fromEntries(v)])),
        maxCall: { ...maxMs, ms: Math.round(maxMs.ms) },
        sandbox: {
          starts: stats.starts - before.starts,
          crashes: stats.crashes - before.crashes,
          timeouts: stats.timeouts - before.timeouts,
          requests: stats.requests - before.requests,
          peakRssMiB: Math.round(memory.peaks.sandbox / 1024),
          failures: sandboxFailures,
        },
        corePeakRssMiB: Math.round(memory.peaks.core / 1024),
        coreLoopLagMaxMs: Math.round(lag.max()),
        elapsedS: Math.round(elapsed / 1000),
      };
      progress(JSON.stringify(report));
      console.log(`PDF fuzz report: ${JSON.stringify(report, null, 2)}`);
    },
    scaleName === 'full' ? 4 * 3600_000 : 600_000,
  );
});
