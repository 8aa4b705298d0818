import type { X509Certificate } from 'node:crypto';
import type { SignMechanism } from '../token';

/**
 * What the formats need from a signing key: its certificate, the chain to embed, the mechanism
 * and a function that signs bytes. In the app the function calls the token process; nothing in
 * the formats knows where the key is.
 */
export interface Signer {
  readonly certificate: X509Certificate;
  /** Intermediates to embed (the signer's own certificate and roots are left out). */
  readonly chain: readonly X509Certificate[];
  readonly mechanism: SignMechanism;
  sign(data: Uint8Array): Promise<Uint8Array>;
}

/** The largest signature a token key of ours can make: RSA-4096. */
export const MAX_SIGNATURE_BYTES = 512;

/**
 * Bytes to reserve in a PDF for the CMS: the embedded certificates, an RSA-4096 signature
 * (whatever the key: a placeholder sized per key would change with the token) and room for the
 * signed attributes, SignerInfo and SignedData framing (about 1.5 KiB with long names; 4 KiB
 * reserved), rounded up to 1 KiB, never less than 8 KiB.
 */
export function placeholderSize(certificateDerLengths: readonly number[]): number {
  const certs = certificateDerLengths.reduce((a, b) => a + b, 0);
  const needed = certs + MAX_SIGNATURE_BYTES + 4096;
  return Math.max(8192, Math.ceil(needed / 1024) * 1024);
}
