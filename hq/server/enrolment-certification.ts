import { constants, verify, X509Certificate, type KeyObject } from 'node:crypto';
import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import {
  EnrolmentCertification,
  RelayErrorCode,
  tokenEnrolmentMessage,
  type TokenSignatureAlgorithm,
} from '../../shared/sync/relay-protocol';
import type { DeviceOfficer } from '../storage/relay-store';
import { RelayError } from './relay-error';
import { crlRevokes, keyUsageAllowsSigning, parseCrl } from '../../shared/pki/x509-fields';
import { certificateAddress } from '../../shared/pki/officer-identity';

/** A CA whose officers' devices the relay approves at enrolment without an administrator. */
export interface TrustedCa {
  readonly certificate: X509Certificate;
  /** SHA-256 of the certificate (DER), lowercase hex. */
  readonly fingerprint: string;
}

/** What a verified enrolment certification yields. */
export interface CertifiedEnrolment {
  readonly officer: DeviceOfficer;
  /** The fingerprint of the trusted CA the chain ends at, when it does. */
  readonly trustedBy?: string;
}

/** The folder (in the data dir) whose `*.pem` files are trusted CAs, besides `--trust-ca`. */
export const TRUSTED_CA_DIR = 'trusted-ca';

/**
 * The folder (in the data dir) of the issuing CAs' CRLs (`*.crl` DER or `*.pem` PEM), read at start
 * and again at every enrolment, so that a CRL dropped in applies without a restart.
 */
export const CRL_DIR = 'crl';

/** Smallest RSA modulus accepted for a token key. */
const MIN_RSA_BITS = 2048;

export function fingerprintOf(cert: X509Certificate): string {
  return cert.fingerprint256.replace(/:/g, '').toLowerCase();
}

/** Every certificate in a PEM text; refuses a text with none or with a damaged one. */
export function parsePemCertificates(pem: string, source: string): X509Certificate[] {
  const blocks = pem.match(/-----BEGIN CERTIFICATE-----[\s\S]+?-----END CERTIFICATE-----/g) ?? [];
  if (blocks.length === 0) throw new Error(`${source}: no PEM certificate`);
  return blocks.map((b) => {
    try {
      return new X509Certificate(b);
    } catch {
      throw new Error(`${source}: a certificate does not parse`);
    }
  });
}

/**
 * The trusted CAs: the PEM files given (`hq serve --trust-ca`) and every `*.pem` in
 * `DATA/trusted-ca/`. Fails closed at start: a file that does not parse, or a certificate that
 * is not a CA, stops the relay rather than being skipped.
 */
export function loadTrustedCas(dataDir: string, files: readonly string[] = []): TrustedCa[] {
  const dir = join(dataDir, TRUSTED_CA_DIR);
  const paths = [
    ...files,
    ...(existsSync(dir)
      ? readdirSync(dir)
          .filter((f) => f.endsWith('.pem'))
          .sort()
          .map((f) => join(dir, f))
      : []),
  ];
  const byFingerprint = new Map<string, TrustedCa>();
  for (const path of paths) {
    for (const certificate of parsePemCertificates(readFileSync(path, 'utf8'), path)) {
      if (!certificate.ca)
        throw new Error(`${path}: a trusted CA certificate must be a CA (basicConstraints)`);
      const fingerprint = fingerprintOf(certificate);
      byFingerprint.set(fingerprint, { certificate, fingerprint });
    }
  }
  return [...byFingerprint.values()];
}

/**
 * Every CRL in `DATA/crl/` (DER `*.crl`, or PEM `*.pem` / `*.crl` with X509 CRL blocks). Fails
 * closed: a file there that is not a CRL throws, so the relay does not start (and refuses
 * enrolments) rather than quietly skip a revocation list an administrator put there. Whether
 * each CRL was signed by a certificate's issuer is checked where it is used.
 */
export function loadCrls(dataDir: string): Uint8Array<ArrayBuffer>[] {
  const dir = join(dataDir, CRL_DIR);
  if (!existsSync(dir)) return [];
  const out: Uint8Array<ArrayBuffer>[] = [];
  for (const name of readdirSync(dir).sort()) {
    if (!name.endsWith('.crl') && !name.endsWith('.pem')) continue;
    const bytes = readFileSync(join(dir, name));
    const text = bytes.toString('latin1');
    const blocks = text.includes('-----BEGIN X509 CRL-----')
      ? (text.match(/-----BEGIN X509 CRL-----[\s\S]+?-----END X509 CRL-----/g) ?? []).map((b) =>
          Buffer.from(b.replace(/-----[A-Z0-9 ]+-----|\s/g, ''), 'base64'),
        )
      : [bytes];
    for (const der of blocks) {
      const crl = new Uint8Array(der);
      if (!parseCrl(crl)) throw new Error(`${join(dir, name)}: not a CRL`);
      out.push(crl);
    }
  }
  return out;
}

const invalidInput = (message: string) => new RelayError(400, RelayErrorCode.InvalidInput, message);
const invalidCertificate = (message: string) =>
  new RelayError(422, RelayErrorCode.CertificateInvalid, message);
const badSignature = (message: string) => new RelayError(401, RelayErrorCode.BadSignature, message);

function validAt(cert: X509Certificate, now: number): boolean {
  const from = Date.parse(cert.validFrom);
  const to = Date.parse(cert.validTo);
  return Number.isFinite(from) && Number.isFinite(to) && from <= now && now <= to;
}

/** The verify options for `algorithm`, or undefined when the key cannot make such signatures. */
function verifyKey(algorithm: TokenSignatureAlgorithm, key: KeyObject) {
  const type = key.asymmetricKeyType;
  const details = key.asymmetricKeyDetails ?? {};
  switch (algorithm) {
    case 'rsa-pkcs1-sha256':
      return type === 'rsa' ? { key, padding: constants.RSA_PKCS1_PADDING } : undefined;
    case 'rsa-pss-sha256':
      return type === 'rsa' || type === 'rsa-pss'
        ? { key, padding: constants.RSA_PKCS1_PSS_PADDING, saltLength: 32 }
        : undefined;
    case 'ecdsa-p256-sha256':
      return type === 'ec' && details.namedCurve === 'prime256v1'
        ? { key, dsaEncoding: 'der' as const }
        : undefined;
  }
}

/**
 * The officer's address: the first e-mail subject alternative name of the token certificate
 * (lowercased), or else its CN lowercased with each run of white space turned into one '.'.
 */
export function officerAddress(leaf: X509Certificate): string | undefined {
  return certificateAddress(leaf.subjectAltName, leaf.subject);
}

/**
 * Checks an enrolment request (`EnrollRequest.request`, base64) for the device keys
 * `signPublicKey` and `boxPublicKey`: the JSON against {@link EnrolmentCertification}; each
 * certificate parses; each link verifies and is issued by the next, issuers are CAs; all are
 * valid at `now`; keyUsage lets the officer's certificate sign (an issuer's keyCertSign is part of
 * OpenSSL's CA check behind `X509Certificate.ca`);
 * no certificate is revoked by a CRL of `crls` its issuer signed; the token signature verifies
 * with the first certificate's key. Then whether the chain reaches a trusted CA (a certificate in
 * it is one, or the last is issued by one).
 * Throws a {@link RelayError}: E_INVALID_INPUT, E_CERTIFICATE_INVALID or E_BAD_SIGNATURE.
 */
export function verifyEnrolmentCertification(
  requestBase64: string,
  signPublicKey: Uint8Array,
  boxPublicKey: Uint8Array,
  trusted: readonly TrustedCa[],
  now: number,
  crls: readonly Uint8Array<ArrayBuffer>[] = [],
): CertifiedEnrolment {
  let value: unknown;
  try {
    const text = new TextDecoder('utf-8', { fatal: true }).decode(Buffer.from(requestBase64, 'base64'));
    value = JSON.parse(text);
  } catch {
    throw invalidInput('the enrolment request is not base64 of UTF-8 JSON');
  }
  const parsed = EnrolmentCertification.safeParse(value);
  if (!parsed.success) {
    const where = parsed.error.issues
      .slice(0, 3)
      .map((i) => `request.${i.path.join('.')}: ${i.message}`)
      .join('; ');
    throw invalidInput(`invalid enrolment certification: ${where}`);
  }
  const c = parsed.data;

  const chain = c.certificates.map((b64, i) => {
    const der = Buffer.from(b64, 'base64');
    let cert: X509Certificate;
    try {
      cert = new X509Certificate(der);
    } catch {
      throw invalidInput(`certificate ${i} does not parse`);
    }
    // Exactly one DER certificate: no trailing bytes, no PEM.
    if (!cert.raw.equals(der)) throw invalidInput(`certificate ${i} is not exactly one DER certificate`);
    return cert;
  });

  for (let i = 0; i < chain.length; i++) {
    const cert = chain[i] as X509Certificate;
    if (!validAt(cert, now)) throw invalidCertificate(`certificate ${i} is not valid at this time`);
    const issuer = chain[i + 1];
    if (issuer) {
      if (!issuer.ca) throw invalidCertificate(`certificate ${i + 1} is not a CA`);
      if (!cert.checkIssued(issuer) || !cert.verify(issuer.publicKey)) {
        throw invalidCertificate(`certificate ${i} is not issued by certificate ${i + 1}`);
      }
    }
  }

  const leaf = chain[0] as X509Certificate;
  if (!keyUsageAllowsSigning(new Uint8Array(leaf.raw))) {
    throw invalidCertificate("the token certificate's key usage does not allow signatures");
  }
  const key = leaf.publicKey;
  if (
    (key.asymmetricKeyType === 'rsa' || key.asymmetricKeyType === 'rsa-pss') &&
    (key.asymmetricKeyDetails?.modulusLength ?? 0) < MIN_RSA_BITS
  ) {
    throw invalidCertificate(`the token key is weaker than RSA-${MIN_RSA_BITS}`);
  }
  const options = verifyKey(c.algorithm, key);
  if (!options) throw badSignature(`the token certificate's key cannot make ${c.algorithm} signatures`);
  const message = tokenEnrolmentMessage(signPublicKey, boxPublicKey, c.officer.name, c.officer.department);
  let ok = false;
  try {
    ok = verify('sha256', message, options, Buffer.from(c.tokenSignature, 'base64'));
  } catch {
    ok = false;
  }
  if (!ok) throw badSignature('the token signature does not verify');

  const address = officerAddress(leaf);
  if (address === undefined) {
    throw invalidCertificate('the token certificate names no address (e-mail or CN)');
  }

  const last = chain[chain.length - 1] as X509Certificate;
  const inChain = new Set(chain.map(fingerprintOf));
  const anchor = trusted.find(
    (t) =>
      inChain.has(t.fingerprint) ||
      (validAt(t.certificate, now) &&
        last.checkIssued(t.certificate) &&
        last.verify(t.certificate.publicKey)),
  );

  // Revocation: each certificate against the CRLs its issuer signed (the next in the chain, or
  // the trusted CA that issued the last). An officer whose certificate the ministry revoked must
  // not enrol a device, approved or pending.
  if (crls.length > 0) {
    const at = new Date(now);
    const issuers = [
      ...chain.slice(1),
      anchor && !inChain.has(anchor.fingerprint) ? anchor.certificate : undefined,
    ];
    chain.forEach((cert, i) => {
      const issuer = issuers[i];
      if (!issuer) return;
      const revoked = crls.some((der) =>
        crlRevokes(der, cert.serialNumber, at, (hash, signed, signature) =>
          verify(hash, signed, issuer.publicKey, signature),
        ),
      );
      if (revoked) throw invalidCertificate(`certificate ${i} is revoked (CRL of its issuer)`);
    });
  }
  return {
    officer: {
      address,
      name: c.officer.name,
      department: c.officer.department,
      certificateFingerprint: fingerprintOf(leaf),
    },
    ...(anchor ? { trustedBy: anchor.fingerprint } : {}),
  };
}
