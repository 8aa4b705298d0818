import * as asn1js from 'asn1js';
import * as pkijs from 'pkijs';
import { toHex } from '../encoding/hex';

/**
 * The X.509 fields that Node's `X509Certificate` does not expose, read with pkijs: the keyUsage
 * bits and the entries of a CRL. Parsing only. The signatures on certificates and CRLs are checked
 * by the callers with node:crypto (OpenSSL). Signing verification (electron/core/signing) and the
 * relay's enrolment checks (hq/) share these.
 */

/** keyUsage bits in the first octet of the BIT STRING (RFC 5280 §4.2.1.3). */
export const KeyUsageBit = {
  digitalSignature: 0x80,
  nonRepudiation: 0x40,
  keyEncipherment: 0x20,
  dataEncipherment: 0x10,
  keyAgreement: 0x08,
  keyCertSign: 0x04,
  cRLSign: 0x02,
} as const;

const KEY_USAGE_OID = '2.5.29.15';

/**
 * The first octet of the certificate's keyUsage bits, or undefined when it has no keyUsage
 * extension (no restriction). A keyUsage that does not parse reads as 0: it allows nothing.
 * Throws when `certDer` is not a certificate.
 */
export function keyUsageBits(certDer: Uint8Array<ArrayBuffer>): number | undefined {
  const cert = pkijs.Certificate.fromBER(certDer);
  const ext = cert.extensions?.find((e) => e.extnID === KEY_USAGE_OID);
  if (!ext) return undefined;
  const bits = asn1js.fromBER(ext.extnValue.valueBlock.valueHexView).result;
  if (!(bits instanceof asn1js.BitString)) return 0;
  return bits.valueBlock.valueHexView[0] ?? 0;
}

/** Whether a certificate may make signatures: keyUsage absent, or digitalSignature or nonRepudiation set. */
export function keyUsageAllowsSigning(certDer: Uint8Array<ArrayBuffer>): boolean {
  const bits = keyUsageBits(certDer);
  return bits === undefined || (bits & (KeyUsageBit.digitalSignature | KeyUsageBit.nonRepudiation)) !== 0;
}

/** A CRL as read, before its signature is checked. */
export interface ParsedCrl {
  /** The signed part (DER), what the issuer's signature covers. */
  readonly tbs: Uint8Array;
  readonly signature: Uint8Array;
  /** The signature algorithm's OID. */
  readonly signatureAlgorithm: string;
  readonly thisUpdate: Date;
  readonly nextUpdate?: Date;
  /** Serial numbers and revocation times. */
  readonly revoked: readonly { readonly serial: bigint; readonly at: Date }[];
}

/** A DER CRL's fields, or undefined when the bytes are not a CRL. */
export function parseCrl(der: Uint8Array<ArrayBuffer>): ParsedCrl | undefined {
  let crl: pkijs.CertificateRevocationList;
  try {
    crl = pkijs.CertificateRevocationList.fromBER(der);
  } catch {
    return undefined;
  }
  const revoked = (crl.revokedCertificates ?? []).map((entry) => ({
    serial: BigInt(`0x${toHex(entry.userCertificate.valueBlock.valueHexView) || '0'}`),
    at: entry.revocationDate.value,
  }));
  return {
    tbs: new Uint8Array(crl.tbsView),
    signature: new Uint8Array(crl.signatureValue.valueBlock.valueHexView),
    signatureAlgorithm: crl.signatureAlgorithm.algorithmId,
    thisUpdate: crl.thisUpdate.value,
    ...(crl.nextUpdate ? { nextUpdate: crl.nextUpdate.value } : {}),
    revoked,
  };
}

/** The hash of the usual certificate and CRL signature algorithms (RSA PKCS#1 and ECDSA), by OID. */
export const SIGNATURE_HASH: Readonly<Record<string, string>> = {
  '1.2.840.113549.1.1.11': 'sha256',
  '1.2.840.113549.1.1.12': 'sha384',
  '1.2.840.113549.1.1.13': 'sha512',
  '1.2.840.10045.4.3.2': 'sha256',
  '1.2.840.10045.4.3.3': 'sha384',
  '1.2.840.10045.4.3.4': 'sha512',
};

/** A check of a signature with the issuer's key, made by the caller (node:crypto `verify`). */
export type IssuerSignatureCheck = (hash: string, signed: Uint8Array, signature: Uint8Array) => boolean;

/**
 * Whether the CRL `crlDer` lists the certificate with serial `serialHex` (Node's
 * `X509Certificate.serialNumber`) as revoked at or before `at`. The CRL counts only if
 * `checkSignature` accepts its signature with the issuer's key: a CRL that does not parse, uses
 * an unknown signature algorithm or was signed by another key proves nothing (false).
 */
export function crlRevokes(
  crlDer: Uint8Array<ArrayBuffer>,
  serialHex: string,
  at: Date,
  checkSignature: IssuerSignatureCheck,
): boolean {
  const crl = parseCrl(crlDer);
  const hash = crl && SIGNATURE_HASH[crl.signatureAlgorithm];
  if (!crl || !hash) return false;
  let signed = false;
  try {
    signed = checkSignature(hash, crl.tbs, crl.signature);
  } catch {
    signed = false;
  }
  if (!signed) return false;
  const serial = BigInt(`0x${serialHex || '0'}`);
  return crl.revoked.some((e) => e.serial === serial && e.at.getTime() <= at.getTime());
}
