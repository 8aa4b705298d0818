import { PDFDocument, PDFName } from 'pdf-lib';
import { embedFonts, runsOf, type UsedFont } from './cid-fonts';
import { loadFont } from './woff-font';

/**
 * A plain text document as a PDF (the verification report people file): lines of text in the
 * given sizes, wrapped to an A4 page, in fonts embedded whole as CIDFontType2 / Identity-H with
 * a ToUnicode map, so every character the fonts have (Vietnamese with its stacked diacritics
 * included) is drawn and can be copied and searched. Several fonts are one family split by
 * script (the @fontsource subsets): each character is drawn with the first font that has it.
 */
export interface ReportLine {
  readonly text: string;
  /** Points; 10 by default. */
  readonly size?: number;
  /** Left indent in points. */
  readonly indent?: number;
}

const PAGE: [number, number] = [595.28, 841.89];
const MARGIN = 50;

/** Word-wraps a line to `width` points. */
function wrap(text: string, fonts: readonly UsedFont[], size: number, width: number): string[] {
  const measure = (s: string) => runsOf(s, fonts, size).reduce((a, r) => a + r.width, 0);
  const out: string[] = [];
  let current = '';
  for (const word of text.split(' ')) {
    const next = current ? `${current} ${word}` : word;
    if (current && measure(next) > width) {
      out.push(current);
      current = word;
    } else current = next;
  }
  out.push(current);
  return out;
}

export async function writeReportPdf(
  title: string,
  lines: readonly ReportLine[],
  fontFiles: readonly Uint8Array[],
): Promise<Uint8Array> {
  if (fontFiles.length === 0) throw new Error('a report needs a font');
  const doc = await PDFDocument.create({ updateMetadata: false });
  doc.setTitle(title);
  doc.setProducer('Embassy Secure Workstation');
  const ctx = doc.context;
  const fonts: UsedFont[] = fontFiles.map((bytes, i) => ({
    font: loadFont(bytes),
    name: `F${i + 1}`,
    used: new Map<number, string>(),
  }));

  // Lay out first (which glyphs are used decides the width and ToUnicode tables).
  const pages: string[][] = [[]];
  let y = PAGE[1] - MARGIN;
  for (const line of lines) {
    const size = line.size ?? 10;
    const indent = line.indent ?? 0;
    for (const piece of wrap(line.text, fonts, size, PAGE[0] - 2 * MARGIN - indent)) {
      y -= size * 1.45;
      if (y < MARGIN) {
        pages.push([]);
        y = PAGE[1] - MARGIN - size * 1.45;
      }
      let x = MARGIN + indent;
      for (const run of runsOf(piece, fonts, size)) {
        const hex = run.glyphs.map((g) => g.toString(16).padStart(4, '0')).join('');
        pages
          .at(-1)
          ?.push(`BT /${run.font.name} ${size} Tf 1 0 0 1 ${x.toFixed(2)} ${y.toFixed(2)} Tm <${hex}> Tj ET`);
        x += run.width;
      }
    }
  }

  const fontRefs = embedFonts(ctx, fonts, (obj) => ctx.register(obj));

  for (const ops of pages) {
    const page = doc.addPage(PAGE);
    for (const [name, ref] of fontRefs) page.node.setFontDictionary(PDFName.of(name), ref);
    page.node.addContentStream(ctx.register(ctx.flateStream(ops.join('\n'))));
  }
  return doc.save({ useObjectStreams: false });
}
