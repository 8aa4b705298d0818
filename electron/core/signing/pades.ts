import { createHash } from 'node:crypto';
import { buildCms } from './cms';
import { embedSignature, preparePdfSignature, signedRanges, type VisibleStamp } from './pdf-incremental';
import { placeholderSize, type Signer } from './signer';
import { displayName } from './certificates';

export interface PadesOptions {
  readonly signingTime: Date;
  readonly reason?: string;
  readonly location?: string;
  /** Draw a stamp (signer, time, reason) on this page; invisible signature when absent. */
  readonly visible?: { readonly page?: number };
}

/**
 * PAdES baseline B-B: an incremental update with a signature field whose /Contents is a CMS
 * (SubFilter ETSI.CAdES.detached) over the byte ranges; no signingTime in the CMS, the time is
 * the dictionary's /M. Earlier signatures stay valid because their bytes are never touched.
 */
export async function signPades(pdf: Uint8Array, signer: Signer, options: PadesOptions): Promise<Buffer> {
  const name = displayName(signer.certificate.subject);
  const visible: VisibleStamp | undefined = options.visible
    ? {
        ...(options.visible.page === undefined ? {} : { page: options.visible.page }),
        lines: [
          `Signed by: ${name}`,
          `Time: ${options.signingTime.toISOString().replace('T', ' ').slice(0, 19)} UTC`,
          ...(options.reason ? [`Reason: ${options.reason}`] : []),
          ...(options.location ? [`Location: ${options.location}`] : []),
        ],
      }
    : undefined;
  const prepared = await preparePdfSignature(pdf, {
    contentsBytes: placeholderSize([signer.certificate.raw.length, ...signer.chain.map((c) => c.raw.length)]),
    signingTime: options.signingTime,
    name,
    ...(options.reason ? { reason: options.reason } : {}),
    ...(options.location ? { location: options.location } : {}),
    ...(visible ? { visible } : {}),
  });
  const hash = createHash('sha256');
  for (const part of signedRanges(prepared.bytes, prepared.byteRange)) hash.update(part);
  const cms = await buildCms({
    contentDigest: hash.digest(),
    signerCertificate: signer.certificate,
    chain: signer.chain,
    mechanism: signer.mechanism,
    sign: (data) => signer.sign(data),
  });
  return embedSignature(prepared, cms);
}
