import { PDFDict, PDFHexString, PDFNumber, PDFRef } from 'pdf-lib';
import type { PdfFile, Revision } from './pdf-revisions';
import { fieldsOf, type FieldInfo, type StringReader } from './pdf-structure';
import { get, getArray, N, nameOf } from './pdf-values';

/**
 * The signatures of a PDF as a viewer finds them (signature fields of the final revision with
 * a value), and the structural proof that each covers one revision of the file: its byte
 * range starts at 0, skips exactly its own dictionary's /Contents string — found where the
 * signed revision's cross-reference puts that dictionary, not merely somewhere with the same
 * bytes — and ends where that revision ends. Signature wrapping (a moved or duplicated
 * /Contents, a byte range pointing elsewhere, a dictionary overridden in a later revision)
 * fails here, before any cryptography.
 */

export interface PdfSignatureField {
  readonly field: FieldInfo;
  /** The signature dictionary (the field's /V). */
  readonly dict: PDFDict;
  readonly ref: PDFRef | undefined;
  /** A document timestamp (/Type /DocTimeStamp or /SubFilter /ETSI.RFC3161). */
  readonly timestamp: boolean;
}

export function signatureFields(file: PdfFile, strings?: StringReader): PdfSignatureField[] {
  const rev = file.final;
  return fieldsOf(rev, strings).flatMap((field) => {
    if (field.type !== 'Sig') return [];
    const v = field.dict.get(N('V'));
    const dict = rev.resolve(v);
    if (!(dict instanceof PDFDict)) return [];
    const type = nameOf(get(rev, dict, 'Type'));
    const subFilter = nameOf(get(rev, dict, 'SubFilter'));
    return [
      {
        field,
        dict,
        ref: v instanceof PDFRef ? v : undefined,
        timestamp: type === 'DocTimeStamp' || subFilter === 'ETSI.RFC3161',
      },
    ];
  });
}

export type StructureProblem =
  | 'no-byte-range'
  | 'bad-byte-range'
  | 'not-a-revision'
  | 'not-indirect'
  | 'overridden'
  | 'contents-elsewhere'
  | 'contents-not-hex';

export type SignedRevision =
  | {
      readonly ok: true;
      readonly byteRange: readonly [number, number, number, number];
      readonly revision: Revision;
      /** The /Contents value's bytes (the CMS, zero-padded). */
      readonly contents: Buffer;
    }
  | { readonly ok: false; readonly problem: StructureProblem; readonly byteRange?: readonly number[] };

const HEX = /^[0-9a-fA-F]*$/;

export function signedRevisionOf(file: PdfFile, sig: PdfSignatureField): SignedRevision {
  const bytes = file.bytes;
  const final = file.final;
  const brObj = getArray(final, sig.dict, 'ByteRange');
  if (!brObj) return { ok: false, problem: 'no-byte-range' };
  const br = brObj.asArray().map((n) => {
    const v = final.resolve(n);
    return v instanceof PDFNumber && Number.isInteger(v.asNumber()) ? v.asNumber() : -1;
  });
  const [a, b, c, d] = br;
  if (
    br.length !== 4 ||
    a !== 0 ||
    b === undefined ||
    c === undefined ||
    d === undefined ||
    b <= 0 ||
    c < b + 2 ||
    d < 0 ||
    c + d > bytes.length
  )
    return { ok: false, problem: 'bad-byte-range', byteRange: br };
  const revision = file.revisionEndingAt(c + d);
  if (!revision) return { ok: false, problem: 'not-a-revision', byteRange: br };
  if (!sig.ref) return { ok: false, problem: 'not-indirect', byteRange: br };
  // The dictionary a viewer reads must be the one the signed revision holds, at the same place.
  const inFinal = final.entry(sig.ref.objectNumber);
  const inSigned = revision.entry(sig.ref.objectNumber);
  if (
    inFinal?.type !== 'offset' ||
    inSigned?.type !== 'offset' ||
    inFinal.offset !== inSigned.offset ||
    inFinal.gen !== inSigned.gen
  )
    return { ok: false, problem: 'overridden', byteRange: br };
  const located = revision.located(sig.ref.objectNumber);
  const span = located?.spans.get('Contents');
  if (!located || !span || span[0] !== b || span[1] !== c || located.end > c + d)
    return { ok: false, problem: 'contents-elsewhere', byteRange: br };
  const contents = located.value instanceof PDFDict ? located.value.get(N('Contents')) : undefined;
  const gap = bytes.toString('latin1', b, c);
  const inner = gap.slice(1, -1);
  if (!(contents instanceof PDFHexString) || !gap.startsWith('<') || !gap.endsWith('>') || !HEX.test(inner))
    return { ok: false, problem: 'contents-not-hex', byteRange: br };
  return {
    ok: true,
    byteRange: [a, b, c, d],
    revision,
    contents: Buffer.from(inner.length % 2 === 0 ? inner : `${inner}0`, 'hex'),
  };
}

/** A certification signature's DocMDP permission (1, 2 or 3), read from its /Reference. */
export function docMdpPermission(rev: Revision, dict: PDFDict): 1 | 2 | 3 | undefined {
  const refs = getArray(rev, dict, 'Reference');
  for (const r of refs?.asArray() ?? []) {
    const sigRef = rev.resolve(r);
    if (!(sigRef instanceof PDFDict)) continue;
    if (nameOf(get(rev, sigRef, 'TransformMethod')) !== 'DocMDP') continue;
    const params = get(rev, sigRef, 'TransformParams');
    const p = params instanceof PDFDict ? get(rev, params, 'P') : undefined;
    const n = p instanceof PDFNumber ? p.asNumber() : 2;
    return n === 1 || n === 3 ? n : 2;
  }
  return undefined;
}

/** The signature dictionary the catalog's /Perms /DocMDP names, if any. */
export function docMdpSignatureRef(rev: Revision, catalog: PDFDict | undefined): PDFRef | undefined {
  const perms = catalog ? rev.resolve(catalog.get(N('Perms'))) : undefined;
  const ref = perms instanceof PDFDict ? perms.get(N('DocMDP')) : undefined;
  return ref instanceof PDFRef ? ref : undefined;
}
