import { createHash } from 'node:crypto';
import type { PdfSandbox } from '../pdf-sandbox';
import { checkPrepared, embedCms, signedRanges } from './signature-placeholder';
import { CoreError, ErrorCode } from '../../../shared/contract/errors';
import { TimestampError, type TimestampSource } from './tsa-client';

/**
 * PAdES B-LTA: a document timestamp (SubFilter ETSI.RFC3161) over the whole file as it is, the
 * DSS included, so that the validation data is itself proven to have existed then. The sandbox
 * prepares the update with an empty placeholder; as for a signature, the core checks that it
 * only appended and that the byte range is the file minus the placeholder, then asks the TSA
 * for a token over the ranges' SHA-256 and writes it in.
 */
export async function appendDocumentTimestamp(
  pdf: Uint8Array,
  source: TimestampSource,
  sandbox: PdfSandbox,
): Promise<Buffer> {
  const answer = await sandbox.prepare(pdf, { kind: 'timestamp', contentsBytes: 16_384 });
  const prepared = checkPrepared(pdf, answer);
  const hash = createHash('sha256');
  for (const part of signedRanges(prepared.bytes, prepared.byteRange)) hash.update(part);
  let token: Uint8Array;
  try {
    token = await source(hash.digest());
  } catch (e) {
    if (e instanceof TimestampError)
      throw new CoreError(ErrorCode.TsaUnavailable, `no document timestamp: ${e.message}`);
    throw e;
  }
  return embedCms(prepared, token);
}
