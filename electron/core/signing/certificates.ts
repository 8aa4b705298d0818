import { verify, X509Certificate } from 'node:crypto';
import { crlRevokes, keyUsageAllowsSigning } from '../../../shared/pki/x509-fields';
import { reason, type Reason } from './verdict';

/**
 * Certificate handling shared by signing (pre-checks) and verification: parsing, the signer's
 * key usage, path building to the configured trust anchors, validity at a time, and revocation
 * from cached CRLs. Signature checks on certificates and CRLs use node:crypto (OpenSSL);
 * shared/pki reads (with pkijs) what node:crypto does not expose: keyUsage bits, CRL entries.
 */

/** Splits PEM text (one or many certificates) or a single DER certificate into certificates. */
export function parseCertificates(data: Uint8Array | string): X509Certificate[] {
  const text = typeof data === 'string' ? data : Buffer.from(data).toString('latin1');
  const blocks = text.match(/-----BEGIN CERTIFICATE-----[\s\S]+?-----END CERTIFICATE-----/g);
  if (blocks) return blocks.map((b) => new X509Certificate(b));
  if (typeof data === 'string') return [];
  return [new X509Certificate(Buffer.from(data))];
}

/** The certificate's common name (or the whole subject when it has none), for people. */
export function displayName(dn: string): string {
  const cn = /(?:^|\n)CN=([^\n]+)/.exec(dn)?.[1];
  return (cn ?? dn.replace(/\n/g, ', ')).slice(0, 256);
}

/**
 * Whether the certificate may make signatures: keyUsage absent (no restriction), or with
 * digitalSignature or nonRepudiation (contentCommitment) set.
 */
export function allowsSigning(cert: X509Certificate): boolean {
  return keyUsageAllowsSigning(new Uint8Array(cert.raw));
}

export function validAt(cert: X509Certificate, at: Date): 'ok' | 'expired' | 'not-yet-valid' {
  if (at.getTime() < new Date(cert.validFrom).getTime()) return 'not-yet-valid';
  if (at.getTime() > new Date(cert.validTo).getTime()) return 'expired';
  return 'ok';
}

export interface PathResult {
  /** Signer first, trust anchor last; only the part found when the path is incomplete. */
  readonly chain: X509Certificate[];
  readonly trusted: boolean;
  readonly reasons: Reason[];
}

function issuedBy(cert: X509Certificate, issuer: X509Certificate): boolean {
  try {
    return cert.checkIssued(issuer) && cert.verify(issuer.publicKey);
  } catch {
    return false;
  }
}

/**
 * Builds a path from `signer` to one of `anchors`, using `pool` (certificates in the signature,
 * on the token, or configured intermediates) for the steps between. Every link is checked:
 * names/key identifiers, the issuer's signature, the issuer being a CA. Then validity of each
 * certificate at `at`, the signer's key usage, and revocation against `crls` when one for the
 * issuer is cached.
 */
export function buildPath(
  signer: X509Certificate,
  pool: readonly X509Certificate[],
  anchors: readonly X509Certificate[],
  at: Date,
  crls: readonly Uint8Array[] = [],
): PathResult {
  const reasons: Reason[] = [];
  const chain: X509Certificate[] = [signer];
  const isAnchor = (c: X509Certificate) => anchors.some((a) => a.fingerprint256 === c.fingerprint256);
  let trusted = isAnchor(signer);
  let current = signer;
  for (let depth = 0; !trusted && depth < 8; depth++) {
    const anchor = anchors.find((a) => issuedBy(current, a));
    if (anchor) {
      chain.push(anchor);
      trusted = true;
      break;
    }
    const next = pool.find(
      (c) => c.ca && !chain.some((x) => x.fingerprint256 === c.fingerprint256) && issuedBy(current, c),
    );
    if (!next) {
      // A certificate that names an issuer we hold but whose signature fails is worse than
      // an unknown issuer: say so.
      const named = [...anchors, ...pool].some((c) => {
        try {
          return current.checkIssued(c) && c.fingerprint256 !== current.fingerprint256;
        } catch {
          return false;
        }
      });
      reasons.push(reason(named ? 'CHAIN_SIGNATURE_INVALID' : 'NO_CERTIFICATE_CHAIN_FOUND'));
      break;
    }
    chain.push(next);
    current = next;
  }
  if (!trusted && reasons.length === 0) reasons.push(reason('NO_CERTIFICATE_CHAIN_FOUND'));

  const signerValidity = validAt(signer, at);
  if (signerValidity === 'expired') reasons.push(reason('CERT_EXPIRED'));
  if (signerValidity === 'not-yet-valid') reasons.push(reason('NOT_YET_VALID'));
  if (chain.slice(1).some((c) => validAt(c, at) !== 'ok')) reasons.push(reason('CA_CERT_NOT_VALID'));
  if (!allowsSigning(signer)) reasons.push(reason('KEY_USAGE'));
  if (crls.length > 0 && chain.slice(0, -1).some((c, i) => isRevoked(c, chain[i + 1], crls, at))) {
    reasons.push(reason('REVOKED'));
  }
  return { chain, trusted, reasons };
}

/**
 * Whether a cached CRL from `issuer` lists `cert` as revoked at or before `at`. A CRL counts
 * only if its own signature verifies with the issuer's key; otherwise it is ignored (it cannot
 * prove anything either way).
 */
function isRevoked(
  cert: X509Certificate,
  issuer: X509Certificate | undefined,
  crls: readonly Uint8Array[],
  at: Date,
): boolean {
  if (!issuer) return false;
  return crls.some((der) =>
    crlRevokes(new Uint8Array(der), cert.serialNumber, at, (hash, signed, signature) =>
      verify(hash, signed, issuer.publicKey, signature),
    ),
  );
}
