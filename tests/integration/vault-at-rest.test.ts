import { spawn } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { lstatSync, mkdtempSync, readdirSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { createCore } from '../../electron/core';
import { must, PASSPHRASE } from './vault-harness';

/**
 * No plaintext at rest, and crash consistency, with the import running in a real child
 * process (the real core, worker and SQLCipher) that is killed with SIGKILL mid-import.
 */
const CHILD = join(process.cwd(), 'tests/fixtures/vault-bulk-child.ts');

interface ChildRun {
  acked: string[];
  integrity: string | null;
  /** Bytes in the rollback journal right after the kill: > 0 is a hot journal (a transaction cut). */
  hotJournal: number;
}

/** Runs the child until `ackTarget` batches were acknowledged (plus a random delay), then kill -9. */
function runAndKill(
  profileDir: string,
  mode: 'create' | 'unlock',
  options: { seed: number; canaries?: object; ackTarget: number; extraMs: number; env?: NodeJS.ProcessEnv },
): Promise<ChildRun> {
  return new Promise((resolve, reject) => {
    const args = ['--import', 'tsx', CHILD, profileDir, mode, String(options.seed)];
    if (options.canaries) args.push(JSON.stringify(options.canaries));
    const child = spawn(process.execPath, args, {
      stdio: ['pipe', 'pipe', 'pipe'],
      env: options.env ?? process.env,
    });
    const run: ChildRun = { acked: [], integrity: null, hotJournal: 0 };
    let buffered = '';
    let stderr = '';
    let killing = false;
    child.stdout.on('data', (d: Buffer) => {
      buffered += d.toString();
      let nl: number;
      while ((nl = buffered.indexOf('\n')) !== -1) {
        const line = buffered.slice(0, nl);
        buffered = buffered.slice(nl + 1);
        if (line.startsWith('READY ')) run.integrity = line.slice(6);
        // An id counts only once its whole line arrived: the child printed it after the commit.
        if (line.startsWith('ACK ')) run.acked.push(...line.slice(4).split(','));
        if (!killing && run.acked.length >= options.ackTarget * 5) {
          killing = true;
          setTimeout(() => child.kill('SIGKILL'), options.extraMs);
        }
      }
    });
    child.stderr.on('data', (d: Buffer) => (stderr += d.toString()));
    child.on('exit', (code, signal) => {
      if (signal === 'SIGKILL') {
        try {
          run.hotJournal = statSync(join(profileDir, 'vault', 'vault.db-journal')).size;
        } catch {
          run.hotJournal = 0;
        }
        resolve(run);
      } else reject(new Error(`child exited ${code}: ${stderr}`));
    });
    child.stdin.end(`${PASSPHRASE}\n`);
  });
}

/** Every regular file below `dir` (depth-bounded), optionally only those modified since `since`. */
function filesUnder(dir: string, since = 0, depth = 6): string[] {
  if (depth < 0) return [];
  let names: string[];
  try {
    names = readdirSync(dir);
  } catch {
    return [];
  }
  const out: string[] = [];
  for (const name of names) {
    const path = join(dir, name);
    let st;
    try {
      st = lstatSync(path);
    } catch {
      continue;
    }
    if (st.isDirectory()) out.push(...filesUnder(path, since, depth - 1));
    else if (st.isFile() && st.mtimeMs >= since && st.size < 512 * 1024 * 1024) out.push(path);
  }
  return out;
}

/** The byte patterns one canary can leave: UTF-8 and UTF-16LE, NFC and NFD, and FTS's folded lowercase. */
function patterns(canary: string): Buffer[] {
  const forms = new Set([canary, canary.normalize('NFC'), canary.normalize('NFD'), canary.toLowerCase()]);
  const folded = canary
    .normalize('NFD')
    .replace(/\p{M}/gu, '')
    .replace(/đ/g, 'd')
    .replace(/Đ/g, 'D')
    .toLowerCase();
  forms.add(folded);
  return [...forms].flatMap((f) => [Buffer.from(f, 'utf8'), Buffer.from(f, 'utf16le')]);
}

function findCanaries(files: readonly string[], canaries: readonly string[]): string[] {
  const found: string[] = [];
  const all = canaries.map((c) => ({ c, p: patterns(c) }));
  for (const file of files) {
    let bytes: Buffer;
    try {
      bytes = readFileSync(file);
    } catch {
      continue;
    }
    for (const { c, p } of all)
      if (p.some((pattern) => bytes.includes(pattern))) found.push(`${c} in ${file}`);
  }
  return found;
}

// Made at run time: a canary written literally here would sit in vitest's transform cache in
// the temp folder and be "found" there.
const run = randomBytes(4).toString('hex');
const CANARIES = {
  subject: `Zq${run}subject`,
  body: `Zq${run}body`,
  party: `Zq${run}party`,
  message: `Zq${run}message`,
  attachment: `Zq${run}attachment`,
  search: `Zq${run}search`,
};
/** Vietnamese with stacked diacritics and đ: grepped as NFC, NFD, UTF-16 and folded. */
const VIETNAMESE_CANARY = `Đặc${run}biệtữ`;

describe('no plaintext at rest', () => {
  it('no canary in any file of the profile or the temp folder: after kill -9 mid-import and after a clean close', async () => {
    const started = Date.now() - 1000;
    const profileDir = mkdtempSync(join(tmpdir(), 'embassy-at-rest-'));
    const canaries = { ...CANARIES, body: `${CANARIES.body} ${VIETNAMESE_CANARY}` };
    const child = await runAndKill(profileDir, 'create', { seed: 7, canaries, ackTarget: 4, extraMs: 120 });
    expect(child.acked.length).toBeGreaterThanOrEqual(20);
    const all = [...Object.values(CANARIES), VIETNAMESE_CANARY];
    // The files exist and hold data (the test can fail): the database, its WAL, the key file.
    const profileFiles = filesUnder(profileDir);
    expect(profileFiles.some((f) => f.endsWith('vault.db'))).toBe(true);
    expect(profileFiles.some((f) => f.endsWith('vault.key'))).toBe(true);
    const afterKill = [...profileFiles, ...filesUnder(tmpdir(), started)];
    expect(findCanaries(afterKill, all)).toEqual([]);

    // Clean open, search for the canaries (in memory, in the worker), clean close.
    const core = createCore({ profileDir, version: 'test' });
    await must(core, 'vault.unlock', { passphrase: PASSPHRASE });
    const hits = await must(core, 'search', { query: CANARIES.message });
    expect(hits.hits.length).toBeGreaterThan(0); // the canaries are really in the vault
    expect((await must(core, 'search', { query: `dac${run}bietu` })).hits.length).toBeGreaterThan(0);
    await must(core, 'search', { query: CANARIES.search });
    await core.vault.dispose();
    const afterClose = [...filesUnder(profileDir), ...filesUnder(tmpdir(), started)];
    expect(findCanaries(afterClose, all)).toEqual([]);

    // The scan does find a canary where one is, in each encoding it claims to look for.
    const probeDir = mkdtempSync(join(tmpdir(), 'embassy-probe-'));
    const probe = join(probeDir, 'probe.bin');
    for (const encoded of [
      Buffer.from(VIETNAMESE_CANARY.normalize('NFD'), 'utf16le'),
      Buffer.from(`x ${VIETNAMESE_CANARY.normalize('NFC')} y`),
      Buffer.from(`dac${run}bietu`),
    ]) {
      writeFileSync(probe, encoded);
      expect(findCanaries([probe], [VIETNAMESE_CANARY])).toHaveLength(1);
    }
    rmSync(probeDir, { recursive: true });
  }, 60_000);
});

describe('crash consistency', () => {
  it('20 × kill -9 during bulk import: integrity_check ok and every acknowledged item present', async () => {
    const profileDir = mkdtempSync(join(tmpdir(), 'embassy-crash-'));
    const acked: string[] = [];
    let hotJournals = 0;
    for (let i = 0; i < 20; i++) {
      const run = await runAndKill(profileDir, i === 0 ? 'create' : 'unlock', {
        seed: 100 + i,
        ackTarget: 1,
        // Kill at a random point of a later batch's transaction.
        extraMs: Math.floor(Math.random() * 60),
      });
      // Each restart recovered (hot journal rollback) and ran integrity_check on what the previous kill left.
      if (i > 0) expect(run.integrity, `restart ${i}`).toBe('ok');
      acked.push(...run.acked);
      if (run.hotJournal > 0) hotJournals++;
    }
    // Bulk import commits through a rollback journal (vault-db.ts, BULK_JOURNAL_MODE): kills
    // that cut a transaction leave a hot journal, which the next open rolled back.
    console.log(`crash consistency: ${hotJournals} of 20 kills left a hot journal`);
    expect(hotJournals).toBeGreaterThan(0);
    const core = createCore({ profileDir, version: 'test' });
    await must(core, 'vault.unlock', { passphrase: PASSPHRASE });
    expect((await core.vault.run('integrityCheck', {})).result).toBe('ok');
    const missing: string[] = [];
    for (const id of acked) {
      const r = await core.dispatch('documents.get', { id }, { transport: 'direct' });
      if (!r.ok) missing.push(id);
    }
    expect(acked.length).toBeGreaterThanOrEqual(100);
    expect(missing).toEqual([]);
    await core.vault.dispose();
  }, 240_000);
});
