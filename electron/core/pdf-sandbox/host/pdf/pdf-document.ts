import { PDFRef, type PDFObject } from 'pdf-lib';
import { readPdf, type PdfFile } from './pdf-revisions';
import { openSecurity, type PdfSecurity, type SecurityOpening } from './pdf-security';
import type { StringReader } from './pdf-structure';
import { decodeText, stringBytes } from './pdf-values';

/**
 * A PDF opened for signing or verification: its revisions, and for an encrypted file the
 * security handler opened with the empty user password (or why it could not be).
 */
export interface PdfDocument {
  readonly file: PdfFile;
  readonly security: PdfSecurity | undefined;
  /** Set when the file is encrypted and we cannot open it. */
  readonly securityProblem: Extract<SecurityOpening, { ok: false }> | undefined;
  /** A string's bytes as written, decrypted when the file is encrypted. */
  readonly strings: StringReader;
  /** A text string (a name, a reason), decrypted and decoded. */
  text(o: PDFObject | undefined, owner: PDFRef | undefined): string | undefined;
}

export function openPdf(bytes: Uint8Array): PdfDocument {
  const file = readPdf(bytes);
  const opening = openSecurity(file);
  const security = opening?.ok ? opening.security : undefined;
  if (security) file.setDecryptor(security);
  const strings: StringReader = (data, owner) => {
    if (!security || !owner) return data;
    try {
      return security.decryptString(owner.objectNumber, owner.generationNumber, data);
    } catch {
      return data;
    }
  };
  return {
    file,
    security,
    securityProblem: opening && !opening.ok ? opening : undefined,
    strings,
    text(o, owner) {
      const b = stringBytes(file.final.resolve(o));
      const own = o instanceof PDFRef ? o : owner;
      return b ? decodeText(strings(b, own)) : undefined;
    },
  };
}
