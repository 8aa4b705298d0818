import { createHash } from 'node:crypto';
import { displayName } from './certificates';
import { buildCms } from './cms';
import type { PdfSandbox } from '../pdf-sandbox';
import { checkPrepared, embedCms, signedRanges } from './signature-placeholder';
import { placeholderSize, type Signer } from './signer';
import { reportFonts } from './report-fonts';
import { stampLines, type StampLanguage } from './stamp-lines';
import type { TimestampSource } from './tsa-client';

export interface PadesOptions {
  readonly signingTime: Date;
  readonly reason?: string;
  readonly location?: string;
  /** Draw a stamp (signer, time, reason) on this page; invisible signature when absent. */
  readonly visible?: { readonly page?: number };
  /** Sign into this empty signature field of the PDF (its box gets the stamp). */
  readonly fieldName?: string;
  /** A certification signature: DocMDP 1 no changes, 2 form filling and signing, 3 also comments. */
  readonly certify?: 1 | 2 | 3;
  /** B-T: a signature timestamp from this source (B-B when it fails). */
  readonly timestamp?: TimestampSource;
  /** The language of the stamp's labels (the officer's); English by default. */
  readonly language?: StampLanguage;
}

/**
 * PAdES baseline B-B: an incremental update with a signature field whose /Contents is a CMS
 * (SubFilter ETSI.CAdES.detached) over the byte ranges; no signingTime in the CMS, the time is
 * the dictionary's /M. Earlier signatures stay valid because their bytes are never touched.
 * The PDF is parsed and the update written in the PDF sandbox; here, its answer is checked
 * against our bytes, hashed, signed on the token and the CMS put into the placeholder.
 */
export async function signPades(
  pdf: Uint8Array,
  signer: Signer,
  options: PadesOptions,
  sandbox: PdfSandbox,
): Promise<Buffer> {
  const name = displayName(signer.certificate.subject);
  const lines = stampLines(
    {
      name,
      signingTime: options.signingTime,
      ...(options.reason ? { reason: options.reason } : {}),
      ...(options.location ? { location: options.location } : {}),
    },
    options.language,
  );
  const stamp = options.visible !== undefined || options.fieldName !== undefined;
  // The stamp is drawn in the report's embedded typeface, so Vietnamese keeps its diacritics.
  const fonts = stamp ? await reportFonts() : [];
  const answer = await sandbox.prepare(pdf, {
    kind: 'signature',
    // A timestamp token (the TSA's certificate, TSTInfo, signature) fits in 8 KiB more.
    contentsBytes:
      placeholderSize([signer.certificate.raw.length, ...signer.chain.map((c) => c.raw.length)]) +
      (options.timestamp ? 8192 : 0),
    signingTime: options.signingTime.toISOString(),
    name,
    ...(options.reason ? { reason: options.reason } : {}),
    ...(options.location ? { location: options.location } : {}),
    ...(stamp
      ? {
          visible: {
            ...(options.visible?.page === undefined ? {} : { page: options.visible.page }),
            lines,
            fonts,
          },
        }
      : {}),
    ...(options.fieldName !== undefined ? { fieldName: options.fieldName } : {}),
    ...(options.certify ? { certify: options.certify } : {}),
  });
  const prepared = checkPrepared(pdf, answer);
  const hash = createHash('sha256');
  for (const part of signedRanges(prepared.bytes, prepared.byteRange)) hash.update(part);
  const cms = await buildCms({
    contentDigest: hash.digest(),
    signerCertificate: signer.certificate,
    chain: signer.chain,
    mechanism: signer.mechanism,
    sign: (data) => signer.sign(data),
    ...(options.timestamp ? { timestamp: options.timestamp } : {}),
  });
  return embedCms(prepared, cms);
}
