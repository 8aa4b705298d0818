import { CoreError, ErrorCode } from '../../../shared/contract/errors';
import type { PreparedUpdate } from '../pdf-sandbox';

/**
 * The core's half of writing a PDF signature: the sandbox parsed the PDF and appended the
 * incremental update with a zero-filled /Contents placeholder (pdf-sandbox/host/pdf/); here,
 * without parsing anything, its answer is checked against the bytes we sent — it may only have
 * appended, the byte range must be the file minus exactly the placeholder — and after the
 * token signed, the CMS is written into the placeholder. A sandbox that lies gets
 * E_PDF_PARSER_FAILED, never a signature over bytes we did not choose to sign.
 */

/** The bytes a PDF signature covers: everything but the /Contents value. */
export function signedRanges(bytes: Uint8Array, br: readonly number[]): Buffer[] {
  const [a = 0, b = 0, c = 0, d = 0] = br;
  return [Buffer.from(bytes.subarray(a, a + b)), Buffer.from(bytes.subarray(c, c + d))];
}

const LT = 0x3c;
const GT = 0x3e;
const ZERO = 0x30;

/** Checks the sandbox's update against the original; answers it as a Buffer we own. */
export function checkPrepared(
  original: Uint8Array,
  prepared: PreparedUpdate,
): PreparedUpdate & { bytes: Buffer } {
  const bytes = Buffer.from(prepared.bytes.buffer, prepared.bytes.byteOffset, prepared.bytes.length);
  const [a, b, c, d] = prepared.byteRange;
  const off = prepared.contentsHexOffset;
  const len = prepared.contentsHexLength;
  const bad = (why: string) => new CoreError(ErrorCode.PdfParserFailed, `the prepared signature ${why}`);
  if (bytes.length <= original.length || !bytes.subarray(0, original.length).equals(original))
    throw bad('does not keep the original bytes');
  if (a !== 0 || b !== off - 1 || c !== off + len + 1 || c + d !== bytes.length || off <= original.length)
    throw bad('has a byte range that does not fit its placeholder');
  if (bytes[off - 1] !== LT || bytes[off + len] !== GT) throw bad('has no placeholder');
  for (let i = off; i < off + len; i++)
    if (bytes[i] !== ZERO) throw bad('has a placeholder that is not empty');
  return { ...prepared, bytes };
}

/** Writes the CMS (hex) into the checked placeholder. */
export function embedCms(prepared: PreparedUpdate & { bytes: Buffer }, cms: Uint8Array): Buffer {
  const hex = Buffer.from(cms).toString('hex');
  if (hex.length > prepared.contentsHexLength)
    throw new CoreError(
      ErrorCode.SignUnsupportedFile,
      `signature (${cms.length} bytes) larger than its placeholder`,
    );
  prepared.bytes.write(hex, prepared.contentsHexOffset, 'latin1');
  return prepared.bytes;
}
