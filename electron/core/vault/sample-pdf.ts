/**
 * A one-page PDF with lines of Latin text in Helvetica, written out by hand: the sample data
 * needs a few small PDFs, and writing them takes forty lines, where pdf-lib would bring its
 * whole parser into main's bundle. PDFs are parsed only in the PDF sandbox; nothing here reads
 * one. Characters outside printable ASCII become '?' (the standard fonts' WinAnsi encoding
 * has no Vietnamese glyphs anyway).
 */
export function renderPdf(lines: readonly string[]): Uint8Array {
  const text = (line: string) => line.replace(/[^\x20-\x7e]/g, '?').replace(/[\\()]/g, (c) => `\\${c}`);
  const content = lines
    .map((line, i) => `BT /F1 12 Tf 56 ${770 - i * 22} Td (${text(line)}) Tj ET`)
    .join('\n');
  const objects = [
    '<< /Type /Catalog /Pages 2 0 R >>',
    '<< /Type /Pages /Kids [3 0 R] /Count 1 >>',
    '<< /Type /Page /Parent 2 0 R /MediaBox [0 0 595 842] /Contents 4 0 R /Resources << /Font << /F1 5 0 R >> >> >>',
    `<< /Length ${content.length} >>\nstream\n${content}\nendstream`,
    '<< /Type /Font /Subtype /Type1 /BaseFont /Helvetica /Encoding /WinAnsiEncoding >>',
  ];
  let out = '%PDF-1.7\n';
  const offsets: number[] = [];
  objects.forEach((body, i) => {
    offsets.push(out.length);
    out += `${i + 1} 0 obj\n${body}\nendobj\n`;
  });
  const xref = out.length;
  out += `xref\n0 ${objects.length + 1}\n0000000000 65535 f\r\n`;
  for (const at of offsets) out += `${String(at).padStart(10, '0')} 00000 n\r\n`;
  out += `trailer\n<< /Size ${objects.length + 1} /Root 1 0 R >>\nstartxref\n${xref}\n%%EOF\n`;
  // Only ASCII above, so one character is one byte.
  return new TextEncoder().encode(out);
}
