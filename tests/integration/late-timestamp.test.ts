import { execFile } from 'node:child_process';
import { createHash, sign, X509Certificate } from 'node:crypto';
import { readFile, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { promisify } from 'node:util';
import * as asn1js from 'asn1js';
import * as pkijs from 'pkijs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { stampCms, stampPdf } from '../../electron/core/signing/late-timestamp';
import { signPades } from '../../electron/core/signing/pades';
import type { Signer } from '../../electron/core/signing/signer';
import { TimestampError, type TimestampSource } from '../../electron/core/signing/tsa-client';
import { verifyCades, verifyPdf, type TrustSettings } from '../../electron/core/signing/verify';
import {
  createChainBuilder,
  SIGNER_EXTENSIONS,
  type ChainBuilder,
  type IssuedCert,
} from '../fixtures/chain-builder';
import { appendUpdate, lastTrailer } from '../fixtures/pdf-updates';
import { pdfSandbox } from '../fixtures/pdf-sandbox';
import { createTestTsa, type TestTsa } from '../fixtures/tsa';
import { makePdf, opensslCmsVerify } from '../fixtures/verifiers';

/**
 * Adding a signature timestamp after the fact (late-timestamp.ts), attacked: only the last
 * signature with nothing after it is stamped, an unreachable TSA changes nothing, a stamped
 * file is not stamped twice; a .p7s made by `openssl cms` gets the attribute and still
 * verifies in OpenSSL, and `openssl ts -verify` accepts the token.
 */
const run = promisify(execFile);
let b: ChainBuilder;
let tsa: TestTsa;
let leaf: IssuedCert;
let ca: IssuedCert;
let trust: TrustSettings;
let bb: Buffer;
const source: TimestampSource = (d) => tsa.token(d);
const down: TimestampSource = async () => {
  throw new TimestampError('the TSA cannot be reached');
};
const codes = (r: { signatures: { reasons: { code: string }[] }[] }) =>
  r.signatures.flatMap((s) => s.reasons.map((x) => x.code));

beforeAll(async () => {
  b = await createChainBuilder();
  tsa = await createTestTsa(b.dir);
  ca = await b.issue(b.root, {
    name: 'late-ca',
    extensions: [
      'basicConstraints=critical,CA:TRUE',
      'keyUsage=critical,keyCertSign,cRLSign',
      'subjectKeyIdentifier=hash',
    ],
  });
  leaf = await b.issue(ca, {
    name: 'late-signer',
    extensions: [...SIGNER_EXTENSIONS, 'subjectAltName=email:late@mofa.example'],
    keyType: 'rsa',
  });
  const signer: Signer = {
    certificate: leaf.cert,
    chain: [ca.cert],
    mechanism: 'rsa-pkcs1-sha256',
    sign: async (data) => sign('sha256', data, leaf.key),
  };
  // Signed while the TSA was down: B-B, with the room a token needs.
  bb = await signPades(await makePdf(1), signer, { signingTime: new Date(), timestamp: down }, pdfSandbox());
  trust = { anchors: [b.root.cert, new X509Certificate(tsa.rootPem)] };
}, 120_000);
afterAll(async () => {
  await b?.cleanup();
});

describe('late signature timestamps', () => {
  it('a B-B PDF becomes B-T in place; the TSA down changes nothing; stamped once only', async () => {
    expect(codes(await verifyPdf(bb, trust, pdfSandbox()))).not.toContain('SIGNATURE_TIMESTAMP');
    const unreachable = await stampPdf(bb, down, pdfSandbox());
    expect(unreachable).toEqual({ ok: false, why: 'unreachable' });
    const stamped = await stampPdf(bb, source, pdfSandbox());
    if (!stamped.ok) throw new Error(stamped.why);
    expect(stamped.bytes.length).toBe(bb.length);
    const report = await verifyPdf(stamped.bytes, trust, pdfSandbox());
    expect(report.verdict).toBe('valid');
    expect(codes(report)).toContain('SIGNATURE_TIMESTAMP');
    expect(await stampPdf(stamped.bytes, source, pdfSandbox())).toEqual({
      ok: false,
      why: 'already-stamped',
    });
  }, 60_000);

  it('attack: a file with an update after the signature is not stamped (it would be covered by nothing or break a later signature)', async () => {
    const t = lastTrailer(bb);
    const changed = appendUpdate(bb, [{ num: t.size, body: '<< /Producer (later) >>' }], {
      trailer: { Info: `${t.size} 0 R` },
    });
    const before = Buffer.from(changed);
    expect(await stampPdf(changed, source, pdfSandbox())).toEqual({ ok: false, why: 'not-stampable' });
    expect(changed.equals(before)).toBe(true);
  }, 60_000);

  it('a .p7s made by openssl cms gets the same unsigned attribute; OpenSSL still verifies it and accepts the token', async () => {
    const content = join(b.dir, 'note.txt');
    await writeFile(content, 'Công hàm số 13');
    const p7s = join(b.dir, 'note.txt.p7s');
    const chain = await b.bundle('late-chain.pem', [ca]);
    await run('openssl', [
      'cms', '-sign', '-binary', '-in', content, '-signer', leaf.path, '-inkey', leaf.keyPath,
      '-certfile', chain, '-md', 'sha256', '-outform', 'DER', '-out', p7s,
    ]); // prettier-ignore
    const stamped = await stampCms(await readFile(p7s), source);
    if (!stamped.ok) throw new Error(stamped.why);
    const out = join(b.dir, 'note-bt.txt.p7s');
    await writeFile(out, stamped.bytes);
    expect((await opensslCmsVerify(out, content, b.root.path, ['-purpose', 'any'])).ok).toBe(true);
    const si = new pkijs.SignedData({
      schema: pkijs.ContentInfo.fromBER(new Uint8Array(stamped.bytes)).content,
    }).signerInfos[0] as pkijs.SignerInfo;
    const token = si.unsignedAttrs?.attributes.find((a) => a.type === '1.2.840.113549.1.9.16.2.14')
      ?.values[0];
    expect(token).toBeInstanceOf(asn1js.Sequence);
    const digest = createHash('sha256').update(si.signature.valueBlock.valueHexView).digest();
    expect((await tsa.verify(Buffer.from((token as asn1js.Sequence).toBER(false)), digest)).ok).toBe(true);
    const report = verifyCades(stamped.bytes, await readFile(content), trust);
    expect(report.verdict).toBe('valid');
    expect(codes(report)).toContain('SIGNATURE_TIMESTAMP');
  }, 60_000);
});
