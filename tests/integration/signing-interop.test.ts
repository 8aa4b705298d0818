import { randomBytes, X509Certificate } from 'node:crypto';
import { mkdtemp, readdir, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createSigningService, type SigningService } from '../../electron/core/signing/signing-service';
import { verifyCades, verifyPdf } from '../../electron/core/signing/verify';
import { createSoftHsmToken, type SoftHsmToken } from '../fixtures/softhsm';
import { makePdf, nssDbTrusting, opensslCmsVerify, pdfsig, withObjectStreams } from '../fixtures/verifiers';
import { pdfSandbox } from '../fixtures/pdf-sandbox';

/**
 * Real parts only: keys generated on a SoftHSM2 token, a root → intermediate → signer chain
 * from a throwaway openssl CA, and the verifiers a relying party uses (openssl cms, poppler's
 * pdfsig with the root in an NSS database) next to our own verifier.
 */
describe('signing interop (SoftHSM2, openssl, pdfsig)', () => {
  let token: SoftHsmToken;
  let service: SigningService;
  let dir: string;
  let nss: string;
  let root: X509Certificate;
  let pdfPath: string;
  let xrefStreamPdf: string;
  const trust = () => ({ anchors: [root] });

  beforeAll(async () => {
    token = await createSoftHsmToken({ keys: ['rsa', 'pss', 'ec'] });
    root = new X509Certificate(token.ca.rootPem);
    dir = await mkdtemp(join(tmpdir(), 'embassy-sign-'));
    nss = await nssDbTrusting([token.ca.rootPath]);
    pdfPath = join(dir, 'note.pdf');
    await writeFile(pdfPath, await makePdf(2));
    xrefStreamPdf = join(dir, 'note-objstm.pdf');
    await withObjectStreams(pdfPath, xrefStreamPdf);
    service = createSigningService({
      modulePath: token.modulePath,
      tokenHost: { env: token.env, pollMs: 200 },
      trust,
    });
  }, 60_000);
  afterAll(async () => {
    await service?.close();
    await token?.cleanup();
    if (dir) await rm(dir, { recursive: true, force: true });
    if (nss) await rm(nss, { recursive: true, force: true });
  });

  const cases = [
    { kind: 'rsa', keyId: '01', rsaScheme: 'pkcs1' },
    { kind: 'pss', keyId: '02', rsaScheme: 'pss' },
    { kind: 'ec', keyId: '03', rsaScheme: 'pkcs1' },
  ] as const;

  describe.each(cases)('$kind key on the token', ({ kind, keyId, rsaScheme }) => {
    it('CAdES detached .p7s: openssl cms -verify and our verifier accept; one changed byte: both refuse', async () => {
      const content = join(dir, `content-${kind}.bin`);
      await writeFile(content, randomBytes(10_000));
      const out = `${content}.p7s`;
      const [result] = await service.signFiles({
        jobs: [{ input: content, output: out, format: 'cades' }],
        token: { label: token.label },
        keyId,
        pin: token.pin,
        rsaScheme,
      });
      expect(result).toMatchObject({ ok: true });
      const openssl = await opensslCmsVerify(out, content, token.ca.rootPath);
      expect(openssl.stderr).toContain('Verification successful');
      expect(openssl.ok).toBe(true);
      const ours = await service.verifyFile(out, content);
      expect(ours.verdict).toBe('valid');
      expect(ours.signatures[0]?.signer).toBe(`Test Officer ${kind.toUpperCase()}`);
      expect(ours.signatures[0]?.signingTime).not.toBeNull();

      const bytes = await readFile(content);
      bytes[5000] = (bytes[5000] ?? 0) ^ 0x01;
      const tampered = join(dir, `content-${kind}-tampered.bin`);
      await writeFile(tampered, bytes);
      expect((await opensslCmsVerify(out, tampered, token.ca.rootPath)).ok).toBe(false);
      const bad = verifyCades(await readFile(out), bytes, trust());
      expect(bad.verdict).toBe('invalid');
      expect(bad.signatures[0]?.reasons.map((r) => r.code)).toContain('HASH_FAILURE');
    });

    it('PAdES B-B: pdfsig says valid and trusted, and so do we', async () => {
      const out = join(dir, `signed-${kind}.pdf`);
      const [result] = await service.signFiles({
        jobs: [{ input: pdfPath, output: out, format: 'pades' }],
        token: { label: token.label },
        keyId,
        pin: token.pin,
        rsaScheme,
        reason: 'Phê duyệt công hàm',
        location: 'Hà Nội',
        visible: kind === 'ec',
      });
      expect(result).toMatchObject({ ok: true });
      const sigs = await pdfsig(out, nss);
      expect(sigs).toHaveLength(1);
      expect(sigs[0]).toMatchObject({ valid: true, trusted: true, totalDocument: true });
      const ours = await service.verifyFile(out);
      expect(ours.verdict).toBe('valid');
      expect(ours.signatures[0]).toMatchObject({
        subFilter: 'ETSI.CAdES.detached',
        reason: 'Phê duyệt công hàm',
        location: 'Hà Nội',
        coversWholeDocument: true,
      });
    });
  });

  it('a second signature is an incremental update: pdfsig and we report both valid', async () => {
    const first = join(dir, 'two-1.pdf');
    const second = join(dir, 'two-2.pdf');
    await service.signFiles({
      jobs: [{ input: pdfPath, output: first, format: 'pades' }],
      token: { label: token.label },
      keyId: '01',
      pin: token.pin,
    });
    await service.signFiles({
      jobs: [{ input: first, output: second, format: 'pades' }],
      token: { label: token.label },
      keyId: '03',
      pin: token.pin,
      visible: true,
    });
    const firstBytes = await readFile(first);
    const secondBytes = await readFile(second);
    expect(secondBytes.subarray(0, firstBytes.length).equals(firstBytes)).toBe(true);
    const sigs = await pdfsig(second, nss);
    expect(sigs.map((s) => [s.valid, s.trusted])).toEqual([
      [true, true],
      [true, true],
    ]);
    const ours = await service.verifyFile(second);
    expect(ours.verdict).toBe('valid');
    expect(ours.signatures.map((s) => s.verdict)).toEqual(['valid', 'valid']);
    expect(ours.signatures.map((s) => s.coversWholeDocument)).toEqual([false, true]);
  });

  it('a PDF with object streams and an xref stream (qpdf) signs twice and verifies', async () => {
    expect((await readFile(xrefStreamPdf)).includes('/ObjStm')).toBe(true);
    const once = join(dir, 'objstm-1.pdf');
    const twice = join(dir, 'objstm-2.pdf');
    await service.signFiles({
      jobs: [{ input: xrefStreamPdf, output: once, format: 'pades' }],
      token: { label: token.label },
      keyId: '02',
      pin: token.pin,
      rsaScheme: 'pss',
    });
    await service.signFiles({
      jobs: [{ input: once, output: twice, format: 'pades' }],
      token: { label: token.label },
      keyId: '03',
      pin: token.pin,
    });
    const sigs = await pdfsig(twice, nss);
    expect(sigs.map((s) => s.valid && s.trusted)).toEqual([true, true]);
    const ours = await service.verifyFile(twice);
    expect(ours.signatures.map((s) => s.verdict)).toEqual(['valid', 'valid']);
  });

  it('one byte changed in the signed range: pdfsig and we say the digest does not match', async () => {
    const signed = join(dir, 'tamper.pdf');
    await service.signFiles({
      jobs: [{ input: pdfPath, output: signed, format: 'pades' }],
      token: { label: token.label },
      keyId: '01',
      pin: token.pin,
    });
    const bytes = await readFile(signed);
    // A hex digit of the /Producer string (pdf-lib writes it UTF-16 hex): still a parseable PDF.
    const at = bytes.indexOf('/Producer <') + '/Producer <FEFF00'.length;
    expect(at).toBeGreaterThan(20);
    expect(at).toBeLessThan(bytes.length / 2);
    bytes[at] = bytes[at] === 0x37 ? 0x36 : 0x37;
    const tampered = join(dir, 'tampered.pdf');
    await writeFile(tampered, bytes);
    const sigs = await pdfsig(tampered, nss);
    expect(sigs[0]?.valid).toBe(false);
    expect(sigs[0]?.validation).toMatch(/Digest Mismatch/);
    const ours = await verifyPdf(bytes, trust(), pdfSandbox());
    expect(ours.verdict).toBe('invalid');
    expect(ours.signatures[0]?.reasons.map((r) => r.code)).toContain('HASH_FAILURE');
  });

  it('an unsigned PDF is indeterminate with NO_SIGNATURE', async () => {
    const ours = await service.verifyFile(pdfPath);
    expect(ours.verdict).toBe('indeterminate');
    expect(ours.reasons.map((r) => r.code)).toEqual(['NO_SIGNATURE']);
  });

  it('a wrong PIN: a clear error, exactly one C_Login, no file written', async () => {
    const fresh = createSigningService({
      modulePath: token.modulePath,
      tokenHost: { env: token.env },
      trust,
    });
    const out = join(dir, 'never.pdf');
    try {
      const e = await fresh
        .signFiles({
          jobs: [{ input: pdfPath, output: out, format: 'pades' }],
          token: { label: token.label },
          pin: '999999',
        })
        .catch((x: unknown) => x);
      expect(e).toMatchObject({ code: 'E_TOKEN_PIN_INCORRECT' });
      expect((e as Error).message).not.toContain('999999');
      expect(await (await fresh.tokenClient()).loginAttempts()).toBe(1);
      expect((await readdir(dir)).filter((f) => f.startsWith('never') || f.startsWith('.never'))).toEqual([]);
    } finally {
      await fresh.close();
    }
  });
});
