import * as pkijs from 'pkijs';
import type { PdfSandbox } from '../pdf-sandbox';
import { derLength } from './cms';
import { signatureTimestampAttributes, signatureTimestampOf } from './signature-timestamp';
import type { TimestampSource } from './tsa-client';

/**
 * Turning a B-B signature into B-T after the fact (the TSA was away when it was signed): the
 * signature timestamp is an unsigned attribute, so adding it changes nothing that was signed.
 * For a .p7s the CMS is re-encoded with it; for a PDF the new CMS is written over the old one
 * inside the same /Contents placeholder, so the byte range and every signed byte stay as they
 * were. That is only done to the file's last signature with nothing after it (a later
 * signature covers the old /Contents, and would break).
 */

export type LateStamp =
  | { readonly ok: true; readonly bytes: Buffer }
  /** `unreachable`: try again later; the others never will succeed. */
  | { readonly ok: false; readonly why: 'unreachable' | 'already-stamped' | 'not-stampable' };

const SIGNED_DATA = '1.2.840.113549.1.7.2';

/** Adds a signature timestamp to the first SignerInfo of a CMS (DER). */
export async function stampCms(cms: Uint8Array, source: TimestampSource): Promise<LateStamp> {
  let info: pkijs.ContentInfo;
  let signed: pkijs.SignedData;
  try {
    const len = derLength(cms);
    const der = len > 0 && len <= cms.length ? cms.subarray(0, len) : cms;
    info = pkijs.ContentInfo.fromBER(new Uint8Array(der));
    if (info.contentType !== SIGNED_DATA) return { ok: false, why: 'not-stampable' };
    signed = new pkijs.SignedData({ schema: info.content });
  } catch {
    return { ok: false, why: 'not-stampable' };
  }
  const si = signed.signerInfos[0];
  if (!si || signed.signerInfos.length !== 1) return { ok: false, why: 'not-stampable' };
  if (signatureTimestampOf(si)) return { ok: false, why: 'already-stamped' };
  const attrs = await signatureTimestampAttributes(si.signature.valueBlock.valueHexView, source);
  if (attrs.length === 0) return { ok: false, why: 'unreachable' };
  si.unsignedAttrs = new pkijs.SignedAndUnsignedAttributes({
    type: 1,
    attributes: [...(si.unsignedAttrs?.attributes ?? []), ...attrs],
  });
  const out = new pkijs.ContentInfo({ contentType: SIGNED_DATA, content: signed.toSchema(true) });
  return { ok: true, bytes: Buffer.from(out.toSchema().toBER(false)) };
}

const LT = 0x3c;
const GT = 0x3e;

/** Adds a signature timestamp to the last signature of a PDF, in its own placeholder. */
export async function stampPdf(
  pdf: Uint8Array,
  source: TimestampSource,
  sandbox: PdfSandbox,
): Promise<LateStamp> {
  const bytes = Buffer.from(pdf);
  const facts = await sandbox.signatures(bytes);
  if (facts.format !== 'ok') return { ok: false, why: 'not-stampable' };
  const last = facts.signatures.at(-1);
  if (!last || !last.signed.ok || last.signed.later || last.subFilter === 'ETSI.RFC3161')
    return { ok: false, why: 'not-stampable' };
  // The sandbox's byte range, checked on our bytes: the placeholder is exactly the gap, and the
  // signature covers the file to its end.
  const [a, b, c, d] = last.signed.byteRange;
  if (a !== 0 || c <= b + 1 || c + d !== bytes.length || bytes[b] !== LT || bytes[c - 1] !== GT)
    return { ok: false, why: 'not-stampable' };
  const hexLength = c - 1 - (b + 1);
  const current = Buffer.from(bytes.subarray(b + 1, c - 1).toString('latin1'), 'hex');
  if (!current.equals(Buffer.from(last.signed.contents).subarray(0, current.length)))
    return { ok: false, why: 'not-stampable' };
  const stamped = await stampCms(current, source);
  if (!stamped.ok) return stamped;
  const hex = stamped.bytes.toString('hex');
  if (hex.length > hexLength) return { ok: false, why: 'not-stampable' };
  bytes.write(hex.padEnd(hexLength, '0'), b + 1, 'latin1');
  return { ok: true, bytes };
}
