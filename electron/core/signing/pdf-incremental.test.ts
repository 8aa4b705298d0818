import { describe, expect, it } from 'vitest';
import { parsePdfDate, pdfDate, PdfStructureError, preparePdfSignature } from './pdf-incremental';

describe('PDF incremental writer', () => {
  it('writes and reads PDF dates in UTC', () => {
    const d = new Date(Date.UTC(2026, 2, 4, 5, 6, 7));
    expect(pdfDate(d)).toBe("(D:20260304050607+00'00')");
    expect(parsePdfDate(pdfDate(d).slice(1, -1))?.toISOString()).toBe(d.toISOString());
    expect(parsePdfDate("D:20260304120607+07'00'")?.toISOString()).toBe(d.toISOString());
    expect(parsePdfDate('garbage')).toBeUndefined();
  });

  it('refuses what is not a PDF, and a PDF without a cross-reference section at its end', async () => {
    const opts = { contentsBytes: 8192, signingTime: new Date() };
    await expect(preparePdfSignature(Buffer.from('hello'), opts)).rejects.toBeInstanceOf(PdfStructureError);
    await expect(preparePdfSignature(Buffer.from('%PDF-1.7\n1 0 obj\n<<>>\nendobj\n'), opts)).rejects.toThrow(
      /startxref/,
    );
  });

  it('refuses an encrypted PDF', async () => {
    const pdf = Buffer.from(
      '%PDF-1.7\n1 0 obj\n<< /Type /Catalog >>\nendobj\nxref\n0 2\n0000000000 65535 f\r\n0000000009 00000 n\r\n' +
        'trailer\n<< /Size 2 /Root 1 0 R /Encrypt 5 0 R >>\nstartxref\n45\n%%EOF\n',
    );
    await expect(preparePdfSignature(pdf, { contentsBytes: 8192, signingTime: new Date() })).rejects.toThrow(
      /encrypted/,
    );
  });
});
