import { createHash, X509Certificate } from 'node:crypto';
import { derLength } from './cms';
import { analyseModifications } from './modification/analyse';
import { PERMISSION_TEXT, type Finding, type Permission } from './modification/modification-kinds';
import { modificationReasons } from './modification/modification-reasons';
import { openPdf, type PdfDocument } from './pdf/pdf-document';
import { readDss } from './pdf/pdf-dss';
import { PdfSyntaxError } from './pdf/pdf-object-reader';
import type { Revision } from './pdf/pdf-revisions';
import {
  docMdpPermission,
  docMdpSignatureRef,
  signatureFields,
  signedRevisionOf,
  type PdfSignatureField,
  type SignedRevision,
} from './pdf/pdf-signatures';
import { catalogOf } from './pdf/pdf-structure';
import { get, N, nameOf } from './pdf/pdf-values';
import { parsePdfDate } from './pdf/pdf-dates';
import { signedRanges } from './pdf/pdf-signature-update';
import { overallVerdict, reason, type Reason } from './verdict';
import type { SignatureReport, TrustSettings, VerifyReport } from './verify';

/**
 * PDF verification: every signature field of the final revision that holds a value, in the
 * order of the revisions they sign. For each: the structural proof that its byte range is one
 * revision with its own /Contents as the only gap (`pdf/pdf-signatures.ts`), the CMS and the
 * certificate path (the `judge` of verify.ts), and the analysis of every later revision
 * against the rules its certification level allows (`modification/`). The certificates and
 * CRLs of the file's DSS join the path-building material.
 */

/** verify.ts's check of one CMS with its path; PDF-specific facts are added here. */
export type JudgeCms = (
  cms: Uint8Array,
  digest: (hash: 'sha256' | 'sha384' | 'sha512') => Buffer,
  trust: TrustSettings,
  claimedTime: Date | undefined,
  extra: Reason[],
) => Omit<SignatureReport, 'subFilter' | 'reason' | 'location' | 'coversWholeDocument'>;

interface Located {
  readonly sig: PdfSignatureField;
  readonly signed: SignedRevision;
  readonly end: number;
}

export function verifyPdfDocument(pdf: Uint8Array, trust: TrustSettings, judge: JudgeCms): VerifyReport {
  const bytes = Buffer.from(pdf.buffer, pdf.byteOffset, pdf.length);
  let doc: PdfDocument;
  let located: Located[];
  try {
    doc = openPdf(bytes);
    located = signatureFields(doc.file, doc.strings).map((sig) => {
      const signed = signedRevisionOf(doc.file, sig);
      return {
        sig,
        signed,
        end: signed.ok ? signed.byteRange[2] + signed.byteRange[3] : Number.MAX_SAFE_INTEGER,
      };
    });
  } catch (e) {
    if (!(e instanceof PdfSyntaxError)) throw e;
    return { kind: 'pdf', verdict: 'invalid', signatures: [], reasons: [reason('FORMAT_FAILURE')] };
  }
  located.sort((a, b) => a.end - b.end);

  // A certification is the catalog's /Perms /DocMDP signature with a DocMDP reference, and it
  // must be the first signature; its permission then governs every later revision.
  const final = doc.file.final;
  const mdpRef = docMdpSignatureRef(final, catalogOf(final));
  const certifying = located.find((l) => l.sig.ref !== undefined && l.sig.ref === mdpRef);
  const level = certifying ? docMdpPermission(final, certifying.sig.dict) : undefined;
  const certifiedFirst = certifying !== undefined && level !== undefined && located[0] === certifying;
  const permission: Permission = certifiedFirst && level !== undefined ? level : 'approval';

  const dss = readDss(doc);
  const extended: TrustSettings = {
    ...trust,
    intermediates: [...(trust.intermediates ?? []), ...parseAll(dss.certs)],
    crls: [...(trust.crls ?? []), ...dss.crls],
  };
  const analyses = new Map<Revision, Finding[]>();
  const signatures = located.map(({ sig, signed }) =>
    report(doc, sig, signed, extended, judge, {
      permission,
      certification: sig === certifying?.sig ? level : undefined,
      misplacedCertification: sig === certifying?.sig && !certifiedFirst && level !== undefined,
      analyses,
    }),
  );
  const reasons = signatures.length === 0 ? [reason('NO_SIGNATURE')] : [];
  return { kind: 'pdf', verdict: overallVerdict(signatures.map((s) => s.verdict)), signatures, reasons };
}

function report(
  doc: PdfDocument,
  sig: PdfSignatureField,
  signed: SignedRevision,
  trust: TrustSettings,
  judge: JudgeCms,
  context: {
    permission: Permission;
    certification: 1 | 2 | 3 | undefined;
    misplacedCertification: boolean;
    analyses: Map<Revision, Finding[]>;
  },
): SignatureReport {
  const file = doc.file;
  const final = file.final;
  const owner = sig.ref;
  const text = (key: string) => doc.text(sig.dict.get(N(key)), owner);
  const subFilter = nameOf(get(final, sig.dict, 'SubFilter'));
  const claimed = text('M') ? parsePdfDate(text('M') as string) : undefined;
  const meta = {
    ...(subFilter ? { subFilter } : {}),
    ...(text('Reason') ? { reason: text('Reason') } : {}),
    ...(text('Location') ? { location: text('Location') } : {}),
    fieldName: sig.field.name.slice(0, 256),
    ...(context.certification ? { certification: { permission: context.certification } } : {}),
  };
  if (!signed.ok) {
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
  const { byteRange, revision, contents } = signed;
  const end = byteRange[2] + byteRange[3];
  const later = revision !== final || file.trailingData;
  const extra: Reason[] = [];
  if (context.misplacedCertification) extra.push(reason('CERTIFICATION_NOT_FIRST'));
  if (context.certification)
    extra.push(reason('CERTIFIED', { what: PERMISSION_TEXT[context.certification] }));
  if (later) {
    let findings = context.analyses.get(revision);
    if (!findings) {
      findings = analyseModifications(revision, final, {
        strings: doc.strings,
        trailingData: file.trailingData,
      });
      context.analyses.set(revision, findings);
    }
    extra.push(...modificationReasons(findings, context.permission, context.certification !== undefined));
  }
  const len = derLength(contents);
  const cms = len > 0 && len <= contents.length ? contents.subarray(0, len) : contents;
  // One pass for the two SHA-256 digests: of the signed ranges (for the CMS) and of the whole
  // signed revision (for "the signed version"); they share everything before /Contents.
  const [a, b, c] = byteRange;
  const head = createHash('sha256').update(file.bytes.subarray(a, a + b));
  const rangesSha256 = head.copy().update(file.bytes.subarray(c, end)).digest();
  const revisionSha256 = head.update(file.bytes.subarray(a + b, end)).digest('hex');
  const digest = (h: 'sha256' | 'sha384' | 'sha512') => {
    if (h === 'sha256') return rangesSha256;
    const hash = createHash(h);
    for (const part of signedRanges(file.bytes, byteRange)) hash.update(part);
    return hash.digest();
  };
  const judged = judge(cms, digest, trust, claimed, extra);
  return {
    ...judged,
    ...meta,
    coversWholeDocument: !later,
    signedRevision: {
      index: revision.index,
      length: end,
      sha256: revisionSha256,
    },
  };
}

function parseAll(ders: readonly Buffer[]): X509Certificate[] {
  return ders.flatMap((d) => {
    try {
      return [new X509Certificate(d)];
    } catch {
      return [];
    }
  });
}
