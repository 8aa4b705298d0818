import type { CertificateProfile } from './certificate-profile';

/**
 * Path building (RFC 4158, depth first): from the target through the untrusted pool (the
 * signature's certificates, the token's, configured intermediates, the file's DSS) to one of
 * the anchors. A link needs the issuer's subject to equal the certificate's issuer name, the
 * key identifiers to agree where both are present, and the certificate's signature to verify
 * with the issuer's key (node:crypto, OpenSSL). Whether the issuer may issue (cA, keyCertSign,
 * pathLen, name constraints) is judged afterwards on the path found, so that the answer names
 * the broken rule instead of "no chain".
 */

export interface BuiltPath {
  /** Target first; ends with the anchor when `trusted`. */
  readonly chain: readonly CertificateProfile[];
  readonly trusted: boolean;
  /** Why no anchor was reached: an issuer named but its signature fails, or none found. */
  readonly failure?: 'NO_CERTIFICATE_CHAIN_FOUND' | 'CHAIN_SIGNATURE_INVALID';
}

const MAX_DEPTH = 8;

function namesIssuer(cert: CertificateProfile, issuer: CertificateProfile): boolean {
  if (!cert.issuer.isEqual(issuer.subject)) return false;
  if (cert.authorityKeyId && issuer.subjectKeyId && cert.authorityKeyId !== issuer.subjectKeyId) return false;
  return true;
}

function signedBy(cert: CertificateProfile, issuer: CertificateProfile): boolean {
  try {
    return cert.cert.verify(issuer.cert.publicKey);
  } catch {
    return false;
  }
}

export function buildPath(
  target: CertificateProfile,
  pool: readonly CertificateProfile[],
  anchors: readonly CertificateProfile[],
): BuiltPath {
  const isAnchor = (c: CertificateProfile) =>
    anchors.some((a) => a.cert.fingerprint256 === c.cert.fingerprint256);
  if (isAnchor(target)) return { chain: [target], trusted: true };
  let best: BuiltPath = { chain: [target], trusted: false, failure: 'NO_CERTIFICATE_CHAIN_FOUND' };

  const walk = (chain: CertificateProfile[]): BuiltPath | undefined => {
    const current = chain[chain.length - 1] as CertificateProfile;
    let badSignature = false;
    for (const anchor of anchors) {
      if (!namesIssuer(current, anchor)) continue;
      if (signedBy(current, anchor)) return { chain: [...chain, anchor], trusted: true };
      badSignature = true;
    }
    if (chain.length < MAX_DEPTH) {
      const candidates = pool
        .filter(
          (c) =>
            !chain.some((x) => x.cert.fingerprint256 === c.cert.fingerprint256) && namesIssuer(current, c),
        )
        // CAs first: a non-CA issuer is tried only when nothing else links.
        .sort((a, b) => Number(b.isCa) - Number(a.isCa));
      for (const next of candidates) {
        if (!signedBy(current, next)) {
          badSignature = true;
          continue;
        }
        const found = walk([...chain, next]);
        if (found) return found;
      }
    }
    if (chain.length >= best.chain.length) {
      best = {
        chain,
        trusted: false,
        failure: badSignature ? 'CHAIN_SIGNATURE_INVALID' : 'NO_CERTIFICATE_CHAIN_FOUND',
      };
    }
    return undefined;
  };
  return walk([target]) ?? best;
}
