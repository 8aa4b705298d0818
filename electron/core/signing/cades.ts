import { createHash } from 'node:crypto';
import { createReadStream } from 'node:fs';
import { buildCms } from './cms';
import type { Signer } from './signer';
import type { TimestampSource } from './tsa-client';

/** SHA-256 of a file, streamed (a .p7s may be made for a file of any size). */
export async function sha256File(path: string): Promise<Buffer> {
  const hash = createHash('sha256');
  for await (const chunk of createReadStream(path)) hash.update(chunk as Buffer);
  return hash.digest();
}

/**
 * A CAdES-BES detached signature (.p7s, DER) over content with the given SHA-256: contentType,
 * messageDigest, signingTime and signingCertificateV2 signed; the chain embedded; with
 * `timestamp`, a signature timestamp (B-T).
 */
export function signCades(
  contentDigest: Uint8Array,
  signer: Signer,
  signingTime: Date,
  timestamp?: TimestampSource,
): Promise<Buffer> {
  return buildCms({
    contentDigest,
    signerCertificate: signer.certificate,
    chain: signer.chain,
    mechanism: signer.mechanism,
    signingTime,
    sign: (data) => signer.sign(data),
    ...(timestamp ? { timestamp } : {}),
  });
}
