import type * as asn1js from 'asn1js';
import * as pkijs from 'pkijs';

/** RFC 3161 TSTInfo in a CMS: what a time-stamp token (a PDF document timestamp) signs. */

const TST_INFO = '1.2.840.113549.1.9.16.1.4';

/** The TSTInfo of a time-stamp token (eContentType id-ct-TSTInfo, also the signed contentType). */
export function timestampInfo(
  signedData: pkijs.SignedData,
  contentType: asn1js.ObjectIdentifier,
): { der: Buffer; info: pkijs.TSTInfo } | undefined {
  const eci = signedData.encapContentInfo;
  if (eci.eContentType !== TST_INFO || contentType.getValue() !== TST_INFO || !eci.eContent) return undefined;
  try {
    const der = Buffer.from(eci.eContent.getValue());
    return { der, info: pkijs.TSTInfo.fromBER(new Uint8Array(der)) };
  } catch {
    return undefined;
  }
}
