import { X509Certificate } from 'node:crypto';
import { mkdirSync } from 'node:fs';
import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { appendDocumentTimestamp, appendDss } from '../../electron/core/pdf-sandbox/host/pdf-ltv';
import {
  createSigningService,
  verifyPdf,
  type SigningService,
  type VerifyReport,
} from '../../electron/core/signing';
import { basePdf } from '../fixtures/attack-pdfs';
import { appendUpdate, objectBody, objectOffset, streamBody } from '../fixtures/pdf-updates';
import { createSoftHsmToken, type SoftHsmToken } from '../fixtures/softhsm';
import { createTestTsa, type TestTsa } from '../fixtures/tsa';
import { nssDbTrusting, pdfsig, type PdfsigSignature } from '../fixtures/verifiers';
import { pdfSandbox } from '../fixtures/pdf-sandbox';

/**
 * The attack corpus of issue 13, built here from a hand-written PDF signed on a SoftHSM token:
 * incremental saving, the Shadow Attacks (hide, replace, hide-and-replace), signature wrapping
 * and universal signature forgery. Each must not verify `valid`, for the reason it is; each is
 * shown to pdfsig too (its "Total document signed" line is recorded: pdfsig says "Signature is
 * Valid" for most of these, only "Not total document signed" betrays them). The updates a
 * signed document may receive (a second signature, a DSS, a document timestamp, a comment
 * under a P=3 certification) must stay `valid`. EMBASSY_ATTACK_CORPUS_DIR keeps the files.
 */

interface Case {
  readonly name: string;
  readonly family: 'incremental' | 'shadow' | 'wrapping' | 'forgery';
  readonly build: () => Buffer | Promise<Buffer>;
  /** The reason our verifier must give (on some signature). */
  readonly reason: string;
  readonly pages?: readonly number[];
}

describe('attack corpus: modification analysis, signature wrapping, universal forgery', () => {
  let token: SoftHsmToken;
  let service: SigningService;
  let tsa: TestTsa;
  let dir: string;
  let nss: string;
  let trust: { anchors: X509Certificate[] };
  let signed: Buffer;
  const table: string[] = [];
  const keep = process.env.EMBASSY_ATTACK_CORPUS_DIR;

  const sign = async (pdf: Buffer, name: string, extra: { certify?: 1 | 2 | 3; field?: string } = {}) => {
    const input = join(dir, `${name}.in.pdf`);
    const output = join(dir, `${name}.pdf`);
    await writeFile(input, pdf);
    const [r] = await service.signFiles({
      jobs: [{ input, output, format: 'pades' }],
      token: { label: token.label },
      pin: token.pin,
      ...extra,
    });
    if (!r?.ok) throw new Error(`signing failed: ${JSON.stringify(r)}`);
    return readFile(output);
  };
  const check = async (
    name: string,
    pdf: Buffer,
  ): Promise<{ ours: VerifyReport; theirs: PdfsigSignature[] }> => {
    const file = join(dir, `${name}.pdf`);
    await writeFile(file, pdf);
    if (keep) await writeFile(join(keep, `${name}.pdf`), pdf);
    const ours = await verifyPdf(pdf, trust, pdfSandbox());
    const theirs = await pdfsig(file, nss);
    table.push(
      `${name.padEnd(34)} ours: ${ours.verdict.padEnd(13)} pdfsig: ${theirs
        .map((s) => `${s.validation.replace(/\.$/, '')} / ${s.totalDocument ? 'total' : 'NOT total'}`)
        .join(' | ')}`,
    );
    return { ours, theirs };
  };

  beforeAll(async () => {
    dir = await mkdtemp(join(tmpdir(), 'embassy-attacks-'));
    if (keep) mkdirSync(keep, { recursive: true });
    token = await createSoftHsmToken({ keys: ['ec'] });
    tsa = await createTestTsa(dir);
    trust = { anchors: [new X509Certificate(token.ca.rootPem), new X509Certificate(tsa.rootPem)] };
    nss = await nssDbTrusting([token.ca.rootPath, tsa.rootPath]);
    service = createSigningService({
      modulePath: token.modulePath,
      tokenHost: { env: token.env },
      trust: () => trust,
    });
    signed = await sign(basePdf(), 'signed');
    if (keep) await writeFile(join(keep, 'anchors.pem'), token.ca.rootPem + tsa.rootPem);
  }, 90_000);
  afterAll(async () => {
    console.log(`attack corpus (ours against pdfsig):\n${table.join('\n')}`);
    await service?.close();
    await token?.cleanup();
    if (dir) await rm(dir, { recursive: true, force: true });
    if (nss) await rm(nss, { recursive: true, force: true });
  });

  /** The page object with one more annotation in its /Annots. */
  const pageWithAnnot = (pdf: Buffer, annot: number) =>
    objectBody(pdf, 3).replace(/\/Annots\s*\[([^\]]*)\]/, `/Annots [$1 ${annot} 0 R]`);
  /** The signature dictionary our signer wrote (the first /Type /Sig object). */
  const sigObject = (pdf: Buffer) => {
    const at = pdf.indexOf('/Type /Sig /Filter');
    const header = pdf.lastIndexOf(' 0 obj', at);
    const num = Number(/(\d+)$/.exec(pdf.subarray(header - 8, header).toString('latin1'))?.[1]);
    return { num, body: objectBody(pdf, num) };
  };
  /** An update adding signature field 50 (widget on the page) with signature dictionary 51. */
  const forgedField = (pdf: Buffer, sigBody: string) =>
    appendUpdate(pdf, [
      {
        num: 50,
        body: '<< /Type /Annot /Subtype /Widget /FT /Sig /T (Forged) /Rect [0 0 0 0] /P 3 0 R /V 51 0 R >>',
      },
      { num: 51, body: sigBody },
      { num: 10, body: objectBody(pdf, 10).replace(/\/Fields\s*\[([^\]]*)\]/, '/Fields [$1 50 0 R]') },
      { num: 3, body: pageWithAnnot(pdf, 50) },
    ]);
  /**
   * A forged signature dictionary whose /ByteRange really brackets its own /Contents and runs
   * to the end of the file: only the contents are wrong.
   */
  const forge = (pdf: Buffer, contents: string) => {
    const placeholder = '/ByteRange [0 0000000000 0000000000 0000000000]';
    const out = forgedField(
      pdf,
      `<< /Type /Sig /Filter /Adobe.PPKLite /SubFilter /ETSI.CAdES.detached ${placeholder} /Contents ${contents} >>`,
    );
    const at = out.lastIndexOf(placeholder);
    const b = out.indexOf('/Contents ', at) + '/Contents '.length;
    const c = contents.startsWith('<') ? out.indexOf('>', b) + 1 : b + contents.length;
    const text = `/ByteRange [0 ${b} ${c} ${out.length - c}]`.padEnd(placeholder.length, ' ');
    out.write(text, at, 'latin1');
    return out;
  };
  const originalContents = (pdf: Buffer) => /\/Contents <([0-9a-f]+)>/.exec(sigObject(pdf).body)?.[1] ?? '';

  const cases: Case[] = [
    {
      name: 'incremental: content replaced',
      family: 'incremental',
      reason: 'MODIFIED_CONTENT',
      pages: [1],
      build: () =>
        appendUpdate(signed, [
          { num: 4, body: streamBody('BT /F1 14 Tf 50 780 Td (Note verbale 42: PAY 1000000 USD) Tj ET') },
        ]),
    },
    {
      name: 'incremental: page added',
      family: 'incremental',
      reason: 'MODIFIED_CONTENT',
      pages: [2],
      build: () =>
        appendUpdate(signed, [
          { num: 2, body: '<< /Type /Pages /Kids [3 0 R 30 0 R] /Count 2 >>' },
          {
            num: 30,
            body: '<< /Type /Page /Parent 2 0 R /MediaBox [0 0 595 842] /Contents 31 0 R /Resources << /Font << /F1 5 0 R >> >> >>',
          },
          { num: 31, body: streamBody('BT /F1 14 Tf 50 780 Td (Annex: the amount is 1000000 USD) Tj ET') },
        ]),
    },
    {
      name: 'incremental: annotation drawn over the text',
      family: 'incremental',
      reason: 'MODIFIED_CONTENT',
      pages: [1],
      build: () =>
        appendUpdate(signed, [
          {
            num: 40,
            body: '<< /Type /Annot /Subtype /Square /Rect [45 770 400 800] /IC [1 1 1] /C [1 1 1] /F 4 /P 3 0 R /AP << /N 41 0 R >> >>',
          },
          {
            num: 41,
            body: streamBody(
              '1 g 0 0 355 30 re f 0 g BT /Helvetica 14 Tf 5 10 Td (Note verbale 42: PAY 1000000 USD) Tj ET',
              '/Type /XObject /Subtype /Form /BBox [0 0 355 30]',
            ),
          },
          { num: 3, body: pageWithAnnot(signed, 40) },
        ]),
    },
    {
      name: 'incremental: font swapped',
      family: 'incremental',
      reason: 'MODIFIED_CONTENT',
      pages: [1],
      build: () =>
        appendUpdate(signed, [
          {
            num: 5,
            // The same name, other glyphs: "1" drawn as "7" by an encoding difference.
            body: '<< /Type /Font /Subtype /Type1 /BaseFont /Helvetica /Encoding << /Type /Encoding /BaseEncoding /WinAnsiEncoding /Differences [49 /seven] >> >>',
          },
        ]),
    },
    {
      name: 'incremental: object made invisible',
      family: 'incremental',
      reason: 'MODIFIED_CONTENT',
      pages: [1],
      build: () =>
        appendUpdate(signed, [
          { num: 42, body: '<< /Type /OCG /Name (Stamp) >>' },
          {
            num: 1,
            body: objectBody(signed, 1).replace(
              />>\s*$/,
              '/OCProperties << /OCGs [42 0 R] /D << /OFF [42 0 R] >> >> >>',
            ),
          },
          { num: 8, body: objectBody(signed, 8).replace('/Subtype /Form', '/Subtype /Form /OC 42 0 R') },
        ]),
    },
    {
      name: 'shadow: hide (overlay deleted by xref)',
      family: 'shadow',
      reason: 'MODIFIED_CONTENT',
      pages: [1],
      build: () => appendUpdate(signed, [], { free: [7] }),
    },
    {
      name: 'shadow: replace (form value and look)',
      family: 'shadow',
      reason: 'MODIFIED_CONTENT',
      pages: [1],
      build: () =>
        appendUpdate(signed, [
          {
            num: 11,
            body: objectBody(signed, 11).replace('(100 USD)', '(1000000 USD)').replace('12 0 R', '43 0 R'),
          },
          {
            num: 43,
            body: streamBody(
              '/Tx BMC BT /Helv 12 Tf 2 5 Td (1000000 USD) Tj ET EMC',
              '/Type /XObject /Subtype /Form /BBox [0 0 200 20] /Resources << /Font << /Helv 5 0 R >> >>',
            ),
          },
        ]),
    },
    {
      name: 'shadow: hide-and-replace (xref only)',
      family: 'shadow',
      reason: 'MODIFIED_CONTENT',
      pages: [1],
      // No new object: the content's entry re-pointed to the shadow copy inside the signed bytes.
      build: () =>
        appendUpdate(signed, [], { pointers: [{ num: 4, offset: objectOffset(signed, 4, 0, 'first') }] }),
    },
    {
      name: 'wrapping: /Contents moved to a later revision',
      family: 'wrapping',
      reason: 'BYTE_RANGE_INVALID',
      build: () => {
        const sig = sigObject(signed);
        return appendUpdate(signed, [
          {
            num: sig.num,
            body: sig.body.replace('/Type /Sig', '/Type /Sig /Reason (Approved amount: 1000000 USD)'),
          },
          { num: 4, body: streamBody('BT /F1 14 Tf 50 780 Td (Note verbale 42: PAY 1000000 USD) Tj ET') },
        ]);
      },
    },
    {
      name: 'wrapping: /Contents duplicated in a new field',
      family: 'wrapping',
      reason: 'BYTE_RANGE_INVALID',
      build: () => forgedField(signed, sigObject(signed).body),
    },
    {
      name: 'wrapping: /ByteRange pointing elsewhere',
      family: 'wrapping',
      reason: 'BYTE_RANGE_INVALID',
      build: () => {
        const sig = sigObject(signed);
        const br = /\/ByteRange \[0 (\d+) (\d+) (\d+)\s*\]/.exec(sig.body);
        const [b, c] = [Number(br?.[1]), Number(br?.[2])];
        // The gap moved onto the page content: the signed bytes now skip what was changed.
        const at = signed.indexOf('Note verbale 42: PAY 100 USD', objectOffset(signed, 4));
        return appendUpdate(signed, [
          {
            num: sig.num,
            body: sig.body.replace(
              /\/ByteRange \[[^\]]*\]/,
              `/ByteRange [0 ${at} ${at + (c - b)} ${signed.length - at - (c - b)}]`,
            ),
          },
        ]);
      },
    },
    {
      name: 'forgery: empty /Contents',
      family: 'forgery',
      reason: 'FORMAT_FAILURE',
      build: () => forge(basePdf(), '<>'),
    },
    {
      name: 'forgery: null /Contents',
      family: 'forgery',
      reason: 'BYTE_RANGE_INVALID',
      build: () => forge(basePdf(), 'null'),
    },
    {
      name: 'forgery: truncated /Contents',
      family: 'forgery',
      reason: 'FORMAT_FAILURE',
      build: () => forge(basePdf(), `<${originalContents(signed).slice(0, 1200)}>`),
    },
    {
      name: 'forgery: no /ByteRange',
      family: 'forgery',
      reason: 'BYTE_RANGE_INVALID',
      build: () =>
        forgedField(
          basePdf(),
          `<< /Type /Sig /Filter /Adobe.PPKLite /SubFilter /ETSI.CAdES.detached /Contents <${originalContents(signed)}> >>`,
        ),
    },
  ];

  it.each(cases)('$family — $name: not valid ($reason)', async (c) => {
    const { ours, theirs } = await check(c.name.replace(/[^a-z0-9]+/gi, '-'), await c.build());
    expect(ours.verdict).not.toBe('valid');
    const reasons = ours.signatures.flatMap((s) => s.reasons);
    expect(reasons.map((r) => r.code)).toContain(c.reason);
    if (c.pages) expect(reasons.find((r) => r.code === c.reason)?.pages).toEqual(c.pages);
    if (c.reason === 'MODIFIED_CONTENT') {
      // The motivating gap: pdfsig calls these signatures valid and only notes the extra bytes.
      expect(theirs[0]?.totalDocument).toBe(false);
      expect(ours.signatures[0]?.reasons.find((r) => r.code === 'MODIFIED_CONTENT')?.vi).toMatch(/trang/);
    }
  });

  it('the signed file itself: valid, total document signed for both', async () => {
    const { ours, theirs } = await check('signed-itself', signed);
    expect(ours.verdict).toBe('valid');
    expect(theirs).toHaveLength(1);
    expect(theirs[0]).toMatchObject({ valid: true, totalDocument: true });
  });

  it('allowed: a second signature, then a DSS, then a document timestamp — every signature stays valid', async () => {
    const twice = await sign(signed, 'twice');
    let r = await check('allowed: second signature', twice);
    expect(r.ours.signatures.map((s) => s.verdict)).toEqual(['valid', 'valid']);
    expect(r.ours.signatures[0]?.reasons.map((x) => x.code)).toContain('LATER_CHANGES_ALLOWED');
    expect(r.theirs.map((s) => s.valid)).toEqual([true, true]);

    const chain = [token.keys.ec?.certPem ?? '', token.ca.intermediatePem, token.ca.rootPem].map(
      (pem) => new X509Certificate(pem).raw,
    );
    const crl = await token.ca.crl([]);
    const crlDer = Buffer.from(crl.replace(/-----[^-]+-----/g, '').replace(/\s+/g, ''), 'base64');
    const withDss = appendDss(twice, { certs: chain, crls: [crlDer] });
    r = await check('allowed: DSS added', withDss);
    expect(r.ours.verdict).toBe('valid');
    expect(r.theirs.map((s) => s.valid)).toEqual([true, true]);
    expect(withDss.includes('/DSS')).toBe(true);
    expect(withDss.includes('/VRI')).toBe(true);

    const tokens: { token: Uint8Array; digest: Uint8Array }[] = [];
    const stamped = await appendDocumentTimestamp(withDss, async (digest) => {
      const token = await tsa.token(digest);
      tokens.push({ token, digest });
      return token;
    });
    r = await check('allowed: document timestamp', stamped);
    expect(r.ours.verdict).toBe('valid');
    expect(r.ours.signatures).toHaveLength(3);
    expect(r.ours.signatures[2]).toMatchObject({
      subFilter: 'ETSI.RFC3161',
      verdict: 'valid',
      signer: 'Test TSA',
    });
    // The token is one openssl ts accepts for that digest.
    const verified = await tsa.verify(
      tokens[0]?.token ?? new Uint8Array(),
      tokens[0]?.digest ?? new Uint8Array(),
    );
    expect(verified.output).toMatch(/Verification: OK/);
    // A tampered timestamped file: the timestamp's imprint no longer matches.
    const bad = Buffer.from(stamped);
    const at = bad.lastIndexOf('/Type /DocTimeStamp');
    bad.write('/Type /DocTimeStamX', at, 'latin1');
    expect((await verifyPdf(bad, trust, pdfSandbox())).signatures[2]?.reasons.map((x) => x.code)).toContain(
      'HASH_FAILURE',
    );
  });

  it('allowed: a comment under a P=3 certification is valid; under P=2 or P=1 it is not', async () => {
    const comment = (pdf: Buffer) =>
      appendUpdate(pdf, [
        {
          num: 44,
          body: '<< /Type /Annot /Subtype /Text /Rect [400 760 420 780] /Contents (Checked) /P 3 0 R >>',
        },
        { num: 3, body: pageWithAnnot(pdf, 44) },
      ]);
    const p3 = await sign(basePdf(), 'certified-p3', { certify: 3 });
    const ok = await check('allowed: comment under P=3', comment(p3));
    expect(ok.ours.verdict).toBe('valid');
    expect(ok.ours.signatures[0]?.certification).toEqual({ permission: 3 });
    const p2 = await sign(basePdf(), 'certified-p2', { certify: 2 });
    const no = await check('certified P=2: comment', comment(p2));
    expect(no.ours.verdict).toBe('invalid');
    expect(no.ours.signatures[0]?.reasons.find((x) => x.code === 'MODIFIED_CONTENT')?.pages).toEqual([1]);
    const p1 = await sign(basePdf(), 'certified-p1', { certify: 1 });
    expect((await check('certified P=1: comment', comment(p1))).ours.verdict).toBe('invalid');
    // P=1 still takes validation data.
    const dss = appendDss(p1, { certs: [new X509Certificate(token.ca.intermediatePem).raw], crls: [] });
    expect((await check('certified P=1: DSS added', dss)).ours.verdict).toBe('valid');
  });
});
