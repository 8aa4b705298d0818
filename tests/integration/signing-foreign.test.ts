import { execFile } from 'node:child_process';
import { X509Certificate } from 'node:crypto';
import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createSigningService, verifyPdf, type SigningService } from '../../electron/core/signing';
import { signingOutlook } from '../../electron/core/pdf-sandbox/host/signing-outlook';
import { basePdf } from '../fixtures/attack-pdfs';
import { createTestPki, type TestPki } from '../fixtures/officer-pki';
import { createSoftHsmToken, type SoftHsmToken } from '../fixtures/softhsm';
import { nssDbTrusting, pdfsig } from '../fixtures/verifiers';
import { pdfSandbox } from '../fixtures/pdf-sandbox';

/**
 * PDFs as they arrive from other systems. A foreign signer (poppler's `pdfsig -add-signature`,
 * key and chain in an NSS database made here) and ours, in both orders: every signature valid
 * in pdfsig and in our verifier. Empty signature fields placed by Ghostscript (pdfmark), then
 * rewritten by MuPDF and by qpdf (object streams): signed by name, pdfsig lists the field as
 * signed and no unsigned field remains. Encrypted PDFs: AES-256 with an empty user password
 * signs (pdfsig and qpdf agree); older encryption and forbidding permissions are refused.
 */
const run = promisify(execFile);

describe('foreign signers, fields placed by other tools, encrypted PDFs', () => {
  let token: SoftHsmToken;
  let pki: TestPki;
  let service: SigningService;
  let dir: string;
  let nss: string;
  let trust: { anchors: X509Certificate[] };

  const sign = async (pdf: Buffer, name: string, field?: string) => {
    const input = join(dir, `${name}.in.pdf`);
    const output = join(dir, `${name}.pdf`);
    await writeFile(input, pdf);
    const [r] = await service.signFiles({
      jobs: [{ input, output, format: 'pades' }],
      token: { label: token.label },
      pin: token.pin,
      reason: 'Hợp pháp hóa lãnh sự',
      ...(field ? { field } : {}),
    });
    if (!r?.ok) return { error: r?.error };
    return { pdf: await readFile(output), path: output };
  };
  /** pdfsig's signature list, unsigned fields included ("The signature form field is not signed."). */
  const pdfsigRaw = async (file: string) => {
    try {
      return (await run('pdfsig', ['-nssdir', `sql:${nss}`, file])).stdout;
    } catch (e) {
      return (e as { stdout?: string }).stdout ?? '';
    }
  };

  beforeAll(async () => {
    dir = await mkdtemp(join(tmpdir(), 'embassy-foreign-'));
    token = await createSoftHsmToken({ keys: ['ec'] });
    pki = await createTestPki('foreign');
    trust = { anchors: [new X509Certificate(token.ca.rootPem), new X509Certificate(pki.ca.rootPem)] };
    nss = await nssDbTrusting([token.ca.rootPath, pki.ca.rootPath]);
    // The foreign signer's key and chain in the same NSS database (poppler 22 signs with RSA keys).
    const foreign = await pki.issue({ keyType: 'rsa', cn: 'Foreign Ministry Signer' });
    await writeFile(join(dir, 'foreign.key'), foreign.key.export({ type: 'pkcs8', format: 'pem' }));
    await writeFile(join(dir, 'foreign.pem'), foreign.certificate.toString());
    await writeFile(join(dir, 'chain.pem'), pki.ca.intermediatePem);
    await run('openssl', [
      'pkcs12', '-export', '-inkey', join(dir, 'foreign.key'), '-in', join(dir, 'foreign.pem'),
      '-certfile', join(dir, 'chain.pem'), '-name', 'foreign', '-passout', 'pass:pw', '-out', join(dir, 'foreign.p12'),
    ]); // prettier-ignore
    await run('pk12util', ['-i', join(dir, 'foreign.p12'), '-d', `sql:${nss}`, '-W', 'pw']);
    service = createSigningService({
      modulePath: token.modulePath,
      tokenHost: { env: token.env },
      trust: () => trust,
    });
  }, 90_000);
  afterAll(async () => {
    await service?.close();
    await token?.cleanup();
    pki?.cleanup();
    if (dir) await rm(dir, { recursive: true, force: true });
    if (nss) await rm(nss, { recursive: true, force: true });
  });

  const popplerSign = async (input: string, output: string) => {
    await run('pdfsig', [
      '-nssdir',
      `sql:${nss}`,
      '-add-signature',
      '-nick',
      'foreign',
      '-reason',
      'Foreign approval',
      input,
      output,
    ]);
    return readFile(output);
  };

  it('a PDF signed by pdfsig -add-signature verifies valid; our signature after it keeps both valid in pdfsig and ours', async () => {
    const input = join(dir, 'base.pdf');
    await writeFile(input, basePdf());
    const foreign = await popplerSign(input, join(dir, 'foreign.pdf'));
    const alone = await verifyPdf(foreign, trust, pdfSandbox());
    expect(alone.verdict).toBe('valid');
    expect(alone.signatures[0]).toMatchObject({
      signer: 'Foreign Ministry Signer',
      subFilter: 'adbe.pkcs7.detached',
    });

    const both = await sign(foreign, 'foreign-then-ours');
    expect(both.pdf).toBeDefined();
    const theirs = await pdfsig(both.path as string, nss);
    expect(theirs.map((s) => [s.valid, s.trusted])).toEqual([
      [true, true],
      [true, true],
    ]);
    const ours = await verifyPdf(both.pdf as Buffer, trust, pdfSandbox());
    expect(ours.signatures.map((s) => s.verdict)).toEqual(['valid', 'valid']);
    expect(ours.verdict).toBe('valid');
  });

  it('the other order: poppler signs after us, both stay valid in both verifiers', async () => {
    const ours1 = await sign(basePdf(), 'ours-first');
    const both = await popplerSign(ours1.path as string, join(dir, 'ours-then-foreign.pdf'));
    const theirs = await pdfsig(join(dir, 'ours-then-foreign.pdf'), nss);
    expect(theirs.map((s) => s.valid)).toEqual([true, true]);
    const ours = await verifyPdf(both, trust, pdfSandbox());
    expect(ours.signatures.map((s) => [s.signer, s.verdict])).toEqual([
      ['Test Officer EC', 'valid'],
      ['Foreign Ministry Signer', 'valid'],
    ]);
  });

  it('an empty signature field placed by Ghostscript, and the same file rewritten by MuPDF and by qpdf: signed into that field', async () => {
    const ps = join(dir, 'form.ps');
    await writeFile(
      ps,
      '%!PS\n/Helvetica findfont 14 scalefont setfont 72 760 moveto (Certificate of legalisation) show\n' +
        '[ /_objdef {sig} /type /dict /OBJ pdfmark\n' +
        '[ {sig} << /Type /Annot /Subtype /Widget /FT /Sig /T (Consul signature) /Rect [300 80 540 150] /F 4 /P {ThisPage} >> /PUT pdfmark\n' +
        '[ {Catalog} << /AcroForm << /Fields [ {sig} ] >> >> /PUT pdfmark\n' +
        '[ {ThisPage} << /Annots [ {sig} ] >> /PUT pdfmark\nshowpage\n',
    );
    const gsPdf = join(dir, 'form-gs.pdf');
    await run('gs', [
      '-q',
      '-dNOPAUSE',
      '-dBATCH',
      '-dSAFER',
      '-sDEVICE=pdfwrite',
      `-sOutputFile=${gsPdf}`,
      ps,
    ]);
    const muPdf = join(dir, 'form-mupdf.pdf');
    await run('mutool', ['clean', '-gg', '-z', gsPdf, muPdf]);
    const qpdfPdf = join(dir, 'form-qpdf.pdf');
    await run('qpdf', ['--object-streams=generate', gsPdf, qpdfPdf]);
    expect(await pdfsigRaw(gsPdf)).toContain('The signature form field is not signed.');

    for (const [tool, file] of [
      ['ghostscript', gsPdf],
      ['mupdf', muPdf],
      ['qpdf', qpdfPdf],
    ] as const) {
      const bytes = await readFile(file);
      expect(signingOutlook(bytes).fields, tool).toEqual([
        { name: 'Consul signature', page: 1, signed: false, visible: true },
      ]);
      const signed = await sign(bytes, `form-${tool}-signed`, 'Consul signature');
      const text = await pdfsigRaw(signed.path as string);
      expect(text, tool).toContain('Signature Field Name: Consul signature');
      expect(text, tool).toContain('Signature is Valid.');
      expect(text, tool).toContain('Total document signed');
      expect(text, tool).not.toContain('not signed');
      expect((text.match(/^Signature #\d+:/gm) ?? []).length, tool).toBe(1);
      const ours = await verifyPdf(signed.pdf as Buffer, trust, pdfSandbox());
      expect(
        ours.signatures.map((s) => [s.fieldName, s.verdict]),
        tool,
      ).toEqual([['Consul signature', 'valid']]);
    }
    // A name that is not there, or a field already signed: refused, nothing written.
    expect((await sign(await readFile(gsPdf), 'no-field', 'Ambassador')).error?.code).toBe(
      'E_SIGN_FIELD_NOT_FOUND',
    );
    const again = await sign(
      await readFile(join(dir, 'form-ghostscript-signed.pdf')),
      'twice',
      'Consul signature',
    );
    expect(again.error?.code).toBe('E_SIGN_FIELD_NOT_FOUND');
  });

  it('encrypted PDFs: AES-256 with an empty user password signs as Acrobat does; older encryption and no-signing permissions are refused with advice', async () => {
    const base = join(dir, 'plain.pdf');
    await writeFile(base, basePdf());
    const enc = (name: string, args: string[]) =>
      run('qpdf', ['--encrypt', '', 'owner-secret', ...args, '--', base, join(dir, name)]);
    await enc('aes256.pdf', ['256', '--print=none']);
    await enc('aes128.pdf', ['128', '--use-aes=y']);
    await enc('nosign.pdf', ['256', '--modify=none']);

    const signed = await sign(await readFile(join(dir, 'aes256.pdf')), 'aes256-signed');
    const theirs = await pdfsig(signed.path as string, nss);
    expect(theirs).toHaveLength(1);
    expect(theirs[0]).toMatchObject({ valid: true, trusted: true, totalDocument: true });
    const check = await run('qpdf', ['--check', signed.path as string]);
    expect(check.stdout).toContain('No syntax or stream encoding errors');
    // Our strings were encrypted with the file's key: decrypted, the reason reads back.
    const clear = join(dir, 'aes256-clear.pdf');
    await run('qpdf', ['--password=', '--decrypt', signed.path as string, clear]);
    const utf16 = Buffer.concat([
      Buffer.from([0xfe, 0xff]),
      Buffer.from('Hợp pháp hóa lãnh sự', 'utf16le').swap16(),
    ]);
    expect((await readFile(clear)).toString('latin1').toLowerCase()).toContain(
      `/reason <${utf16.toString('hex')}>`,
    );
    const ours = await verifyPdf(signed.pdf as Buffer, trust, pdfSandbox());
    expect(ours.verdict).toBe('valid');
    expect(ours.signatures[0]?.reason).toBe('Hợp pháp hóa lãnh sự');

    const old = await sign(await readFile(join(dir, 'aes128.pdf')), 'aes128-signed');
    expect(old.error?.code).toBe('E_SIGN_PDF_ENCRYPTED');
    expect(old.error?.message).toMatch(/ask the sender/);
    const locked = await sign(await readFile(join(dir, 'nosign.pdf')), 'nosign-signed');
    expect(locked.error?.code).toBe('E_SIGN_PDF_PERMISSIONS');
    expect(signingOutlook(await readFile(join(dir, 'nosign.pdf'))).refusal).toBe('E_SIGN_PDF_PERMISSIONS');
  });
});
