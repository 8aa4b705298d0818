import type { X509Certificate } from 'node:crypto';
import * as asn1js from 'asn1js';
import * as pkijs from 'pkijs';

/**
 * What path validation needs from one certificate, read once with pkijs: the extensions
 * node:crypto's `X509Certificate` does not expose (basic constraints with pathLen, key usage
 * bits, extended key usage, name constraints, alternative names, CRL distribution points) and
 * the names as pkijs structures (for directoryName constraints and CRL issuer matching).
 * Parsing only: signatures are checked by the callers with node:crypto.
 */

export const EXT = {
  keyUsage: '2.5.29.15',
  subjectAltName: '2.5.29.17',
  issuerAltName: '2.5.29.18',
  basicConstraints: '2.5.29.19',
  nameConstraints: '2.5.29.30',
  crlDistributionPoints: '2.5.29.31',
  certificatePolicies: '2.5.29.32',
  policyMappings: '2.5.29.33',
  authorityKeyIdentifier: '2.5.29.35',
  policyConstraints: '2.5.29.36',
  extKeyUsage: '2.5.29.37',
  inhibitAnyPolicy: '2.5.29.54',
  subjectKeyIdentifier: '2.5.29.14',
  authorityInfoAccess: '1.3.6.1.5.5.7.1.1',
} as const;

/**
 * Extensions this validator understands (RFC 5280 §4.2: a certificate with a critical extension
 * the relying party does not process must be rejected). Policy extensions are recognised and
 * not processed: no policy is configured, so none is required (see docs/signature-verdicts.md).
 */
const KNOWN = new Set<string>(Object.values(EXT));

/** One name of a certificate, in the forms name constraints speak about. */
export type CertName =
  | { readonly form: 'email'; readonly value: string }
  | { readonly form: 'dns'; readonly value: string }
  | { readonly form: 'uri'; readonly value: string }
  | { readonly form: 'ip'; readonly value: Uint8Array }
  | { readonly form: 'dn'; readonly value: pkijs.RelativeDistinguishedNames }
  | { readonly form: 'other'; readonly value: number };

/** A constraint subtree (its base name) in the same forms. */
export type Subtree = CertName;

export interface CertificateProfile {
  readonly cert: X509Certificate;
  readonly subject: pkijs.RelativeDistinguishedNames;
  readonly issuer: pkijs.RelativeDistinguishedNames;
  /** Subject equals issuer (RFC 5280's "self-issued"): not counted by pathLen. */
  readonly selfIssued: boolean;
  readonly isCa: boolean;
  readonly pathLen?: number;
  /** First octet of the keyUsage bits; undefined when the extension is absent. */
  readonly keyUsage?: number;
  /** keyPurposeId OIDs; undefined when the extension is absent (no restriction). */
  readonly extKeyUsage?: readonly string[];
  readonly permitted: readonly Subtree[];
  readonly excluded: readonly Subtree[];
  readonly hasNameConstraints: boolean;
  /** The names constraints apply to: the subject DN (when not empty) and every SAN entry. */
  readonly names: readonly CertName[];
  /** The certificate promises revocation status (a CRL distribution point or an OCSP responder). */
  readonly advertisesRevocation: boolean;
  /** subjectKeyIdentifier and the authorityKeyIdentifier's keyIdentifier, hex, where present. */
  readonly subjectKeyId?: string;
  readonly authorityKeyId?: string;
  /** Critical extensions this validator does not process. */
  readonly unknownCritical: readonly string[];
}

const EMAIL_ATTRIBUTE = '1.2.840.113549.1.9.1';
const OCSP_ACCESS = '1.3.6.1.5.5.7.48.1';

function generalName(n: pkijs.GeneralName): CertName {
  switch (n.type) {
    case 1:
      return { form: 'email', value: String(n.value) };
    case 2:
      return { form: 'dns', value: String(n.value) };
    case 4:
      return { form: 'dn', value: n.value as pkijs.RelativeDistinguishedNames };
    case 6:
      return { form: 'uri', value: String(n.value) };
    case 7:
      return { form: 'ip', value: new Uint8Array((n.value as asn1js.OctetString).valueBlock.valueHexView) };
    default:
      return { form: 'other', value: n.type };
  }
}

function hex(b: Uint8Array): string {
  return Buffer.from(b).toString('hex');
}

/** Reads a certificate's path-relevant fields; throws when the DER is not a certificate. */
export function certificateProfile(cert: X509Certificate): CertificateProfile {
  const c = pkijs.Certificate.fromBER(new Uint8Array(cert.raw));
  const exts = c.extensions ?? [];
  const find = (oid: string) => exts.find((e) => e.extnID === oid);
  const bc = find(EXT.basicConstraints)?.parsedValue as pkijs.BasicConstraints | undefined;
  const pathLenRaw = bc?.pathLenConstraint;
  const pathLen =
    pathLenRaw === undefined
      ? undefined
      : typeof pathLenRaw === 'number'
        ? pathLenRaw
        : pathLenRaw.valueBlock.valueDec;
  const kuExt = find(EXT.keyUsage);
  let keyUsage: number | undefined;
  if (kuExt) {
    const bits = asn1js.fromBER(kuExt.extnValue.valueBlock.valueHexView).result;
    keyUsage = bits instanceof asn1js.BitString ? (bits.valueBlock.valueHexView[0] ?? 0) : 0;
  }
  const eku = find(EXT.extKeyUsage)?.parsedValue as pkijs.ExtKeyUsage | undefined;
  const nc = find(EXT.nameConstraints)?.parsedValue as pkijs.NameConstraints | undefined;
  const san = find(EXT.subjectAltName)?.parsedValue as pkijs.AltName | undefined;

  const ski = find(EXT.subjectKeyIdentifier)?.parsedValue as asn1js.OctetString | undefined;
  const aki = find(EXT.authorityKeyIdentifier)?.parsedValue as pkijs.AuthorityKeyIdentifier | undefined;
  const names: CertName[] = [];
  if (c.subject.typesAndValues.length > 0) names.push({ form: 'dn', value: c.subject });
  // RFC 5280 §4.2.1.10: an emailAddress attribute in the subject is an rfc822Name too.
  for (const tv of c.subject.typesAndValues) {
    if (tv.type === EMAIL_ATTRIBUTE) names.push({ form: 'email', value: String(tv.value.valueBlock.value) });
  }
  for (const n of san?.altNames ?? []) names.push(generalName(n));

  return {
    cert,
    subject: c.subject,
    issuer: c.issuer,
    selfIssued: c.subject.isEqual(c.issuer),
    isCa: bc?.cA === true,
    ...(pathLen !== undefined ? { pathLen } : {}),
    ...(keyUsage !== undefined ? { keyUsage } : {}),
    ...(eku ? { extKeyUsage: eku.keyPurposes } : {}),
    permitted: (nc?.permittedSubtrees ?? []).map((s) => generalName(s.base)),
    excluded: (nc?.excludedSubtrees ?? []).map((s) => generalName(s.base)),
    hasNameConstraints: nc !== undefined,
    names,
    advertisesRevocation:
      find(EXT.crlDistributionPoints) !== undefined ||
      (
        (find(EXT.authorityInfoAccess)?.parsedValue as pkijs.InfoAccess | undefined)?.accessDescriptions ?? []
      ).some((d) => d.accessMethod === OCSP_ACCESS),
    ...(ski ? { subjectKeyId: hex(ski.valueBlock.valueHexView) } : {}),
    ...(aki?.keyIdentifier ? { authorityKeyId: hex(aki.keyIdentifier.valueBlock.valueHexView) } : {}),
    unknownCritical: exts.filter((e) => e.critical && !KNOWN.has(e.extnID)).map((e) => e.extnID),
  };
}
