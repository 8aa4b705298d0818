import { analyseModifications } from './modification/analyse';
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
import type { Finding, PdfSignatureFacts, SignatureFacts } from '../sandbox-protocol';

/**
 * The parsing half of PDF verification, in the sandbox: every signature field of the final
 * revision that holds a value, in the order of the revisions they sign, with the structural
 * proof that its byte range is one revision with its own /Contents as the only gap
 * (`pdf/pdf-signatures.ts`), the certification, and the analysis of every later revision
 * (`modification/`). The core judges these facts (digest over its own copy of the bytes, the
 * CMS, the path, the rules of the permission): see signing/pdf-verify.ts.
 */

interface Located {
  readonly sig: PdfSignatureField;
  readonly signed: SignedRevision;
  readonly end: number;
}

export function signatureFacts(bytes: Uint8Array): PdfSignatureFacts {
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
    return { format: 'unreadable' };
  }
  located.sort((a, b) => a.end - b.end);

  // A certification is the catalog's /Perms /DocMDP signature with a DocMDP reference, and it
  // must be the first signature; its permission then governs every later revision.
  const final = doc.file.final;
  const mdpRef = docMdpSignatureRef(final, catalogOf(final));
  const certifying = located.find((l) => l.sig.ref !== undefined && l.sig.ref === mdpRef);
  const level = certifying ? docMdpPermission(final, certifying.sig.dict) : undefined;
  const certifiedFirst = certifying !== undefined && level !== undefined && located[0] === certifying;

  const dss = readDss(doc);
  const analyses = new Map<Revision, Finding[]>();
  const signatures = located.map(({ sig, signed }) =>
    factsOf(doc, sig, signed, {
      certification: sig === certifying?.sig ? level : undefined,
      misplaced: sig === certifying?.sig && !certifiedFirst && level !== undefined,
      analyses,
    }),
  );
  return {
    format: 'ok',
    permission: certifiedFirst && level !== undefined ? level : 'approval',
    signatures,
    dss: { certs: dss.certs.map(plain), crls: dss.crls.map(plain) },
  };
}

function factsOf(
  doc: PdfDocument,
  sig: PdfSignatureField,
  signed: SignedRevision,
  context: {
    certification: 1 | 2 | 3 | undefined;
    misplaced: boolean;
    analyses: Map<Revision, Finding[]>;
  },
): SignatureFacts {
  const file = doc.file;
  const final = file.final;
  const text = (key: string) => doc.text(sig.dict.get(N(key)), sig.ref)?.slice(0, 4096);
  const subFilter = nameOf(get(final, sig.dict, 'SubFilter'))?.slice(0, 256);
  const claimed = text('M')?.slice(0, 128);
  const meta = {
    fieldName: sig.field.name.slice(0, 256),
    ...(subFilter ? { subFilter } : {}),
    ...(text('Reason') ? { reason: text('Reason') } : {}),
    ...(text('Location') ? { location: text('Location') } : {}),
    ...(claimed ? { claimedTime: claimed } : {}),
    ...(context.certification ? { certification: context.certification } : {}),
    misplacedCertification: context.misplaced,
  };
  if (!signed.ok) return { ...meta, signed: { ok: false } };
  const { byteRange, revision, contents } = signed;
  const later = revision !== final || file.trailingData;
  let findings: Finding[] = [];
  if (later) {
    findings = context.analyses.get(revision) ?? [];
    if (!context.analyses.has(revision)) {
      findings = analyseModifications(revision, final, {
        strings: doc.strings,
        trailingData: file.trailingData,
      });
      context.analyses.set(revision, findings);
    }
  }
  return {
    ...meta,
    signed: {
      ok: true,
      byteRange: [byteRange[0], byteRange[1], byteRange[2], byteRange[3]],
      contents: plain(contents),
      revisionIndex: revision.index,
      later,
      findings,
    },
  };
}

/** A copy as a plain Uint8Array (a Buffer view into the file would carry the whole file). */
function plain(bytes: Uint8Array): Uint8Array {
  return new Uint8Array(bytes);
}
