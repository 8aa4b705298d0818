import { existsSync, readdirSync, readFileSync, readlinkSync } from 'node:fs';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { deflateSync } from 'node:zlib';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createCore, type Core } from '../../electron/core';
import { createPdfSandbox } from '../../electron/core/pdf-sandbox';
import { buildPdf } from '../fixtures/attack-pdfs';
import { makePdf } from '../fixtures/verifiers';

/**
 * The PDF sandbox as an attacker meets it: a file that eats memory ends the sandbox, not the
 * core, and is that file's E_PDF_PARSER_FAILED; a stalled parser is killed at the time limit
 * (E_PDF_TIMEOUT) and the next file gets a fresh process; a sandbox that answers out of its
 * schema is not believed; and the process has no key, no database handle and no environment
 * of ours.
 * The shipped bundle is used (the runner builds first).
 */
const BUNDLE = join(process.cwd(), 'dist', 'pdf-sandbox', 'pdf-sandbox.cjs');
const host = { entry: BUNDLE, execArgv: [] as string[] };
let dir: string;

/** One page whose content inflates to one string of `mib` MiB (the lexer holds it whole). */
function inflateBomb(mib: number): Buffer {
  const text = Buffer.alloc(mib * 1024 * 1024 + 8, 'A');
  text.write('BT (', 0, 'latin1');
  text.write(') Tj ET', text.length - 7, 'latin1');
  const data = deflateSync(text, { level: 9 });
  return buildPdf([
    { num: 1, body: '<< /Type /Catalog /Pages 2 0 R >>' },
    { num: 2, body: '<< /Type /Pages /Kids [3 0 R] /Count 1 >>' },
    { num: 3, body: '<< /Type /Page /Parent 2 0 R /MediaBox [0 0 595 842] /Contents 4 0 R >>' },
    {
      num: 4,
      body: `<< /Length ${data.length} /Filter /FlateDecode >>\nstream\n${data.toString('latin1')}\nendstream`,
    },
  ]);
}

beforeAll(async () => {
  if (!existsSync(BUNDLE)) throw new Error('dist missing: run npm run build first');
  dir = await mkdtemp(join(tmpdir(), 'embassy-pdf-sandbox-'));
});
afterAll(async () => {
  if (dir) await rm(dir, { recursive: true, force: true });
});

describe('PDF sandbox limits', () => {
  it('a file that exhausts the heap limit fails alone (E_PDF_PARSER_FAILED); the next file is read by a new process', async () => {
    const sandbox = createPdfSandbox({ host, maxOldSpaceMb: 48, timeoutMs: 60_000 });
    try {
      const good = await makePdf(1);
      expect(await sandbox.text(good, 10_000)).toContain('Note verbale 1');
      // One 200 MiB string: far past a 48 MiB heap.
      await expect(sandbox.text(inflateBomb(200), 10_000_000)).rejects.toMatchObject({
        code: 'E_PDF_PARSER_FAILED',
      });
      expect(sandbox.stats().crashes).toBe(1);
      expect(await sandbox.text(good, 10_000)).toContain('Note verbale 1');
      expect(sandbox.stats().starts).toBe(2);
    } finally {
      await sandbox.close();
    }
  }, 120_000);

  it('a stalled parser is killed at the time limit (E_PDF_TIMEOUT), and only that file fails', async () => {
    const sandbox = createPdfSandbox({ host, timeoutMs: 3_000 });
    try {
      const good = await makePdf(1);
      await sandbox.outlook(good);
      const pid = sandbox.stats().pids[0] as number;
      // Freeze it as an endless loop in the parser would: it answers nothing.
      process.kill(pid, 'SIGSTOP');
      const t0 = Date.now();
      await expect(sandbox.outlook(good)).rejects.toMatchObject({ code: 'E_PDF_TIMEOUT' });
      const waited = Date.now() - t0;
      expect(waited).toBeGreaterThanOrEqual(2_900);
      expect(waited).toBeLessThan(8_000);
      // Killed (a stopped process still dies of SIGKILL), and the next file gets a new one.
      await new Promise((r) => setTimeout(r, 200));
      expect(
        existsSync(`/proc/${pid}`) && readFileSync(`/proc/${pid}/stat`, 'utf8').split(' ')[2] !== 'Z',
      ).toBe(false);
      expect((await sandbox.outlook(good)).pageCount).toBe(1);
      expect(sandbox.stats()).toMatchObject({ timeouts: 1, starts: 2 });
    } finally {
      await sandbox.close();
    }
  }, 60_000);

  it('a sandbox that answers outside its schema is not believed (a compromised parser)', async () => {
    // A real process speaking the protocol, but lying: signature facts with a byte range that
    // is not a tuple of offsets, and "text" that is a number.
    const liar = join(dir, 'liar.cjs');
    await writeFile(
      liar,
      `process.on('message', (m) => process.send({ id: m.id, ok: true, value: m.op === 'text' ? { text: 42 } : { format: 'ok', permission: 'approval', signatures: [{ fieldName: 'x', misplacedCertification: false, signed: { ok: true, byteRange: [0, -5, 'a'], contents: 'no', revisionIndex: 0, later: false, findings: [] } }], dss: { certs: [], crls: [] } } }));
       process.on('disconnect', () => process.exit(0));`,
    );
    const sandbox = createPdfSandbox({ host: { entry: liar, execArgv: [] }, timeoutMs: 10_000 });
    try {
      const pdf = await makePdf(1);
      await expect(sandbox.text(pdf, 100)).rejects.toMatchObject({ code: 'E_PDF_PARSER_FAILED' });
      await expect(sandbox.signatures(pdf)).rejects.toMatchObject({ code: 'E_PDF_PARSER_FAILED' });
    } finally {
      await sandbox.close();
    }
  }, 30_000);
});

describe('PDF sandbox isolation', () => {
  let core: Core;
  afterAll(async () => {
    await core?.close();
  });

  it('holds no key, no database handle and no environment of ours, while the vault is unlocked', async () => {
    core = createCore({
      profileDir: join(dir, 'profile'),
      version: 'test',
      pdfSandbox: { host },
      vault: { idleLock: false },
      sync: { background: false },
    });
    const must = async (name: string, input: unknown) => {
      const r = await core.dispatch(name as never, input, { transport: 'direct' });
      if (!r.ok) throw new Error(`${name}: ${r.error.code}`);
      return r.value as { id: string; textIndexed?: boolean };
    };
    await must('vault.create', { profile: 'passphrase', passphrase: 'correct horse battery staple' });
    const doc = await must('documents.add', { subject: 'Sandbox isolation' });
    const added = await must('attachments.add', {
      documentId: doc.id,
      source: { kind: 'bytes', base64: (await makePdf(1)).toString('base64') },
      name: 'note.pdf',
    });
    expect(added.textIndexed).toBe(true);
    const pid = core.pdfSandboxStats().pids.at(-1) as number;
    // Only Node's own IPC channel variables: nothing of ours (no secret can be in its environment).
    const environ = readFileSync(`/proc/${pid}/environ`, 'utf8').split('\0').filter(Boolean);
    expect(environ.every((v) => v.startsWith('NODE_CHANNEL_'))).toBe(true);
    expect(environ.length).toBeLessThanOrEqual(2);
    const open = readdirSync(`/proc/${pid}/fd`).map((fd) => {
      try {
        return readlinkSync(`/proc/${pid}/fd/${fd}`);
      } catch {
        return '';
      }
    });
    expect(open.filter((target) => target.includes(dir))).toEqual([]);
    // The core itself does hold the database (in its worker thread): the check can fail.
    const ours = readdirSync('/proc/self/fd').map((fd) => {
      try {
        return readlinkSync(`/proc/self/fd/${fd}`);
      } catch {
        return '';
      }
    });
    expect(ours.some((target) => target.includes('vault.db'))).toBe(true);
  }, 120_000);
});
