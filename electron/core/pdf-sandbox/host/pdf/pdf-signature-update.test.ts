import { describe, expect, it } from 'vitest';
import { parsePdfDate } from '../../../signing/pdf-date';
import { pdfDate } from './pdf-dates';
import { openPdf } from './pdf-document';
import { PdfSyntaxError } from './pdf-object-reader';
import { prepareSignatureUpdate } from './pdf-signature-update';

describe('PDF signature update', () => {
  it('writes and reads PDF dates in UTC', () => {
    const d = new Date(Date.UTC(2026, 2, 4, 5, 6, 7));
    expect(pdfDate(d)).toBe("(D:20260304050607+00'00')");
    expect(parsePdfDate(pdfDate(d).slice(1, -1))?.toISOString()).toBe(d.toISOString());
    expect(parsePdfDate("D:20260304120607+07'00'")?.toISOString()).toBe(d.toISOString());
    expect(parsePdfDate('garbage')).toBeUndefined();
  });

  it('refuses what is not a PDF, and a PDF without a cross-reference section at its end', () => {
    expect(() => openPdf(Buffer.from('hello'))).toThrow(PdfSyntaxError);
    expect(() => openPdf(Buffer.from('%PDF-1.7\n1 0 obj\n<<>>\nendobj\n'))).toThrow(/cross-reference/);
  });

  it('refuses an encrypted PDF it cannot open, saying what the officer can do', () => {
    const body =
      '%PDF-1.7\n1 0 obj\n<< /Type /Catalog >>\nendobj\n2 0 obj\n<< /Filter /Standard /V 2 /R 3 /Length 128 ' +
      '/O <00> /U <00> /P -4 >>\nendobj\n';
    const xref = body.length;
    const pdf = Buffer.from(
      `${body}xref\n0 3\n0000000000 65535 f\r\n0000000009 00000 n\r\n${String(body.indexOf('2 0 obj')).padStart(10, '0')} 00000 n\r\n` +
        `trailer\n<< /Size 3 /Root 1 0 R /Encrypt 2 0 R /ID [<00><00>] >>\nstartxref\n${xref}\n%%EOF\n`,
    );
    expect(() =>
      prepareSignatureUpdate(openPdf(pdf), {
        kind: 'signature',
        contentsBytes: 8192,
        signingTime: new Date(),
      }),
    ).toThrow(/RC4 or AES-128.*ask the sender/);
  });
});
