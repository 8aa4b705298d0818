import { execFile } from 'node:child_process';
import { sign, X509Certificate } from 'node:crypto';
import { existsSync } from 'node:fs';
import { readFile, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { runCli } from '../../electron/cli/embassy';
import { signPades } from '../../electron/core/signing/pades';
import type { Signer } from '../../electron/core/signing/signer';
import { addValidationData } from '../../electron/core/signing/validation-data';
import { verifyPdf, type TrustSettings, type VerifyReport } from '../../electron/core/signing/verify';
import {
  createChainBuilder,
  opensslTime,
  SIGNER_EXTENSIONS,
  type ChainBuilder,
  type IssuedCert,
} from '../fixtures/chain-builder';
import { pdfSandbox } from '../fixtures/pdf-sandbox';
import { createTestTsa, serveTsa, type TestTsa } from '../fixtures/tsa';
import { makePdf, nssDbTrusting, pdfsig } from '../fixtures/verifiers';

/**
 * PAdES B-LT: a signer whose certificate publishes a CRL distribution point (so a verifier must
 * have revocation data) and expires in 30 days, a signature timestamp from an `openssl ts` TSA,
 * and the chain and CRL put into the DSS. Then the CRL source is taken away (the verifier is
 * given none) and the clock is moved past the signer's expiry: the B-LT file stays valid; the
 * same signature without the DSS, or without the timestamp, does not. pdfsig still accepts the
 * signature after the DSS update.
 */
let b: ChainBuilder;
let tsa: TestTsa;
let leaf: IssuedCert;
let ca: IssuedCert;
let crlDer: Buffer;
let crlPath: string;
let bt: Buffer;
let bb: Buffer;
const DAY = 86_400_000;
const run = promisify(execFile);

const codes = (r: VerifyReport) => r.signatures.flatMap((s) => s.reasons.map((x) => x.code));

function pemToDer(pem: string): Buffer {
  return Buffer.from(pem.replace(/-----[^-]+-----/g, '').replace(/\s+/g, ''), 'base64');
}

beforeAll(async () => {
  b = await createChainBuilder();
  tsa = await createTestTsa(b.dir);
  ca = await b.issue(b.root, {
    name: 'ltv-ca',
    extensions: [
      'basicConstraints=critical,CA:TRUE,pathlen:0',
      'keyUsage=critical,keyCertSign,cRLSign',
      'subjectKeyIdentifier=hash',
      'authorityKeyIdentifier=keyid',
    ],
  });
  leaf = await b.issue(ca, {
    name: 'ltv-signer',
    extensions: [
      ...SIGNER_EXTENSIONS,
      'subjectAltName=email:ltv-signer@mofa.example',
      'crlDistributionPoints=URI:http://127.0.0.1:9/ltv-ca.crl',
    ],
    notAfter: opensslTime(30),
    keyType: 'rsa',
  });
  const signer: Signer = {
    certificate: leaf.cert,
    chain: [ca.cert],
    mechanism: 'rsa-pkcs1-sha256',
    sign: async (data) => sign('sha256', data, leaf.key),
  };
  const pdf = await makePdf(1);
  bt = await signPades(
    pdf,
    signer,
    { signingTime: new Date(), timestamp: (d) => tsa.token(d) },
    pdfSandbox(),
  );
  bb = await signPades(pdf, signer, { signingTime: new Date() }, pdfSandbox());
  // The CRL is fetched after the timestamp (one-second resolution): it proves the status then.
  await new Promise((r) => setTimeout(r, 1100));
  crlPath = await b.crl(ca, []);
  crlDer = pemToDer(await readFile(crlPath, 'utf8'));
}, 120_000);
afterAll(async () => {
  await b?.cleanup();
});

describe('long-term validation (B-LT)', () => {
  const anchors = () => [b.root.cert, new X509Certificate(tsa.rootPem)];
  const withCrl = (): TrustSettings => ({ anchors: anchors(), crls: [crlDer] });
  const noCrl = (now?: Date): TrustSettings => ({ anchors: anchors(), ...(now ? { now } : {}) });

  it('B-T with its CRL at hand is valid; without the CRL source it cannot tell', async () => {
    expect((await verifyPdf(bt, withCrl(), pdfSandbox())).verdict).toBe('valid');
    const gone = await verifyPdf(bt, noCrl(), pdfSandbox());
    expect(gone.verdict).toBe('indeterminate');
    expect(codes(gone)).toContain('NO_REVOCATION_DATA');
  });

  it('adding the DSS keeps the signature valid, and it then validates with the CRL source gone and after the signer expired', async () => {
    const t0 = performance.now();
    const lt = await addValidationData(bt, withCrl(), pdfSandbox(), new Date());
    const addMs = performance.now() - t0;
    expect(lt.crls).toBe(1);
    expect(lt.certs).toBeGreaterThanOrEqual(4); // signer, CA, root; TSA and its root
    expect(lt.bytes.subarray(0, bt.length).equals(bt)).toBe(true);

    const now = await verifyPdf(lt.bytes, noCrl(), pdfSandbox());
    expect(now.verdict).toBe('valid');
    expect(codes(now)).toContain('SIGNATURE_TIMESTAMP');

    // 40 days on: the signer's certificate (30 days) has expired, the CRL is past its nextUpdate.
    const later = new Date(Date.now() + 40 * DAY);
    expect(later.getTime()).toBeGreaterThan(new Date(leaf.cert.validTo).getTime());
    const expired = await verifyPdf(lt.bytes, noCrl(later), pdfSandbox());
    expect(expired.verdict).toBe('valid');

    // The controls: the same B-T file without its DSS, and a B-B file with one, at that time.
    const bare = await verifyPdf(bt, noCrl(later), pdfSandbox());
    expect(bare.verdict).toBe('indeterminate');
    const bbLt = await addValidationData(bb, withCrl(), pdfSandbox(), new Date());
    const bbLater = await verifyPdf(bbLt.bytes, noCrl(later), pdfSandbox());
    expect(bbLater.verdict).not.toBe('valid');

    // pdfsig still accepts the signature (the DSS is an update after it).
    const file = join(b.dir, 'lt.pdf');
    await writeFile(file, lt.bytes);
    const judged = await pdfsig(file, await nssDbTrusting([b.root.path]));
    expect(judged[0]?.valid).toBe(true);
    console.log(
      `B-LT: DSS of ${lt.certs} certificates and ${lt.crls} CRL added in ${addMs.toFixed(0)} ms; ` +
        `later verdicts: bare B-T ${bare.verdict} (${codes(bare).join(',')}), B-B+DSS ${bbLater.verdict} (${codes(bbLater).join(',')})`,
    );
  }, 60_000);

  it('embassy verify --add-validation-data OUT: the B-LT copy verifies valid (exit 0) without --crl', async () => {
    const input = join(b.dir, 'bt.pdf');
    const out = join(b.dir, 'bt-lt.pdf');
    await writeFile(input, bt);
    await writeFile(join(b.dir, 'tsa-root.pem'), tsa.rootPem);
    const trust = [
      '--trust',
      b.root.path,
      '--trust',
      join(b.dir, 'tsa-root.pem'),
      '--profile',
      join(b.dir, 'p'),
    ];
    const io = { stdout: () => undefined, stderr: () => undefined, readStdin: async () => new Uint8Array() };
    expect(
      await runCli(['verify', input, ...trust, '--crl', crlPath, '--add-validation-data', out], io),
    ).toBe(0);
    expect(await runCli(['verify', input, ...trust], io)).toBe(2);
    expect(await runCli(['verify', out, ...trust], io)).toBe(0);

    // B-LTA: a document timestamp over the file with its DSS; both verify; pdfsig still accepts the signature.
    const server = await serveTsa(tsa);
    try {
      const lta = join(b.dir, 'bt-lta.pdf');
      const args = ['verify', input, ...trust, '--crl', crlPath, '--add-validation-data', lta];
      expect(await runCli([...args, '--tsa', server.url], io)).toBe(0);
      const out2: string[] = [];
      const io2 = { ...io, stdout: (t: string) => void out2.push(t) };
      expect(await runCli(['verify', lta, ...trust, '--json'], io2)).toBe(0);
      const json = JSON.parse(out2.join('')) as {
        signatures: { verdict: string; reasons: { code: string }[] }[];
      };
      expect(json.signatures).toHaveLength(2);
      expect(json.signatures.map((x) => x.verdict)).toEqual(['valid', 'valid']);
      const judged = await pdfsig(lta, await nssDbTrusting([b.root.path, join(b.dir, 'tsa-root.pem')]));
      expect(judged[0]?.valid).toBe(true);
      // poppler does not check ETSI.RFC3161 document timestamps: it lists it unverified.
      expect(judged[1]?.validation).toContain('not yet been verified');
      // The TSA down: the B-LTA asked for is refused, nothing written.
      const none = join(b.dir, 'none.pdf');
      await server.close();
      expect(await runCli([...args.slice(0, -1), none, '--tsa', server.url], io)).toBe(3);
      expect(existsSync(none)).toBe(false);
    } finally {
      await server.close().catch(() => undefined);
    }
  }, 60_000);

  it('embassy verify --report OUT.pdf: the report in Vietnamese and English, fonts embedded, names the verdict', async () => {
    const input = join(b.dir, 'bt-lt.pdf');
    const tampered = join(b.dir, 'tampered.pdf');
    const bad = Buffer.from(bt);
    const at = bad.indexOf('/MediaBox');
    bad[at + 1] = 'N'.charCodeAt(0); // /NediaBox: a byte inside the signed range
    await writeFile(tampered, bad);
    const trust = [
      '--trust',
      b.root.path,
      '--trust',
      join(b.dir, 'tsa-root.pem'),
      '--profile',
      join(b.dir, 'p'),
    ];
    const io = { stdout: () => undefined, stderr: () => undefined, readStdin: async () => new Uint8Array() };
    const text = async (pdf: string) =>
      (await run('pdftotext', ['-enc', 'UTF-8', pdf, '-'])).stdout.replace(/\s+/g, ' ');
    const vi = join(b.dir, 'report-vi.pdf');
    const en = join(b.dir, 'report-en.pdf');
    expect(await runCli(['verify', input, ...trust, '--report', vi, '--lang', 'vi'], io)).toBe(0);
    expect(await runCli(['verify', input, ...trust, '--report', en, '--lang', 'en'], io)).toBe(0);
    const viText = await text(vi);
    expect(viText).toContain('Báo cáo kiểm tra chữ ký số');
    expect(viText).toContain('Kết luận chung: HỢP LỆ');
    expect(viText).toContain('Người ký: ltv-signer');
    expect(viText).toContain('Thời điểm được dấu thời gian chứng minh: 20');
    const enText = await text(en);
    expect(enText).toContain('Overall verdict: VALID');
    expect(enText).toContain('Signed by: ltv-signer');
    expect(enText).toContain('Certificate chain: ltv-signer > ltv-ca > Chain Test Root');
    const fonts = (await run('pdffonts', [vi])).stdout;
    expect(fonts).toMatch(/CID TrueType\s+Identity-H\s+yes/);
    const badReport = join(b.dir, 'report-bad.pdf');
    expect(await runCli(['verify', tampered, ...trust, '--report', badReport, '--lang', 'vi'], io)).toBe(1);
    expect(await text(badReport)).toContain('Kết luận chung: KHÔNG HỢP LỆ');
    await run('pdftoppm', ['-r', '70', '-png', '-f', '1', '-l', '1', vi, join(b.dir, 'report-vi')]);
    await run('cp', [join(b.dir, 'report-vi-1.png'), '/tmp/embassy-report-vi.png']);
  }, 60_000);
});
