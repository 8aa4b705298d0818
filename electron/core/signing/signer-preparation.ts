import type { X509Certificate } from 'node:crypto';
import { CoreError, ErrorCode } from '../../../shared/contract/errors';
import { TokenError, type SignMechanism, type TokenClient } from '../token';
import { allowsSigning, validAt } from './certificates';
import { validatePath } from './path';
import type { SignRequest } from './sign-request';
import { certificatesOn } from './token-listing';
import type { TrustSettings } from './verify';

/** The key chosen for a request, its certificate checked, and the chain to embed. */
export interface PreparedSigner {
  readonly id: string;
  readonly certificate: X509Certificate;
  readonly chain: X509Certificate[];
  readonly mechanism: SignMechanism;
}

/**
 * Picks the key and checks its certificate; throws before any PIN is used: not valid now,
 * key usage that allows no signature, and (when `requireTrust`) no path to an anchor.
 */
export async function prepareSigner(
  c: TokenClient,
  request: Pick<SignRequest, 'token' | 'keyId' | 'rsaScheme'>,
  trust: TrustSettings,
  now: Date,
  requireTrust = true,
): Promise<PreparedSigner> {
  const certs = await certificatesOn(c, request.token);
  const endEntity = certs.filter((x) => !x.cert.ca);
  const keyId = request.keyId?.toLowerCase();
  const chosen = keyId
    ? certs.find((x) => x.id === keyId)
    : (endEntity.find((x) => allowsSigning(x.cert) && validAt(x.cert, now) === 'ok') ?? endEntity[0]);
  if (!chosen) throw new TokenError(ErrorCode.TokenKeyNotFound);
  const pool = [...certs.filter((x) => x.cert.ca).map((x) => x.cert), ...(trust.intermediates ?? [])];
  const path = validatePath({
    target: chosen.cert,
    untrusted: pool,
    anchors: trust.anchors,
    crls: trust.crls ?? [],
    at: now,
    now,
    purpose: 'document-signing',
    requiredPolicies: trust.requiredPolicies ?? [],
  });
  const codes = new Set<string>(path.reasons.map((r) => r.code));
  if (codes.has('CERT_EXPIRED') || codes.has('NOT_YET_VALID')) {
    throw new CoreError(
      ErrorCode.SignCertNotValidNow,
      `the certificate is not valid now (valid ${chosen.cert.validFrom} – ${chosen.cert.validTo})`,
    );
  }
  if (codes.has('KEY_USAGE') || codes.has('EXTENDED_KEY_USAGE')) {
    throw new CoreError(
      ErrorCode.SignCertKeyUsage,
      codes.has('KEY_USAGE')
        ? 'the certificate key usage allows neither digitalSignature nor nonRepudiation'
        : 'the certificate extended key usage does not allow signing documents',
    );
  }
  // Unknown revocation status (no or stale CRL at hand) does not stop signing: the signature
  // is made now, and its verifiers, with the validation data added later (B-LT), decide.
  const blocking = path.reasons.filter(
    (r) => r.severity !== 'info' && r.code !== 'CRL_STALE' && r.code !== 'NO_REVOCATION_DATA',
  );
  if (requireTrust && (!path.trusted || blocking.length > 0)) {
    const why = blocking[0]?.en ?? 'no trust anchor configured';
    throw new CoreError(ErrorCode.SignCertUntrusted, `the certificate cannot be trusted: ${why}`);
  }
  const keyType = chosen.cert.publicKey.asymmetricKeyType;
  let mechanism: SignMechanism;
  if (keyType === 'ec') mechanism = 'ecdsa-sha256';
  else if (keyType === 'rsa-pss' || (keyType === 'rsa' && request.rsaScheme === 'pss'))
    mechanism = 'rsa-pss-sha256';
  else if (keyType === 'rsa') mechanism = 'rsa-pkcs1-sha256';
  else throw new TokenError(ErrorCode.TokenMechanismUnsupported);
  // Embed the intermediates of the path; the anchor itself is the relying party's.
  const chain = path.chain
    .slice(1)
    .filter((x) => !trust.anchors.some((a) => a.fingerprint256 === x.fingerprint256));
  return { id: chosen.id, certificate: chosen.cert, chain, mechanism };
}
