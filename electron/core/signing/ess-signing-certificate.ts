import { createHash, type X509Certificate } from 'node:crypto';
import * as asn1js from 'asn1js';
import * as pkijs from 'pkijs';

/**
 * The ESS signingCertificateV2 attribute (RFC 5035) that binds a CMS signature to its signer's
 * certificate: built for our signatures, matched when verifying.
 */

const HASH_OF: Readonly<Record<string, string>> = {
  '2.16.840.1.101.3.4.2.1': 'sha256',
  '2.16.840.1.101.3.4.2.2': 'sha384',
  '2.16.840.1.101.3.4.2.3': 'sha512',
};

export /** ESSCertIDv2 for the signer: SHA-256 of the certificate plus its issuer and serial (RFC 5035). */
function signingCertificateV2(cert: pkijs.Certificate, der: Uint8Array): asn1js.Sequence {
  const certHash = createHash('sha256').update(der).digest();
  const issuerSerial = new asn1js.Sequence({
    value: [
      new asn1js.Sequence({ value: [new pkijs.GeneralName({ type: 4, value: cert.issuer }).toSchema()] }),
      cert.serialNumber,
    ],
  });
  // hashAlgorithm is omitted: its DEFAULT is SHA-256, and DER omits defaults.
  const essCertIdV2 = new asn1js.Sequence({
    value: [new asn1js.OctetString({ valueHex: new Uint8Array(certHash) }), issuerSerial],
  });
  return new asn1js.Sequence({ value: [new asn1js.Sequence({ value: [essCertIdV2] })] });
}

/** Whether a signingCertificateV2 value names `signer` (its first ESSCertIDv2's hash). */
export function essCertMatches(value: unknown, signer: X509Certificate): boolean {
  try {
    const certs = (value as asn1js.Sequence).valueBlock.value[0] as asn1js.Sequence;
    const first = certs.valueBlock.value[0] as asn1js.Sequence;
    const parts = first.valueBlock.value;
    let hashName = 'sha256';
    let i = 0;
    if (parts[0] instanceof asn1js.Sequence) {
      hashName = HASH_OF[new pkijs.AlgorithmIdentifier({ schema: parts[0] }).algorithmId] ?? 'unknown';
      i = 1;
    }
    const hash = parts[i];
    if (!(hash instanceof asn1js.OctetString) || hashName === 'unknown') return false;
    return Buffer.from(hash.valueBlock.valueHexView).equals(createHash(hashName).update(signer.raw).digest());
  } catch {
    return false;
  }
}
