import { PDFDocument, PDFName, PDFNumber, PDFString, type PDFRef } from 'pdf-lib';
import { loadFont, type EmbeddableFont } from './woff-font';

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

interface UsedFont {
  readonly font: EmbeddableFont;
  readonly name: string;
  /** glyph id → the text it shows (for ToUnicode). */
  readonly used: Map<number, string>;
}

interface Run {
  readonly font: UsedFont;
  readonly glyphs: number[];
  width: number;
}

function toUnicodeCMap(used: Map<number, string>): string {
  const hex = (n: number, w: number) => n.toString(16).toUpperCase().padStart(w, '0');
  const entries = [...used].map(([gid, text]) => {
    const utf16 = Buffer.from(text, 'utf16le').swap16().toString('hex').toUpperCase();
    return `<${hex(gid, 4)}> <${utf16}>`;
  });
  const chunks: string[] = [];
  for (let i = 0; i < entries.length; i += 100) {
    const part = entries.slice(i, i + 100);
    chunks.push(`${part.length} beginbfchar\n${part.join('\n')}\nendbfchar`);
  }
  return (
    '/CIDInit /ProcSet findresource begin\n12 dict begin\nbegincmap\n' +
    '/CIDSystemInfo << /Registry (Adobe) /Ordering (UCS) /Supplement 0 >> def\n' +
    '/CMapName /Adobe-Identity-UCS def\n/CMapType 2 def\n' +
    '1 begincodespacerange\n<0000> <FFFF>\nendcodespacerange\n' +
    `${chunks.join('\n')}\nendcmap\nCMapName currentdict /CMap defineresource pop\nend\nend\n`
  );
}

/** Splits text into runs of one font each; characters no font has become the first font's '?'. */
function runsOf(text: string, fonts: readonly UsedFont[], size: number): Run[] {
  const runs: Run[] = [];
  for (const ch of text) {
    const cp = ch.codePointAt(0) ?? 0x3f;
    let font = fonts.find((f) => f.font.glyphOf(cp) !== undefined);
    let gid = font?.font.glyphOf(cp);
    let shown = ch;
    if (!font || gid === undefined) {
      font = fonts[0] as UsedFont;
      gid = font.font.glyphOf(0x3f) ?? 0;
      shown = '?';
    }
    font.used.set(gid, shown);
    const w = (font.font.advance(gid) / font.font.unitsPerEm) * size;
    const last = runs.at(-1);
    if (last && last.font === font) {
      last.glyphs.push(gid);
      last.width += w;
    } else runs.push({ font, glyphs: [gid], width: w });
  }
  return runs;
}

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

  const fontRefs = new Map<string, PDFRef>();
  for (const f of fonts) {
    if (f.used.size === 0) continue;
    const scale = 1000 / f.font.unitsPerEm;
    const file = ctx.register(ctx.flateStream(f.font.ttf, { Length1: f.font.ttf.length }));
    const base = PDFName.of(`BeVietnamPro-${f.name}`);
    const descriptor = ctx.register(
      ctx.obj({
        Type: 'FontDescriptor',
        FontName: base,
        Flags: 32,
        FontBBox: f.font.bbox.map((v) => Math.round(v * scale)),
        ItalicAngle: 0,
        Ascent: Math.round(f.font.ascent * scale),
        Descent: Math.round(f.font.descent * scale),
        CapHeight: Math.round(f.font.ascent * scale),
        StemV: 80,
        FontFile2: file,
      }),
    );
    const widths = ctx.obj(
      [...f.used.keys()]
        .sort((a, b) => a - b)
        .flatMap((gid) => [gid, [Math.round(f.font.advance(gid) * scale)]]),
    );
    const cid = ctx.register(
      ctx.obj({
        Type: 'Font',
        Subtype: 'CIDFontType2',
        BaseFont: base,
        CIDSystemInfo: ctx.obj({
          Registry: PDFString.of('Adobe'),
          Ordering: PDFString.of('Identity'),
          Supplement: PDFNumber.of(0),
        }),
        FontDescriptor: descriptor,
        W: widths,
        CIDToGIDMap: 'Identity',
      }),
    );
    const toUnicode = ctx.register(ctx.flateStream(toUnicodeCMap(f.used)));
    fontRefs.set(
      f.name,
      ctx.register(
        ctx.obj({
          Type: 'Font',
          Subtype: 'Type0',
          BaseFont: base,
          Encoding: 'Identity-H',
          DescendantFonts: [cid],
          ToUnicode: toUnicode,
        }),
      ),
    );
  }

  for (const ops of pages) {
    const page = doc.addPage(PAGE);
    for (const [name, ref] of fontRefs) page.node.setFontDictionary(PDFName.of(name), ref);
    page.node.addContentStream(ctx.register(ctx.flateStream(ops.join('\n'))));
  }
  return doc.save({ useObjectStreams: false });
}
