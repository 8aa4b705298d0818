import type { X509Certificate } from 'node:crypto';
import { KeyUsageBit } from '../../../../shared/pki/x509-fields';
import { reason, verdictOf, type Reason, type Verdict } from '../verdict';
import { certificateProfile, type CertificateProfile } from './certificate-profile';
import { satisfiesNameConstraints } from './name-constraints';
import { buildPath } from './path-building';
import type { PathReasonCode } from './path-reason-specs';
import { loadCrls, revocationStatus } from './revocation';

/**
 * The one certificate path validation of the workstation (RFC 5280 §6.1, with the rules of
 * docs/signature-verdicts.md): signing's pre-check, every signature's verification and
 * `embassy cert verify` all call `validatePath`.
 *
 * Time: `at` is when the certificate was used (a signature's claimed time, or the validation
 * time); `poe` is the time the use is proven to have happened by (a trusted timestamp's time,
 * else the current time). Every certificate must be valid at both. A revocation before `at` is
 * `invalid`; one between `at` and `poe` is `indeterminate` (nothing proves the use came first).
 */

/**
 * `document-signing` adds the signer's key usage and extended key usage rules; `timestamping`
 * the same key usage and the TSA's extended key usage (RFC 3161 §2.3); `any` neither.
 */
export type PathPurpose = 'document-signing' | 'timestamping' | 'any';

const TIME_STAMPING = '1.3.6.1.5.5.7.3.8';
const ANY_POLICY = '2.5.29.32.0';

/**
 * RFC 5280 §6.1 policy processing, simplified to what a relying party that requires policies
 * needs: from the certificate below the anchor down to the target, the acceptable set is cut to
 * the policies each certificate asserts (anyPolicy keeps it); a certificate without policies, or
 * one that maps policies (mappings are not applied: fail closed), empties it. The path is
 * acceptable when something of the required set is left.
 */
function policiesAccepted(below: readonly CertificateProfile[], required: readonly string[]): boolean {
  let acceptable = new Set(required);
  for (const c of [...below].reverse()) {
    if (!c.policies || (c.mapsPolicies && c !== below[0])) return false;
    if (c.policies.includes(ANY_POLICY)) continue;
    acceptable = new Set([...acceptable].filter((p) => c.policies?.includes(p)));
    if (acceptable.size === 0) return false;
  }
  return acceptable.size > 0;
}

export interface PathValidationInput {
  readonly target: X509Certificate;
  /** Certificates that may complete the path but are not trusted by themselves. */
  readonly untrusted: readonly X509Certificate[];
  readonly anchors: readonly X509Certificate[];
  /** CRLs (DER) from the file's DSS, the cache or the caller. */
  readonly crls: readonly Uint8Array[];
  readonly at: Date;
  /** Default: `now`. */
  readonly poe?: Date;
  readonly now: Date;
  readonly purpose: PathPurpose;
  /**
   * Certificate policies one of which the whole path must carry (RFC 5280's
   * user-initial-policy-set with an explicit policy required); none: no policy is required.
   */
  readonly requiredPolicies?: readonly string[];
}

export interface PathValidation {
  readonly verdict: Verdict;
  /** Target first, the anchor last when `trusted`; the part found otherwise. */
  readonly chain: readonly X509Certificate[];
  readonly trusted: boolean;
  /** Each code once, in the order the checks ran. */
  readonly reasons: readonly Reason[];
}

/** Extended key usages that allow signing documents; an absent EKU allows everything. */
export const DOCUMENT_SIGNING_EKUS: Readonly<Record<string, string>> = {
  '1.3.6.1.5.5.7.3.4': 'emailProtection',
  '1.3.6.1.5.5.7.3.36': 'documentSigning (RFC 9336)',
  '1.2.840.113583.1.1.5': 'Adobe Authentic Documents Trust',
  '1.3.6.1.4.1.311.10.3.12': 'Microsoft Document Signing',
  '2.5.29.37.0': 'anyExtendedKeyUsage',
};

/**
 * Parsed once per certificate object: a PDF's signatures share the anchors and the DSS pool,
 * and pkijs parsing is most of what path validation costs. `null`: pkijs cannot read it.
 */
const parsed = new WeakMap<X509Certificate, CertificateProfile | null>();

function profileOf(cert: X509Certificate): CertificateProfile | undefined {
  let p = parsed.get(cert);
  if (p === undefined) {
    try {
      p = certificateProfile(cert);
    } catch {
      p = null;
    }
    parsed.set(cert, p);
  }
  return p ?? undefined;
}

function profiles(certs: readonly X509Certificate[]): CertificateProfile[] {
  const out: CertificateProfile[] = [];
  const seen = new Set<string>();
  for (const c of certs) {
    const p = profileOf(c);
    // A certificate pkijs cannot read cannot be part of a path.
    if (!p || seen.has(c.fingerprint256)) continue;
    seen.add(c.fingerprint256);
    out.push(p);
  }
  return out;
}

function validity(cert: X509Certificate, t: Date): 'ok' | 'expired' | 'not-yet-valid' {
  if (t.getTime() < new Date(cert.validFrom).getTime()) return 'not-yet-valid';
  if (t.getTime() > new Date(cert.validTo).getTime()) return 'expired';
  return 'ok';
}

export function validatePath(input: PathValidationInput): PathValidation {
  const codes: PathReasonCode[] = [];
  const add = (code: PathReasonCode) => {
    if (!codes.includes(code)) codes.push(code);
  };
  const target = profileOf(input.target);
  if (!target) {
    return {
      verdict: 'indeterminate',
      chain: [input.target],
      trusted: false,
      reasons: [reason('NO_CERTIFICATE_CHAIN_FOUND')],
    };
  }
  const built = buildPath(target, profiles(input.untrusted), profiles(input.anchors));
  const chain = built.chain;
  if (built.failure) add(built.failure);
  const last = chain.length - 1;
  const poe = input.poe ?? input.now;

  // Every certificate: no critical extension we cannot process (the anchor is the caller's).
  chain.forEach((c, i) => {
    if ((i < last || !built.trusted) && c.unknownCritical.length > 0) add('UNKNOWN_CRITICAL_EXTENSION');
  });

  // Issuers (§6.1.4): cA and keyCertSign for intermediates; pathLen and name constraints for
  // every issuer, the anchor's included (as OpenSSL does).
  for (let k = 1; k < chain.length; k++) {
    const ca = chain[k] as CertificateProfile;
    const isTrustAnchor = built.trusted && k === last;
    if (!isTrustAnchor && !ca.isCa) add('NOT_A_CA');
    if (!isTrustAnchor && ca.keyUsage !== undefined && (ca.keyUsage & KeyUsageBit.keyCertSign) === 0)
      add('CA_KEY_USAGE');
    const intermediatesBelow = chain.slice(1, k).filter((c) => !c.selfIssued).length;
    if (ca.pathLen !== undefined && intermediatesBelow > ca.pathLen) add('PATH_LENGTH_EXCEEDED');
    for (let j = 0; j < k; j++) {
      const subject = chain[j] as CertificateProfile;
      if (j > 0 && subject.selfIssued) continue;
      if (!satisfiesNameConstraints(ca, subject)) add('NAME_CONSTRAINTS_VIOLATED');
    }
  }

  // Certificate policies, where the relying party requires some.
  if (input.requiredPolicies && input.requiredPolicies.length > 0) {
    const below = built.trusted ? chain.slice(0, last) : chain;
    if (!policiesAccepted(below, input.requiredPolicies)) add('POLICY_NOT_ACCEPTED');
  }

  // The signer's purpose (documented rule): a signing key usage and, if restricted, a
  // document-signing extended key usage.
  if (input.purpose !== 'any') {
    const signBits = KeyUsageBit.digitalSignature | KeyUsageBit.nonRepudiation;
    if (target.keyUsage !== undefined && (target.keyUsage & signBits) === 0) add('KEY_USAGE');
    const eku = target.extKeyUsage;
    if (
      input.purpose === 'timestamping'
        ? !eku?.includes(TIME_STAMPING)
        : eku && !eku.some((oid) => oid in DOCUMENT_SIGNING_EKUS)
    )
      add('EXTENDED_KEY_USAGE');
  }

  // Validity of every certificate at the time of use and at the proven time.
  for (const t of [input.at, poe]) {
    const own = validity(target.cert, t);
    if (own === 'not-yet-valid') add(t === input.at ? 'NOT_YET_VALID' : 'CERT_EXPIRED');
    if (own === 'expired') add('CERT_EXPIRED');
    if (chain.slice(1).some((c) => validity(c.cert, t) !== 'ok')) add('CA_CERT_NOT_VALID');
  }

  // Revocation of every certificate that has its issuer in the path (not the anchor).
  const crls = loadCrls(input.crls);
  for (let j = 0; j < last; j++) {
    const cert = chain[j] as CertificateProfile;
    const status = revocationStatus(cert, chain[j + 1] as CertificateProfile, crls, { poe, now: input.now });
    const ca = j > 0;
    if (status.status === 'revoked') {
      if (status.at.getTime() < input.at.getTime()) add(ca ? 'CA_REVOKED' : 'REVOKED');
      else if (status.at.getTime() <= poe.getTime()) add(ca ? 'CA_REVOKED_NO_POE' : 'REVOKED_NO_POE');
    } else if (status.status === 'stale') add('CRL_STALE');
    else if (status.status === 'none' && cert.advertisesRevocation) add('NO_REVOCATION_DATA');
  }

  const reasons = codes.map((c) => reason(c));
  return { verdict: verdictOf(reasons), chain: chain.map((c) => c.cert), trusted: built.trusted, reasons };
}
