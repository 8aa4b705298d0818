import { constants, verify, X509Certificate, type KeyObject } from 'node:crypto';
import { certificateAddress, certificateName } from '../../../shared/pki/officer-identity';
import { crlRevokes, keyUsageAllowsSigning } from '../../../shared/pki/x509-fields';
import {
  EnrolmentCertification,
  tokenEnrolmentMessage,
  type TokenSignatureAlgorithm,
} from '../../../shared/sync/relay-protocol';

/**
 * A directory device's proof, checked on the workstation: the officer's token signed exactly
 * these device keys, and the token's certificate chains to an anchor pinned in this
 * workstation, valid now, unrevoked by any CRL held, with a signing key usage. The relay's
 * directory signature says only that HQ lists the device; this says whose it is. Who the
 * officer is (address, name) is read from the certificate (`shared/pki/officer-identity.ts`),
 * never from the directory entry. The relay checks the same rules at enrolment against its own
 * trusted CAs (hq/server/enrolment-certification.ts); a compromised relay can skip those, not these.
 */

/** The anchors and revocation lists the workstation holds for officers' identities. */
export interface IdentityTrust {
  readonly anchors: readonly X509Certificate[];
  readonly crls: readonly Uint8Array<ArrayBuffer>[];
}

/** The officer a certification proves, as its certificate names them. */
export interface CertifiedOfficer {
  readonly address: string;
  readonly name: string;
  /** Declared by the officer and signed by their token (the certificate has no department). */
  readonly department: string;
  /** SHA-256 (lowercase hex) of the token certificate (DER). */
  readonly certificateFingerprint: string;
}

/** Why a certification was refused (stable words, for the audit trail and tests). */
export type CertificationFailure =
  | 'malformed'
  | 'certificate-invalid'
  | 'not-valid-now'
  | 'chain-broken'
  | 'untrusted-root'
  | 'key-usage'
  | 'weak-key'
  | 'bad-signature'
  | 'no-address'
  | 'revoked';

export class CertificationError extends Error {
  constructor(readonly reason: CertificationFailure) {
    super(`device certification refused: ${reason}`);
    this.name = 'CertificationError';
  }
}

const MIN_RSA_BITS = 2048;

export const fingerprintOf = (cert: X509Certificate) => cert.fingerprint256.replace(/:/g, '').toLowerCase();

function validAt(cert: X509Certificate, now: number): boolean {
  const from = Date.parse(cert.validFrom);
  const to = Date.parse(cert.validTo);
  return Number.isFinite(from) && Number.isFinite(to) && from <= now && now <= to;
}

function verifyOptions(algorithm: TokenSignatureAlgorithm, key: KeyObject) {
  const type = key.asymmetricKeyType;
  switch (algorithm) {
    case 'rsa-pkcs1-sha256':
      return type === 'rsa' ? { key, padding: constants.RSA_PKCS1_PADDING } : undefined;
    case 'rsa-pss-sha256':
      return type === 'rsa' || type === 'rsa-pss'
        ? { key, padding: constants.RSA_PKCS1_PSS_PADDING, saltLength: 32 }
        : undefined;
    case 'ecdsa-p256-sha256':
      return type === 'ec' && key.asymmetricKeyDetails?.namedCurve === 'prime256v1'
        ? { key, dsaEncoding: 'der' as const }
        : undefined;
  }
}

function parseCertification(certificationBase64: string): EnrolmentCertification {
  try {
    const text = new TextDecoder('utf-8', { fatal: true }).decode(Buffer.from(certificationBase64, 'base64'));
    return EnrolmentCertification.parse(JSON.parse(text));
  } catch {
    throw new CertificationError('malformed');
  }
}

function parseChain(c: EnrolmentCertification): X509Certificate[] {
  return c.certificates.map((b64) => {
    const der = Buffer.from(b64, 'base64');
    let cert: X509Certificate;
    try {
      cert = new X509Certificate(der);
    } catch {
      throw new CertificationError('certificate-invalid');
    }
    if (!cert.raw.equals(der)) throw new CertificationError('certificate-invalid');
    return cert;
  });
}

/** The anchor the chain ends at: one of its certificates, or the issuer of its last. */
function anchorOf(chain: readonly X509Certificate[], trust: IdentityTrust, now: number) {
  const inChain = new Set(chain.map(fingerprintOf));
  const last = chain[chain.length - 1] as X509Certificate;
  const anchor = trust.anchors.find(
    (a) =>
      inChain.has(fingerprintOf(a)) || (validAt(a, now) && last.checkIssued(a) && last.verify(a.publicKey)),
  );
  if (!anchor) throw new CertificationError('untrusted-root');
  return { anchor, inChain: inChain.has(fingerprintOf(anchor)) };
}

/**
 * Verifies a directory device's certification for the keys the directory lists. Throws a
 * {@link CertificationError}; answers the officer the token certificate names.
 */
export function verifyDeviceCertification(
  certificationBase64: string,
  signPublicKey: Uint8Array,
  boxPublicKey: Uint8Array,
  trust: IdentityTrust,
  now: number,
): CertifiedOfficer {
  const c = parseCertification(certificationBase64);
  const chain = parseChain(c);
  for (let i = 0; i < chain.length; i++) {
    const cert = chain[i] as X509Certificate;
    if (!validAt(cert, now)) throw new CertificationError('not-valid-now');
    const issuer = chain[i + 1];
    if (issuer && (!issuer.ca || !cert.checkIssued(issuer) || !cert.verify(issuer.publicKey))) {
      throw new CertificationError('chain-broken');
    }
  }
  const { anchor, inChain } = anchorOf(chain, trust, now);
  const leaf = chain[0] as X509Certificate;
  if (!keyUsageAllowsSigning(new Uint8Array(leaf.raw))) throw new CertificationError('key-usage');
  const key = leaf.publicKey;
  if (
    (key.asymmetricKeyType === 'rsa' || key.asymmetricKeyType === 'rsa-pss') &&
    (key.asymmetricKeyDetails?.modulusLength ?? 0) < MIN_RSA_BITS
  ) {
    throw new CertificationError('weak-key');
  }
  const options = verifyOptions(c.algorithm, key);
  const message = tokenEnrolmentMessage(signPublicKey, boxPublicKey, c.officer.name, c.officer.department);
  let signed = false;
  try {
    signed =
      options !== undefined && verify('sha256', message, options, Buffer.from(c.tokenSignature, 'base64'));
  } catch {
    signed = false;
  }
  if (!signed) throw new CertificationError('bad-signature');
  const address = certificateAddress(leaf.subjectAltName, leaf.subject);
  if (address === undefined) throw new CertificationError('no-address');
  // Each certificate against the CRLs its issuer signed (the next in the chain, or the anchor).
  const issuers = [...chain.slice(1), inChain ? undefined : anchor];
  const at = new Date(now);
  chain.forEach((cert, i) => {
    const issuer = issuers[i];
    if (!issuer) return;
    const revoked = trust.crls.some((der) =>
      crlRevokes(der, cert.serialNumber, at, (hash, data, signature) =>
        verify(hash, data, issuer.publicKey, signature),
      ),
    );
    if (revoked) throw new CertificationError('revoked');
  });
  return {
    address,
    name: certificateName(leaf.subject, address),
    department: c.officer.department,
    certificateFingerprint: fingerprintOf(leaf),
  };
}
