import { X509Certificate } from 'node:crypto';
import { keyUsageAllowsSigning } from '../../../shared/pki/x509-fields';

/**
 * Certificate helpers shared by signing and verification: parsing, display names, the signer's
 * key usage and validity (to choose a token key). Path validation is `path/`.
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
