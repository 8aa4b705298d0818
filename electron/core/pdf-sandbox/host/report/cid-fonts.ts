import { PDFName, PDFNumber, PDFString, type PDFContext, type PDFObject, type PDFRef } from 'pdf-lib';
import type { EmbeddableFont } from './woff-font';

/**
 * Text in embedded TrueType fonts for the PDFs we write (the verification report, the visible
 * signature stamp): each font embedded whole as CIDFontType2 / Identity-H with a ToUnicode map,
 * so every character the fonts have (Vietnamese with its stacked diacritics included) is drawn
 * and can be copied and searched. Several fonts are one family split by script (the
 * @fontsource subsets): each character is drawn with the first font that has it.
 */

export interface UsedFont {
  readonly font: EmbeddableFont;
  readonly name: string;
  /** glyph id → the text it shows (for ToUnicode). */
  readonly used: Map<number, string>;
}

export interface Run {
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
export function runsOf(text: string, fonts: readonly UsedFont[], size: number): Run[] {
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

/** The text operators drawing `runs` from (x, y) at `size`; each run in its own font. */
export function showRuns(runs: readonly Run[], size: number, x: number, y: number): string[] {
  const ops: string[] = [];
  let at = x;
  for (const run of runs) {
    const hex = run.glyphs.map((g) => g.toString(16).padStart(4, '0')).join('');
    ops.push(
      `BT /${run.font.name} ${size.toFixed(2)} Tf 1 0 0 1 ${at.toFixed(2)} ${y.toFixed(2)} Tm <${hex}> Tj ET`,
    );
    at += run.width;
  }
  return ops;
}

/**
 * Writes the fonts that were used (after layout: the widths and ToUnicode tables list the
 * glyphs used) through `register`, which stores an object and answers its reference (a new
 * document's context, or an incremental update). Answers resource name → Type0 font.
 */
export function embedFonts(
  ctx: PDFContext,
  fonts: readonly UsedFont[],
  register: (obj: PDFObject) => PDFRef,
): Map<string, PDFRef> {
  const fontRefs = new Map<string, PDFRef>();
  for (const f of fonts) {
    if (f.used.size === 0) continue;
    const scale = 1000 / f.font.unitsPerEm;
    const file = register(ctx.flateStream(f.font.ttf, { Length1: f.font.ttf.length }));
    const base = PDFName.of(`BeVietnamPro-${f.name}`);
    const descriptor = register(
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
    const cid = register(
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
    const toUnicode = register(ctx.flateStream(toUnicodeCMap(f.used)));
    fontRefs.set(
      f.name,
      register(
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
  return fontRefs;
}
