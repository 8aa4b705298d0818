import { randomInt, sign, X509Certificate } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { verifyPdf } from '../../electron/core/signing';
import { signPades } from '../../electron/core/signing/pades';
import type { Signer } from '../../electron/core/signing/signer';
import { basePdf } from '../fixtures/attack-pdfs';
import { appendUpdate, lastStartxref } from '../fixtures/pdf-updates';
import { createTestPki, type TestPki } from '../fixtures/officer-pki';
import { pdfSandbox } from '../fixtures/pdf-sandbox';

/**
 * Crafted files against the PDF reader and verifier: a signed PDF truncated, with bytes
 * flipped, with a cross-reference loop, absurd lengths and nesting. The verifier must answer
 * every one with a report (never throw, never hang) and never call a changed signed byte
 * valid. The signer is a software key from the test PKI: the reader is what is under test.
 */
describe('crafted PDFs: the verifier fails closed', () => {
  let pki: TestPki;
  let trust: { anchors: X509Certificate[] };
  let signed: Buffer;
  let gap: [number, number];

  beforeAll(async () => {
    pki = await createTestPki('crafted');
    const officer = await pki.issue({ keyType: 'ec', cn: 'Crafted Officer' });
    trust = { anchors: [new X509Certificate(pki.ca.rootPem)] };
    const signer: Signer = {
      certificate: officer.certificate,
      chain: [new X509Certificate(officer.certificates[1] as Buffer)],
      mechanism: 'ecdsa-sha256',
      sign: async (d) => sign('sha256', d, { key: officer.key, dsaEncoding: 'der' }),
    };
    signed = await signPades(basePdf(), signer, { signingTime: new Date() }, pdfSandbox());
    const br = /\/ByteRange \[0 (\d+) (\d+)/.exec(signed.toString('latin1'));
    gap = [Number(br?.[1]), Number(br?.[2])];
    expect((await verifyPdf(signed, trust, pdfSandbox())).verdict).toBe('valid');
  }, 60_000);
  afterAll(() => pki?.cleanup());

  it('truncated anywhere: a report, never valid', async () => {
    for (let i = 0; i < 40; i++) {
      const cut = randomInt(1, signed.length - 1);
      const r = await verifyPdf(signed.subarray(0, cut), trust, pdfSandbox());
      expect(r.verdict, `cut at ${cut}`).not.toBe('valid');
    }
  });

  it('a byte flipped in the signed ranges: never valid', async () => {
    for (let i = 0; i < 150; i++) {
      let at = randomInt(0, signed.length);
      if (at >= gap[0] && at < gap[1]) at = gap[0] - 1 - randomInt(0, 100);
      const b = Buffer.from(signed);
      b[at] = (b[at] as number) ^ (1 << randomInt(0, 8));
      const r = await verifyPdf(b, trust, pdfSandbox());
      expect(r.verdict, `flip at ${at}`).not.toBe('valid');
    }
  });

  it('a later revision whose /Prev points at itself, or whose xref points outside the file: not valid', async () => {
    const loop = appendUpdate(signed, [{ num: 4, body: '<< /Length 0 >>\nstream\n\nendstream' }]);
    const self = lastStartxref(loop);
    const looped = Buffer.from(
      loop
        .toString('latin1')
        .replace(/\/Prev \d+ >>\nstartxref\n(\d+)\n%%EOF\n$/, `/Prev ${self} >>\nstartxref\n$1\n%%EOF\n`),
      'latin1',
    );
    expect((await verifyPdf(looped, trust, pdfSandbox())).verdict).not.toBe('valid');
    const outside = appendUpdate(signed, [], { pointers: [{ num: 4, offset: signed.length * 10 }] });
    expect((await verifyPdf(outside, trust, pdfSandbox())).verdict).not.toBe('valid');
  });

  it('absurd lengths and nesting: a report, not a crash', async () => {
    const deep = appendUpdate(signed, [
      { num: 60, body: `${'['.repeat(100_000)}${']'.repeat(100_000)}` },
      { num: 1, body: '<< /Type /Catalog /Pages 2 0 R /AcroForm 10 0 R /Deep 60 0 R >>' },
    ]);
    expect((await verifyPdf(deep, trust, pdfSandbox())).verdict).not.toBe('valid');
    const huge = appendUpdate(signed, [
      { num: 4, body: '<< /Length 99999999999 >>\nstream\nBT ET\nendstream' },
    ]);
    expect((await verifyPdf(huge, trust, pdfSandbox())).verdict).not.toBe('valid');
    const xrefBomb = Buffer.concat([
      signed,
      Buffer.from(
        `61 0 obj\n<< /Type /XRef /Size 99999999 /W [8 8 8] /Index [0 99999999] /Prev ${lastStartxref(signed)} /Root 1 0 R /Length 3 >>\nstream\nabc\nendstream\nendobj\nstartxref\n${signed.length}\n%%EOF\n`,
        'latin1',
      ),
    ]);
    expect((await verifyPdf(xrefBomb, trust, pdfSandbox())).verdict).not.toBe('valid');
  });
});
