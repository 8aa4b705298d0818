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
 * the relying party does not process must be rejected). Certificate policies are processed when
 * the relying party requires some (validate-path.ts); mappings, policy constraints and
 * inhibitAnyPolicy are recognised and not applied (see docs/signature-verdicts.md).
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
  /** certificatePolicies' policy OIDs; undefined when the extension is absent. */
  readonly policies?: readonly string[];
  /** The certificate maps policies (policyMappings): not applied by this validator. */
  readonly mapsPolicies: boolean;
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

/** One DER element: its tag byte and where its content starts and ends. */
function element(der: Uint8Array, at: number, limit: number): { tag: number; start: number; end: number } {
  if (at + 2 > limit) throw new Error('truncated');
  const tag = der[at] as number;
  let len = der[at + 1] as number;
  let start = at + 2;
  if (len >= 0x80) {
    const n = len & 0x7f;
    if (n === 0 || n > 4 || start + n > limit) throw new Error('bad length');
    len = 0;
    for (let i = 0; i < n; i++) len = len * 256 + (der[start + i] as number);
    start += n;
  }
  if (start + len > limit) throw new Error('truncated');
  return { tag, start, end: start + len };
}

function children(der: Uint8Array, parent: { start: number; end: number }) {
  const out: { tag: number; start: number; end: number; at: number }[] = [];
  for (let at = parent.start; at < parent.end;) {
    const e = element(der, at, parent.end);
    out.push({ ...e, at });
    at = e.end;
  }
  return out;
}

function parsed(der: Uint8Array, from: number, to: number): asn1js.AsnType {
  const asn = asn1js.fromBER(der.slice(from, to));
  if (asn.offset === -1) throw new Error('not DER');
  return asn.result;
}

/**
 * The names and extensions of a certificate. Only those parts go through asn1js and pkijs's
 * small classes: parsing the whole certificate (the public key's big integers, the schema
 * check of `pkijs.Certificate.fromBER`) costs 2 to 10 ms a certificate here, many times the
 * rest of path validation; the DER framing around them is walked directly.
 */
function readTbs(der: Uint8Array): {
  subject: pkijs.RelativeDistinguishedNames;
  issuer: pkijs.RelativeDistinguishedNames;
  extensions: pkijs.Extension[];
} {
  const cert = element(der, 0, der.length);
  const tbs = children(der, cert)[0];
  if (cert.tag !== 0x30 || tbs?.tag !== 0x30) throw new Error('not a certificate');
  const f = children(der, tbs);
  // [0] version, serialNumber, signature, issuer, validity, subject, subjectPublicKeyInfo, …, [3] extensions
  const i = f[0]?.tag === 0xa0 ? 1 : 0;
  const issuer = f[i + 2];
  const subject = f[i + 4];
  if (issuer?.tag !== 0x30 || subject?.tag !== 0x30) throw new Error('not a certificate');
  const wrapper = f.slice(i + 6).find((e) => e.tag === 0xa3);
  const list = wrapper ? children(der, wrapper)[0] : undefined;
  const extensions = list
    ? children(der, list).map((e) => new pkijs.Extension({ schema: parsed(der, e.at, e.end) }))
    : [];
  return {
    issuer: new pkijs.RelativeDistinguishedNames({ schema: parsed(der, issuer.at, issuer.end) }),
    subject: new pkijs.RelativeDistinguishedNames({ schema: parsed(der, subject.at, subject.end) }),
    extensions,
  };
}

/** Reads a certificate's path-relevant fields; throws when the DER is not a certificate. */
export function certificateProfile(cert: X509Certificate): CertificateProfile {
  const c = readTbs(new Uint8Array(cert.raw));
  const exts = c.extensions;
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
  const policies = find(EXT.certificatePolicies)?.parsedValue as pkijs.CertificatePolicies | undefined;

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
    ...(policies ? { policies: policies.certificatePolicies.map((p) => p.policyIdentifier) } : {}),
    mapsPolicies: find(EXT.policyMappings) !== undefined,
    unknownCritical: exts.filter((e) => e.critical && !KNOWN.has(e.extnID)).map((e) => e.extnID),
  };
}
