import { execFile } from 'node:child_process';
import { X509Certificate } from 'node:crypto';
import { mkdir, mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { monitorEventLoopDelay } from 'node:perf_hooks';
import { promisify } from 'node:util';
import { createSigningService } from '../electron/core/signing/signing-service';
import { verifyPdf } from '../electron/core/signing/verify';
import { createSoftHsmToken } from '../tests/fixtures/softhsm';
import { makePdf, nssDbTrusting } from '../tests/fixtures/verifiers';
import type { Bench } from './figures';
import { pdfSandbox } from '../tests/fixtures/pdf-sandbox';

const run = promisify(execFile);
const N = Number(process.env.SIGNING_BENCH_N ?? 100);

/**
 * A batch of N one-megabyte PDFs signed on a SoftHSM2 token through the token process, against
 * `openssl cms -sign` with the same RSA-2048 key as a file on the same inputs (the key was made
 * by openssl and imported into the token, so both sides use one key). Then our verification
 * against pdfsig on the same signed files, and the event-loop lag of this (calling) process
 * while the batch runs: the token work happens in the token process.
 */
const bench: Bench = async () => {
  const token = await createSoftHsmToken({ keys: ['rsa-sw'] });
  const dir = await mkdtemp(join(tmpdir(), 'embassy-bench-sign-'));
  const root = new X509Certificate(token.ca.rootPem);
  const service = createSigningService({
    modulePath: token.modulePath,
    tokenHost: { env: token.env },
    trust: () => ({ anchors: [root] }),
  });
  try {
    const pdf = await makePdf(1, 1024 * 1024 - 4000);
    await mkdir(join(dir, 'in'));
    await mkdir(join(dir, 'pades'));
    await mkdir(join(dir, 'cades'));
    await mkdir(join(dir, 'openssl'));
    const inputs: string[] = [];
    for (let i = 0; i < N; i++) {
      const p = join(dir, 'in', `doc-${i}.pdf`);
      await writeFile(p, pdf);
      inputs.push(p);
    }
    const sw = token.keys['rsa-sw'];
    if (!sw?.privateKeyPath) throw new Error('fixture without software key');
    // Warm the token process and the first login outside the timing.
    await service.signFiles({
      jobs: [{ input: inputs[0] as string, output: join(dir, 'warm.pdf'), format: 'pades' }],
      token: { label: token.label },
      keyId: sw.id,
      pin: token.pin,
    });

    const lag = monitorEventLoopDelay({ resolution: 1 });
    lag.enable();
    let t0 = performance.now();
    const pades = await service.signFiles({
      jobs: inputs.map((input, i) => ({
        input,
        output: join(dir, 'pades', `doc-${i}.pdf`),
        format: 'pades',
      })),
      token: { label: token.label },
      keyId: sw.id,
      pin: token.pin,
    });
    const padesMs = performance.now() - t0;
    lag.disable();
    if (!pades.every((r) => r.ok)) throw new Error('a PAdES signature failed');

    t0 = performance.now();
    await service.signFiles({
      jobs: inputs.map((input, i) => ({
        input,
        output: join(dir, 'cades', `doc-${i}.pdf.p7s`),
        format: 'cades',
      })),
      token: { label: token.label },
      keyId: sw.id,
      pin: token.pin,
    });
    const cadesMs = performance.now() - t0;

    t0 = performance.now();
    for (const [i, input] of inputs.entries()) {
      await run('openssl', [
        'cms', '-sign', '-binary', '-md', 'sha256', '-in', input, '-signer', sw.certPath, '-inkey', sw.privateKeyPath,
        '-certfile', token.ca.intermediatePath, '-outform', 'DER', '-out', join(dir, 'openssl', `doc-${i}.p7s`),
      ]); // prettier-ignore
    }
    const opensslMs = performance.now() - t0;

    const signed = inputs.map((_, i) => join(dir, 'pades', `doc-${i}.pdf`));
    t0 = performance.now();
    for (const p of signed) {
      const r = await verifyPdf(await readFile(p), { anchors: [root] }, pdfSandbox());
      if (r.verdict !== 'valid') throw new Error(`our verifier: ${r.verdict}`);
    }
    const oursVerifyMs = performance.now() - t0;
    const nss = await nssDbTrusting([token.ca.rootPath]);
    t0 = performance.now();
    for (const p of signed) {
      const { stdout } = await run('pdfsig', ['-nssdir', `sql:${nss}`, p]);
      if (!stdout.includes('Signature is Valid.')) throw new Error('pdfsig disagrees');
    }
    const pdfsigMs = performance.now() - t0;
    await rm(nss, { recursive: true, force: true });

    const per = (ms: number) => ms / N;
    return [
      {
        name: 'documents',
        value: N,
        unit: 'files',
        note: `${(pdf.length / 1048576).toFixed(2)} MiB PDFs, RSA-2048 on SoftHSM2`,
      },
      {
        name: 'ours PAdES per document',
        value: per(padesMs),
        unit: 'ms',
        note: 'batch, one C_Login, atomic writes',
      },
      {
        name: 'ours CAdES per document',
        value: per(cadesMs),
        unit: 'ms',
        note: 'detached .p7s, same inputs',
      },
      {
        name: 'openssl cms -sign per document',
        value: per(opensslMs),
        unit: 'ms',
        note: 'same key as a file, one process per file',
      },
      { name: 'ours PAdES / openssl (ratio)', value: padesMs / opensslMs, unit: '×', note: 'goal ≤ 2' },
      { name: 'ours CAdES / openssl (ratio)', value: cadesMs / opensslMs, unit: '×' },
      {
        name: 'ours verify per document',
        value: per(oursVerifyMs),
        unit: 'ms',
        note: 'PAdES, path to the root',
      },
      { name: 'pdfsig per document', value: per(pdfsigMs), unit: 'ms', note: 'NSS db with the root' },
      { name: 'ours verify / pdfsig (ratio)', value: oursVerifyMs / pdfsigMs, unit: '×', note: 'goal ≤ 1' },
      {
        name: 'event-loop lag p99 during batch',
        value: lag.percentile(99) / 1e6,
        unit: 'ms',
        note: 'calling process; goal < 20',
      },
      { name: 'event-loop lag max during batch', value: lag.max / 1e6, unit: 'ms' },
    ];
  } finally {
    await service.close();
    await token.cleanup();
    await rm(dir, { recursive: true, force: true });
  }
};

export default bench;
