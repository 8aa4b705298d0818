import { createHash } from 'node:crypto';
import * as asn1js from 'asn1js';
import * as pkijs from 'pkijs';
import { TimestampError, type TimestampSource } from './tsa-client';

/**
 * The signature timestamp of CAdES / PAdES B-T (ETSI EN 319 122-1 §5.3): an unsigned attribute
 * id-aa-signatureTimeStampToken holding an RFC 3161 token over the SHA-256 of the SignerInfo's
 * signature value. Adding it changes nothing that was signed.
 */
export const SIGNATURE_TIMESTAMP_OID = '1.2.840.113549.1.9.16.2.14';

/**
 * The unsigned attributes for a signature value: the timestamp, or none when the TSA cannot
 * be used (the signature is then B-B; signing never fails for want of a timestamp).
 */
export async function signatureTimestampAttributes(
  signature: Uint8Array,
  source: TimestampSource,
): Promise<pkijs.Attribute[]> {
  let token: Uint8Array;
  try {
    token = await source(createHash('sha256').update(signature).digest());
  } catch (e) {
    if (e instanceof TimestampError) return [];
    throw e;
  }
  const asn = asn1js.fromBER(new Uint8Array(token));
  if (asn.offset === -1) return [];
  return [new pkijs.Attribute({ type: SIGNATURE_TIMESTAMP_OID, values: [asn.result] })];
}

/** The signature timestamp token (DER) in a SignerInfo's unsigned attributes, if any. */
export function signatureTimestampOf(si: pkijs.SignerInfo): Uint8Array | undefined {
  const value = si.unsignedAttrs?.attributes.find((a) => a.type === SIGNATURE_TIMESTAMP_OID)?.values[0];
  if (!(value instanceof asn1js.Sequence)) return undefined;
  return new Uint8Array(value.toBER(false));
}
