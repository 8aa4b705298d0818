import { createHash, type X509Certificate } from 'node:crypto';
import type { PdfSandbox } from '../pdf-sandbox';
import { displayName } from './certificates';
import { checkCms } from './cms';
import { validatePath } from './path';
import { provenTime } from './verify-timestamp';
import { verifyPdfDocument } from './pdf-verify';
import { overallVerdict, reason, verdictOf, type Reason, type Verdict } from './verdict';

/** What the relying party trusts: anchors (roots) and optionally cached CRLs and intermediates. */
export interface TrustSettings {
  readonly anchors: readonly X509Certificate[];
  readonly intermediates?: readonly X509Certificate[];
  readonly crls?: readonly Uint8Array[];
  /** The validation time; defaults to now. */
  readonly now?: Date;
  /** Certificate policies a signer's path must carry one of (IT's policy, `--policy`); none: any. */
  readonly requiredPolicies?: readonly string[];
}

export interface CertificateSummary {
  readonly subject: string;
  readonly issuer: string;
  readonly serial: string;
  readonly notBefore: string;
  readonly notAfter: string;
}

/** One signature's result, as the UI's signature panel and `embassy verify --json` show it. */
export interface SignatureReport {
  readonly signer: string | null;
  readonly signingTime: string | null;
  readonly verdict: Verdict;
  readonly reasons: Reason[];
  /** The certification path found, signer first (subjects). */
  readonly chain: string[];
  readonly certificate: CertificateSummary | null;
  /** PDF only: the signature's sub-filter, reason and location, and whether later revisions exist. */
  readonly subFilter?: string;
  readonly reason?: string;
  readonly location?: string;
  readonly coversWholeDocument?: boolean;
  /** PDF only: the signature field's name. */
  readonly fieldName?: string;
  /** PDF only: the revision this signature covers — its bytes are the file's first `length`. */
  readonly signedRevision?: { readonly index: number; readonly length: number; readonly sha256: string };
  /** PDF only: a certification signature's DocMDP permission. */
  readonly certification?: { readonly permission: 1 | 2 | 3 };
}

export interface VerifyReport {
  readonly kind: 'pdf' | 'cades';
  readonly verdict: Verdict;
  readonly signatures: SignatureReport[];
  /** File-level reasons (e.g. no signature at all). */
  readonly reasons: Reason[];
}

function summary(c: X509Certificate): CertificateSummary {
  return {
    subject: displayName(c.subject),
    issuer: displayName(c.issuer),
    serial: c.serialNumber,
    notBefore: new Date(c.validFrom).toISOString(),
    notAfter: new Date(c.validTo).toISOString(),
  };
}

/** Turns a CMS check into a report: path building at the claimed signing time, then now. */
function judge(
  cms: Uint8Array,
  digest: (hash: 'sha256' | 'sha384' | 'sha512') => Buffer,
  trust: TrustSettings,
  claimedTime: Date | undefined,
  extra: Reason[],
): Omit<SignatureReport, 'subFilter' | 'reason' | 'location' | 'coversWholeDocument'> {
  const check = checkCms(cms, digest);
  const reasons = [...extra, ...check.reasons];
  const now = trust.now ?? new Date();
  const time = claimedTime ?? check.signingTime;
  let chain: string[] = [];
  if (check.signer) {
    if (!time) reasons.push(reason('NO_SIGNING_TIME'));
    // The claimed time is when the certificate was used; the proven time is a trusted signature
    // timestamp's, else now, so without one the chain must be good now as well (ETSI's
    // best-signature-time). A claim later than the proof gives way to the proof.
    const proof = provenTime(check, trust, now);
    reasons.push(...proof.reasons);
    const poe = proof.poe ?? now;
    const used = time && time.getTime() < poe.getTime() ? time : poe;
    const path = validatePath({
      target: check.signer,
      untrusted: [...check.certificates, ...(trust.intermediates ?? [])],
      anchors: trust.anchors,
      crls: trust.crls ?? [],
      at: used,
      poe,
      now,
      purpose: check.isTimestamp ? 'timestamping' : 'document-signing',
      ...(check.isTimestamp ? {} : { requiredPolicies: trust.requiredPolicies ?? [] }),
    });
    reasons.push(...path.reasons);
    chain = path.chain.map((c) => displayName(c.subject));
  }
  const unique = reasons.filter((r, i) => reasons.findIndex((x) => x.code === r.code) === i);
  return {
    signer: check.signer ? displayName(check.signer.subject) : null,
    signingTime: time ? time.toISOString() : null,
    verdict: verdictOf(unique),
    reasons: unique,
    chain,
    certificate: check.signer ? summary(check.signer) : null,
  };
}

/** Verifies a detached CAdES/CMS signature over `content`. */
export function verifyCades(p7s: Uint8Array, content: Uint8Array, trust: TrustSettings): VerifyReport {
  let der: Uint8Array = p7s;
  // Accept PEM-armoured CMS too (openssl's default output).
  const text = Buffer.from(p7s.subarray(0, 64)).toString('latin1');
  if (text.includes('-----BEGIN')) {
    const b64 = Buffer.from(p7s)
      .toString('latin1')
      .replace(/-----[^-]+-----/g, '')
      .replace(/\s+/g, '');
    der = Buffer.from(b64, 'base64');
  }
  const report = judge(der, (h) => createHash(h).update(content).digest(), trust, undefined, []);
  return { kind: 'cades', verdict: overallVerdict([report.verdict]), signatures: [report], reasons: [] };
}

/**
 * Verifies every signature in a PDF: the byte range of each is one revision with its own
 * /Contents as the only gap, the CMS and path are judged as above, and every later revision is
 * classified (`pdf-verify.ts`, `modification/`). The PDF is parsed in the PDF sandbox.
 */
export async function verifyPdf(
  pdf: Uint8Array,
  trust: TrustSettings,
  sandbox: PdfSandbox,
): Promise<VerifyReport> {
  return verifyPdfDocument(pdf, trust, judge, sandbox);
}
