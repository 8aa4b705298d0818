import { createHash, type X509Certificate } from 'node:crypto';
import { PDFArray, PDFDict, PDFDocument, PDFHexString, PDFName, PDFNumber, PDFString } from 'pdf-lib';
import { buildPath, displayName, validAt } from './certificates';
import { checkCms, derLength } from './cms';
import { parsePdfDate, signedRanges } from './pdf-incremental';
import { overallVerdict, reason, verdictOf, type Reason, type Verdict } from './verdict';

/** What the relying party trusts: anchors (roots) and optionally cached CRLs and intermediates. */
export interface TrustSettings {
  readonly anchors: readonly X509Certificate[];
  readonly intermediates?: readonly X509Certificate[];
  readonly crls?: readonly Uint8Array[];
  /** The validation time; defaults to now. */
  readonly now?: Date;
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
    const path = buildPath(
      check.signer,
      [...check.certificates, ...(trust.intermediates ?? [])],
      trust.anchors,
      time ?? now,
      trust.crls ?? [],
    );
    reasons.push(...path.reasons);
    // B-B signatures carry no proof of time: a certificate that has expired since cannot be
    // relied on either (ETSI OUT_OF_BOUNDS_NO_POE).
    if (validAt(check.signer, now) === 'expired' && !reasons.some((r) => r.code === 'CERT_EXPIRED')) {
      reasons.push(reason('CERT_EXPIRED'));
    }
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

const HEX = /^[0-9a-fA-F]*$/;

/**
 * Verifies every signature in a PDF. For each signature dictionary: the /ByteRange must start
 * at 0, leave out exactly this dictionary's /Contents, and end at an end-of-file marker (a
 * revision boundary); later bytes are a later revision and are reported, not hidden. The CMS
 * inside is checked against the hash of the byte ranges.
 */
export async function verifyPdf(pdf: Uint8Array, trust: TrustSettings): Promise<VerifyReport> {
  const bytes = Buffer.from(pdf);
  let doc: PDFDocument;
  try {
    doc = await PDFDocument.load(bytes, {
      updateMetadata: false,
      ignoreEncryption: true,
      throwOnInvalidObject: false,
    });
  } catch {
    return { kind: 'pdf', verdict: 'invalid', signatures: [], reasons: [reason('FORMAT_FAILURE')] };
  }
  const sigDicts: PDFDict[] = [];
  for (const [, obj] of doc.context.enumerateIndirectObjects()) {
    if (
      obj instanceof PDFDict &&
      obj.get(PDFName.of('ByteRange')) instanceof PDFArray &&
      obj.has(PDFName.of('Contents'))
    ) {
      const type = obj.get(PDFName.of('Type'));
      if (type === undefined || type === PDFName.of('Sig') || type === PDFName.of('DocTimeStamp'))
        sigDicts.push(obj);
    }
  }
  const signatures: SignatureReport[] = [];
  const ranges = sigDicts.map((d) => {
    const arr = d.lookup(PDFName.of('ByteRange'), PDFArray);
    return arr.asArray().map((n) => (n instanceof PDFNumber ? n.asNumber() : -1));
  });
  // In file order: the revision each signature closes.
  const order = ranges.map((br, i) => ({ br, i })).sort((a, b) => (a.br[1] ?? 0) - (b.br[1] ?? 0));
  for (const { br, i } of order) {
    const dict = sigDicts[i] as PDFDict;
    const text = (key: string) => {
      const v = dict.get(PDFName.of(key));
      return v instanceof PDFString || v instanceof PDFHexString ? v.decodeText() : undefined;
    };
    const subFilter = dict.get(PDFName.of('SubFilter'));
    const meta = {
      ...(subFilter instanceof PDFName ? { subFilter: subFilter.decodeText() } : {}),
      ...(text('Reason') ? { reason: text('Reason') } : {}),
      ...(text('Location') ? { location: text('Location') } : {}),
    };
    const [a, b, c, d] = br;
    const structural: Reason[] = [];
    let cms: Buffer = Buffer.alloc(0);
    let end = 0;
    const wellFormed =
      br.length === 4 &&
      a === 0 &&
      b !== undefined &&
      c !== undefined &&
      d !== undefined &&
      b > 0 &&
      c > b + 1 &&
      d >= 0 &&
      c + d <= bytes.length;
    if (wellFormed) {
      end = c + d;
      const gap = bytes.subarray(b, c).toString('latin1');
      const declared = dict.get(PDFName.of('Contents'));
      const declaredHex = declared instanceof PDFHexString ? declared.asString().replace(/\s+/g, '') : null;
      const inner = gap.slice(1, -1);
      const revisionEnd = bytes.subarray(Math.max(0, end - 8), end).toString('latin1');
      if (
        !gap.startsWith('<') ||
        !gap.endsWith('>') ||
        !HEX.test(inner) ||
        declaredHex === null ||
        declaredHex.toLowerCase() !== inner.toLowerCase()
      ) {
        structural.push(reason('BYTE_RANGE_INVALID'));
      } else if (!/%%EOF\s*$/.test(revisionEnd)) {
        structural.push(reason('BYTE_RANGE_INVALID'));
      } else {
        const raw = Buffer.from(inner, 'hex');
        const len = derLength(raw);
        cms = len > 0 && len <= raw.length ? raw.subarray(0, len) : raw;
      }
    } else {
      structural.push(reason('BYTE_RANGE_INVALID'));
    }
    const later = wellFormed && end < bytes.length;
    if (later) structural.push(reason('MODIFIED_AFTER_SIGNING'));
    const m = text('M');
    const claimed = m ? parsePdfDate(m) : undefined;
    if (structural.some((r) => r.severity === 'invalid')) {
      signatures.push({
        signer: null,
        signingTime: claimed ? claimed.toISOString() : null,
        verdict: 'invalid',
        reasons: structural,
        chain: [],
        certificate: null,
        ...meta,
        coversWholeDocument: !later,
      });
      continue;
    }
    const digest = (h: 'sha256' | 'sha384' | 'sha512') => {
      const hash = createHash(h);
      for (const part of signedRanges(bytes, br)) hash.update(part);
      return hash.digest();
    };
    const report = judge(cms, digest, trust, claimed, structural);
    signatures.push({ ...report, ...meta, coversWholeDocument: !later });
  }
  const reasons = signatures.length === 0 ? [reason('NO_SIGNATURE')] : [];
  return { kind: 'pdf', verdict: overallVerdict(signatures.map((s) => s.verdict)), signatures, reasons };
}
