import type { PDFContext, PDFRawStream } from 'pdf-lib';

/**
 * A visible signature's appearance: a framed box with lines of text in Helvetica, sized to
 * the widget's box (a field placed by a form keeps its size; the font shrinks to fit). The
 * standard 14 fonts have no Vietnamese glyphs, so the stamp drops diacritics (the signature
 * dictionary keeps the full Unicode reason and name).
 */
export function stampAppearance(
  context: PDFContext,
  width: number,
  height: number,
  lines: readonly string[],
): PDFRawStream {
  const ascii = (s: string) =>
    s
      .normalize('NFD')
      .replace(/[\u0300-\u036f]/g, '')
      .replace(/đ/g, 'd')
      .replace(/Đ/g, 'D')
      .replace(/[^\x20-\x7e]/g, '?')
      .replace(/([\\()])/g, '\\$1');
  const size = Math.max(4, Math.min(9, (height - 6) / Math.max(1, lines.length) / 1.5));
  const step = size * 1.5;
  const text = lines
    .map(
      (l, i) =>
        `BT /F1 ${size.toFixed(2)} Tf 4 ${(height - 4 - size - i * step).toFixed(2)} Td (${ascii(l).slice(0, 80)}) Tj ET`,
    )
    .join('\n');
  const content = `q 0.1 0.3 0.6 RG 1 w 0.5 0.5 ${width - 1} ${height - 1} re S Q\nq 0 g\n${text}\nQ\n`;
  return context.stream(content, {
    Type: 'XObject',
    Subtype: 'Form',
    BBox: [0, 0, width, height],
    Resources: {
      Font: { F1: { Type: 'Font', Subtype: 'Type1', BaseFont: 'Helvetica', Encoding: 'WinAnsiEncoding' } },
    },
  });
}
