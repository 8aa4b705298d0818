import { execFile } from 'node:child_process';
import { X509Certificate } from 'node:crypto';
import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { appendDss } from '../electron/core/pdf-sandbox/host/pdf-ltv';
import { createSigningService, verifyPdf } from '../electron/core/signing';
import { appendUpdate } from '../tests/fixtures/pdf-updates';
import { createSoftHsmToken } from '../tests/fixtures/softhsm';
import { makePdf, nssDbTrusting } from '../tests/fixtures/verifiers';
import type { Bench } from './figures';
import { pdfSandbox } from '../tests/fixtures/pdf-sandbox';

const run = promisify(execFile);
const N = Number(process.env.PDF_MODIFICATION_BENCH_N ?? 50);

/**
 * Verification with modification analysis against pdfsig on the same files: a 1 MiB PDF
 * signed twice on a SoftHSM2 token and given a DSS (so the first signature has two later
 * revisions to classify, both allowed), and the same file with its page content replaced in
 * one more revision (found and pinned to page 1). Each file is verified N times by each tool,
 * interleaved, after one untimed run; pdfsig checks the signatures and the chain but
 * classifies nothing.
 */
const bench: Bench = async () => {
  const token = await createSoftHsmToken({ keys: ['ec'] });
  const dir = await mkdtemp(join(tmpdir(), 'embassy-bench-mod-'));
  const root = new X509Certificate(token.ca.rootPem);
  const service = createSigningService({
    modulePath: token.modulePath,
    tokenHost: { env: token.env },
    trust: () => ({ anchors: [root] }),
  });
  try {
    const sign = async (input: string, output: string) => {
      const [r] = await service.signFiles({
        jobs: [{ input, output, format: 'pades' }],
        token: { label: token.label },
        pin: token.pin,
      });
      if (!r?.ok) throw new Error('signing failed');
    };
    await writeFile(join(dir, 'in.pdf'), await makePdf(1, 1024 * 1024 - 4000));
    await sign(join(dir, 'in.pdf'), join(dir, 'once.pdf'));
    await sign(join(dir, 'once.pdf'), join(dir, 'twice.pdf'));
    const chain = [token.keys.ec?.certPem ?? '', token.ca.intermediatePem].map(
      (p) => new X509Certificate(p).raw,
    );
    const allowed = appendDss(await readFile(join(dir, 'twice.pdf')), { certs: chain, crls: [] });
    await writeFile(join(dir, 'allowed.pdf'), allowed);
    // pdf-lib's sample: object 6 is the page's content stream.
    const content = 'BT /F1 24 Tf 50 700 Td (PAY 1000000 USD) Tj ET';
    const changed = appendUpdate(allowed, [
      { num: 6, body: `<< /Length ${content.length} >>\nstream\n${content}\nendstream` },
    ]);
    await writeFile(join(dir, 'changed.pdf'), changed);
    const nss = await nssDbTrusting([token.ca.rootPath]);

    const figures = [];
    for (const [name, expected] of [
      ['allowed', 'valid'],
      ['changed', 'invalid'],
    ] as const) {
      const file = join(dir, `${name}.pdf`);
      // One untimed run each: module loading and JIT warm-up, NSS's first open.
      await verifyPdf(await readFile(file), { anchors: [root] }, pdfSandbox());
      await run('pdfsig', ['-nssdir', `sql:${nss}`, file]);
      // Interleaved, so both tools see the same load on a shared machine.
      let ours = 0;
      let theirs = 0;
      for (let i = 0; i < N; i++) {
        let t0 = performance.now();
        const r = await verifyPdf(await readFile(file), { anchors: [root] }, pdfSandbox());
        ours += performance.now() - t0;
        if (r.verdict !== expected) throw new Error(`our verifier: ${r.verdict} for ${name}`);
        t0 = performance.now();
        const { stdout } = await run('pdfsig', ['-nssdir', `sql:${nss}`, file]);
        theirs += performance.now() - t0;
        if ((stdout.match(/Signature is Valid\./g) ?? []).length !== 2) throw new Error('pdfsig disagrees');
      }
      ours /= N;
      theirs /= N;
      figures.push(
        {
          name: `${name}: ours verify + analysis`,
          value: ours,
          unit: 'ms',
          note: `${(allowed.length / 1048576).toFixed(2)} MiB, 2 signatures`,
        },
        { name: `${name}: pdfsig`, value: theirs, unit: 'ms', note: 'NSS db with the root' },
        { name: `${name}: ours / pdfsig (ratio)`, value: ours / theirs, unit: '×', note: 'goal ≤ 1' },
      );
    }
    await rm(nss, { recursive: true, force: true });
    return figures;
  } finally {
    await service.close();
    await token.cleanup();
    await rm(dir, { recursive: true, force: true });
  }
};

export default bench;
