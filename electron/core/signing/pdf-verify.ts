import { createHash, X509Certificate } from 'node:crypto';
import type { PdfSandbox, SignatureFacts } from '../pdf-sandbox';
import { cmsOfContents } from './cms';
import { PERMISSION_TEXT } from './modification/modification-kinds';
import { modificationReasons } from './modification/modification-reasons';
import { parsePdfDate } from './pdf-date';
import { signedRanges } from './signature-placeholder';
import { overallVerdict, reason, type Reason } from './verdict';
import type { SignatureReport, TrustSettings, VerifyReport } from './verify';

/**
 * PDF verification, judged here from the facts the PDF sandbox found (its parsing half is
 * pdf-sandbox/host/signature-facts.ts): for each signature, the byte range the sandbox
 * located is checked again against our own copy of the bytes, the digests are computed here
 * from those bytes, then the CMS and the certificate path (the `judge` of verify.ts), and the
 * later revisions' findings against the rules its certification level allows
 * (`modification/`). The certificates and CRLs of the file's DSS join the path-building
 * material. Nothing here parses PDF syntax.
 */

/** verify.ts's check of one CMS with its path; PDF-specific facts are added here. */
export type JudgeCms = (
  cms: Uint8Array,
  digest: (hash: 'sha256' | 'sha384' | 'sha512') => Buffer,
  trust: TrustSettings,
  claimedTime: Date | undefined,
  extra: Reason[],
) => Omit<SignatureReport, 'subFilter' | 'reason' | 'location' | 'coversWholeDocument'>;

export async function verifyPdfDocument(
  pdf: Uint8Array,
  trust: TrustSettings,
  judge: JudgeCms,
  sandbox: PdfSandbox,
): Promise<VerifyReport> {
  const bytes = Buffer.from(pdf.buffer, pdf.byteOffset, pdf.length);
  const facts = await sandbox.signatures(bytes);
  if (facts.format === 'unreadable')
    return { kind: 'pdf', verdict: 'invalid', signatures: [], reasons: [reason('FORMAT_FAILURE')] };
  const extended: TrustSettings = {
    ...trust,
    intermediates: [...(trust.intermediates ?? []), ...parseAll(facts.dss.certs)],
    crls: [...(trust.crls ?? []), ...facts.dss.crls],
  };
  const signatures = facts.signatures.map((sig) => report(bytes, sig, facts.permission, extended, judge));
  const reasons = signatures.length === 0 ? [reason('NO_SIGNATURE')] : [];
  return { kind: 'pdf', verdict: overallVerdict(signatures.map((s) => s.verdict)), signatures, reasons };
}

/**
 * The byte range as PDF signatures must have it, on our bytes: from 0, the gap before the
 * second range, nothing past the end. The sandbox said so; a sandbox that lies is caught here.
 */
function rangeFits(br: readonly [number, number, number, number], length: number): boolean {
  const [a, b, c, d] = br;
  return a === 0 && b > 0 && c > b && d >= 0 && c + d <= length;
}

function report(
  bytes: Buffer,
  sig: SignatureFacts,
  permission: 'approval' | 1 | 2 | 3,
  trust: TrustSettings,
  judge: JudgeCms,
): SignatureReport {
  const claimed = sig.claimedTime ? parsePdfDate(sig.claimedTime) : undefined;
  const meta = {
    ...(sig.subFilter ? { subFilter: sig.subFilter } : {}),
    ...(sig.reason ? { reason: sig.reason } : {}),
    ...(sig.location ? { location: sig.location } : {}),
    fieldName: sig.fieldName,
    ...(sig.certification ? { certification: { permission: sig.certification } } : {}),
  };
  const signed = sig.signed;
  if (!signed.ok || !rangeFits(signed.byteRange, bytes.length)) {
    return {
      signer: null,
      signingTime: claimed ? claimed.toISOString() : null,
      verdict: 'invalid',
      reasons: [reason('BYTE_RANGE_INVALID')],
      chain: [],
      certificate: null,
      ...meta,
      coversWholeDocument: false,
    };
  }
  const { byteRange, contents, later } = signed;
  const end = byteRange[2] + byteRange[3];
  const extra: Reason[] = [];
  if (sig.misplacedCertification) extra.push(reason('CERTIFICATION_NOT_FIRST'));
  if (sig.certification) extra.push(reason('CERTIFIED', { what: PERMISSION_TEXT[sig.certification] }));
  if (later) extra.push(...modificationReasons(signed.findings, permission, sig.certification !== undefined));
  const cms = cmsOfContents(contents);
  // One pass for the two SHA-256 digests: of the signed ranges (for the CMS) and of the whole
  // signed revision (for "the signed version"); they share everything before /Contents.
  const [a, b, c] = byteRange;
  const head = createHash('sha256').update(bytes.subarray(a, a + b));
  const rangesSha256 = head.copy().update(bytes.subarray(c, end)).digest();
  const revisionSha256 = head.update(bytes.subarray(a + b, end)).digest('hex');
  const digest = (h: 'sha256' | 'sha384' | 'sha512') => {
    if (h === 'sha256') return rangesSha256;
    const hash = createHash(h);
    for (const part of signedRanges(bytes, byteRange)) hash.update(part);
    return hash.digest();
  };
  const judged = judge(cms, digest, trust, claimed, extra);
  return {
    ...judged,
    ...meta,
    coversWholeDocument: !later,
    signedRevision: { index: signed.revisionIndex, length: end, sha256: revisionSha256 },
  };
}

function parseAll(ders: readonly Uint8Array[]): X509Certificate[] {
  return ders.flatMap((d) => {
    try {
      return [new X509Certificate(d)];
    } catch {
      return [];
    }
  });
}
