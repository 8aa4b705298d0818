import type { X509Certificate } from 'node:crypto';
import { readFile } from 'node:fs/promises';
import { CoreError, ErrorCode } from '../../../shared/contract/errors';
import { displayName, parseCertificates } from './certificates';
import { validatePath, type PathPurpose } from './path';
import type { Reason, Verdict } from './verdict';
import type { TrustSettings } from './verify';

/**
 * `cert.verify`: one certificate's path validation against the configured trust, with the
 * validator signatures use. The validation time is taken as given (as `openssl verify -attime`
 * and EU DSS's validation time do): validity, revocation and CRL freshness are all judged as of
 * it, and it counts as proven. Signatures differ: their claimed time proves nothing.
 */

export interface CertificateCheckOptions {
  readonly at?: Date;
  readonly purpose: PathPurpose;
  /** Certificate policies the path must carry one of; default: the configured ones. */
  readonly policies?: readonly string[];
}

export interface CertificateCheck {
  readonly verdict: Verdict;
  readonly trusted: boolean;
  readonly path: {
    subject: string;
    issuer: string;
    serial: string;
    notBefore: string;
    notAfter: string;
    sha256: string;
  }[];
  readonly reasons: Reason[];
}

export async function checkCertificateFile(
  path: string,
  trust: TrustSettings,
  options: CertificateCheckOptions & { readonly at: Date },
): Promise<CertificateCheck> {
  let data: Buffer;
  try {
    data = await readFile(path);
  } catch {
    throw new CoreError(ErrorCode.FileAccess, 'the certificate file cannot be read');
  }
  let certs: X509Certificate[];
  try {
    certs = parseCertificates(data);
  } catch {
    certs = [];
  }
  const [target, ...rest] = certs;
  if (!target) throw new CoreError(ErrorCode.InvalidInput, 'the file holds no certificate (PEM or DER)');
  const result = validatePath({
    target,
    untrusted: [...rest, ...(trust.intermediates ?? [])],
    anchors: trust.anchors,
    crls: trust.crls ?? [],
    at: options.at,
    poe: options.at,
    now: options.at,
    purpose: options.purpose,
    requiredPolicies: options.policies ?? trust.requiredPolicies ?? [],
  });
  return {
    verdict: result.verdict,
    trusted: result.trusted,
    path: result.chain.map((c) => ({
      subject: displayName(c.subject),
      issuer: displayName(c.issuer),
      serial: c.serialNumber.slice(0, 128),
      notBefore: new Date(c.validFrom).toISOString(),
      notAfter: new Date(c.validTo).toISOString(),
      sha256: c.fingerprint256,
    })),
    reasons: [...result.reasons],
  };
}
