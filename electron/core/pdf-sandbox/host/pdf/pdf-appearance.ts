import { PDFName, type PDFContext, type PDFObject, type PDFRawStream, type PDFRef } from 'pdf-lib';
import { embedFonts, runsOf, showRuns, type UsedFont } from '../report/cid-fonts';
import { loadFont } from '../report/woff-font';

/**
 * A visible signature's appearance: a framed box with lines of text, sized to the widget's box
 * (a field placed by a form keeps its size; the font shrinks to fit). With `fontFiles` (the
 * Be Vietnam Pro subsets the report uses) the text is drawn in that embedded font, every
 * Vietnamese letter with its diacritics ("Phê duyệt"), copyable through ToUnicode; the fonts
 * are written through `register` into the same incremental update. Without them, Helvetica
 * (which has no Vietnamese glyphs: diacritics are dropped).
 */
export function stampAppearance(
  context: PDFContext,
  width: number,
  height: number,
  lines: readonly string[],
  register: (obj: PDFObject) => PDFRef,
  fontFiles: readonly Uint8Array[] = [],
): PDFRawStream {
  const size = Math.max(4, Math.min(9, (height - 6) / Math.max(1, lines.length) / 1.5));
  const step = size * 1.5;
  const y = (i: number) => height - 4 - size - i * step;
  const frame = `q 0.1 0.3 0.6 RG 1 w 0.5 0.5 ${width - 1} ${height - 1} re S Q`;
  if (fontFiles.length > 0) {
    const fonts: UsedFont[] = fontFiles.map((bytes, i) => ({
      font: loadFont(bytes),
      name: `F${i + 1}`,
      used: new Map<number, string>(),
    }));
    const ops = lines.flatMap((l, i) =>
      showRuns(runsOf(fitTo(l, fonts, size, width - 8), fonts, size), size, 4, y(i)),
    );
    const refs = embedFonts(context, fonts, register);
    const fontDict = context.obj({});
    for (const [name, ref] of refs) fontDict.set(PDFName.of(name), ref);
    return context.stream(`${frame}\nq 0 g\n${ops.join('\n')}\nQ\n`, {
      Type: 'XObject',
      Subtype: 'Form',
      BBox: [0, 0, width, height],
      Resources: { Font: fontDict },
    });
  }
  const ascii = (s: string) =>
    s
      .normalize('NFD')
      .replace(/[\u0300-\u036f]/g, '')
      .replace(/đ/g, 'd')
      .replace(/Đ/g, 'D')
      .replace(/[^\x20-\x7e]/g, '?')
      .replace(/([\\()])/g, '\\$1');
  const text = lines
    .map((l, i) => `BT /F1 ${size.toFixed(2)} Tf 4 ${y(i).toFixed(2)} Td (${ascii(l).slice(0, 80)}) Tj ET`)
    .join('\n');
  return context.stream(`${frame}\nq 0 g\n${text}\nQ\n`, {
    Type: 'XObject',
    Subtype: 'Form',
    BBox: [0, 0, width, height],
    Resources: {
      Font: { F1: { Type: 'Font', Subtype: 'Type1', BaseFont: 'Helvetica', Encoding: 'WinAnsiEncoding' } },
    },
  });
}

/** The line cut (with an ellipsis) to fit `width` points; measuring marks no glyph as used. */
function fitTo(text: string, fonts: readonly UsedFont[], size: number, width: number): string {
  const probe = fonts.map((f) => ({ ...f, used: new Map<number, string>() }));
  const measure = (s: string) => runsOf(s, probe, size).reduce((a, r) => a + r.width, 0);
  if (measure(text) <= width) return text;
  const chars = [...text];
  while (chars.length > 0 && measure(`${chars.join('')}…`) > width) chars.pop();
  return `${chars.join('')}…`;
}
