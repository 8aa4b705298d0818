import { extractDocxText } from './office/docx-text';
import { extractOdtText } from './office/odt-text';
import { extractPdfText } from './pdf-text';
import { extractPlainText } from './plain-text';
import type { TextFormat } from '../../../../shared/domain/document';

/** A file of a known format that yields no text here (malformed, refused, over a limit). */
export class NoTextError extends Error {
  override name = 'NoTextError';
}

/**
 * The searchable text of an attachment, by the format the vault recognised: pdf.js for PDFs,
 * mammoth for .docx, our reader for .odt, a decoder for .txt. All of it runs here, in the
 * sandbox process. A file that yields no text throws (the sandbox answers with an error code,
 * never the file's words): the attachment stays stored, only not searchable by content.
 */
export async function extractText(bytes: Uint8Array, format: TextFormat, maxChars: number): Promise<string> {
  const text =
    format === 'pdf'
      ? await extractPdfText(bytes, maxChars)
      : format === 'txt'
        ? extractPlainText(bytes, maxChars)
        : format === 'docx'
          ? await extractDocxText(bytes, maxChars)
          : extractOdtText(bytes, maxChars);
  if (text === null) throw new NoTextError(`not a readable ${format} file`);
  return text;
}
