import { inflateSync } from 'node:zlib';

/**
 * A TrueType font read from a WOFF 1.0 file (the format @fontsource ships): the tables are
 * inflated back into an sfnt (what a PDF embeds as FontFile2), and the few tables a PDF text
 * writer needs are read: the character map, advance widths and vertical metrics. Fonts here
 * are our own bundled files, not input from outside; still, every read is bounds-checked.
 */
export interface EmbeddableFont {
  /** The sfnt (TrueType) bytes. */
  readonly ttf: Uint8Array;
  readonly unitsPerEm: number;
  readonly ascent: number;
  readonly descent: number;
  readonly bbox: readonly [number, number, number, number];
  /** Glyph id of a code point, or undefined. */
  glyphOf(codePoint: number): number | undefined;
  /** Advance width of a glyph, in font units. */
  advance(glyph: number): number;
}

class Reader {
  constructor(private readonly b: Buffer) {}
  u16(o: number): number {
    return this.b.readUInt16BE(o);
  }
  i16(o: number): number {
    return this.b.readInt16BE(o);
  }
  u32(o: number): number {
    return this.b.readUInt32BE(o);
  }
}

/** WOFF 1.0 → sfnt (tables inflated, 4-byte aligned, checksums as WOFF recorded them). */
export function woffToSfnt(woff: Uint8Array): Buffer {
  const w = Buffer.from(woff);
  const r = new Reader(w);
  if (w.length < 44 || w.toString('latin1', 0, 4) !== 'wOFF') throw new Error('not a WOFF font');
  const flavor = r.u32(4);
  const numTables = r.u16(12);
  const tables: { tag: string; checksum: number; data: Buffer }[] = [];
  for (let i = 0; i < numTables; i++) {
    const e = 44 + i * 20;
    const offset = r.u32(e + 4);
    const compLength = r.u32(e + 8);
    const origLength = r.u32(e + 12);
    const raw = w.subarray(offset, offset + compLength);
    const data = compLength < origLength ? inflateSync(raw) : Buffer.from(raw);
    if (data.length !== origLength) throw new Error('a WOFF table has the wrong length');
    tables.push({ tag: w.toString('latin1', e, e + 4), checksum: r.u32(e + 16), data });
  }
  const entrySelector = Math.floor(Math.log2(numTables));
  const searchRange = 2 ** entrySelector * 16;
  const header = Buffer.alloc(12 + numTables * 16);
  header.writeUInt32BE(flavor, 0);
  header.writeUInt16BE(numTables, 4);
  header.writeUInt16BE(searchRange, 6);
  header.writeUInt16BE(entrySelector, 8);
  header.writeUInt16BE(numTables * 16 - searchRange, 10);
  const body: Buffer[] = [];
  let offset = header.length;
  tables.forEach((t, i) => {
    const rec = 12 + i * 16;
    header.write(t.tag, rec, 'latin1');
    header.writeUInt32BE(t.checksum, rec + 4);
    header.writeUInt32BE(offset, rec + 8);
    header.writeUInt32BE(t.data.length, rec + 12);
    const padded = Buffer.alloc((t.data.length + 3) & ~3);
    t.data.copy(padded);
    body.push(padded);
    offset += padded.length;
  });
  return Buffer.concat([header, ...body]);
}

function tableOf(sfnt: Buffer, tag: string): Buffer {
  const n = sfnt.readUInt16BE(4);
  for (let i = 0; i < n; i++) {
    const rec = 12 + i * 16;
    if (sfnt.toString('latin1', rec, rec + 4) === tag) {
      const off = sfnt.readUInt32BE(rec + 8);
      return sfnt.subarray(off, off + sfnt.readUInt32BE(rec + 12));
    }
  }
  throw new Error(`the font has no ${tag} table`);
}

/** cmap formats 12 (full Unicode) and 4 (BMP). */
function readCmap(cmap: Buffer): Map<number, number> {
  const r = new Reader(cmap);
  const map = new Map<number, number>();
  const subtables: number[] = [];
  for (let i = 0; i < r.u16(2); i++) {
    const rec = 4 + i * 8;
    const platform = r.u16(rec);
    const encoding = r.u16(rec + 2);
    if (platform === 0 || (platform === 3 && (encoding === 1 || encoding === 10)))
      subtables.push(r.u32(rec + 4));
  }
  for (const at of subtables) {
    const format = r.u16(at);
    if (format === 12) {
      const groups = r.u32(at + 12);
      for (let g = 0; g < groups; g++) {
        const e = at + 16 + g * 12;
        const start = r.u32(e);
        const end = Math.min(r.u32(e + 4), start + 0xffff);
        for (let c = start; c <= end; c++) if (!map.has(c)) map.set(c, r.u32(e + 8) + (c - start));
      }
    } else if (format === 4) {
      const segX2 = r.u16(at + 6);
      const ends = at + 14;
      const starts = ends + segX2 + 2;
      const deltas = starts + segX2;
      const ranges = deltas + segX2;
      for (let s = 0; s < segX2; s += 2) {
        const end = r.u16(ends + s);
        const start = r.u16(starts + s);
        const delta = r.u16(deltas + s);
        const rangeOffset = r.u16(ranges + s);
        for (let c = start; c <= end && c !== 0xffff; c++) {
          let gid: number;
          if (rangeOffset === 0) gid = (c + delta) & 0xffff;
          else {
            const g = r.u16(ranges + s + rangeOffset + (c - start) * 2);
            gid = g === 0 ? 0 : (g + delta) & 0xffff;
          }
          if (gid !== 0 && !map.has(c)) map.set(c, gid);
        }
      }
    }
  }
  return map;
}

/** Reads a WOFF (or a TrueType file) into what the report writer needs. */
export function loadFont(bytes: Uint8Array): EmbeddableFont {
  const head = Buffer.from(bytes.subarray(0, 4)).toString('latin1');
  const sfnt = head === 'wOFF' ? woffToSfnt(bytes) : Buffer.from(bytes);
  const headT = new Reader(tableOf(sfnt, 'head'));
  const hhea = new Reader(tableOf(sfnt, 'hhea'));
  const hmtx = tableOf(sfnt, 'hmtx');
  const metrics = hhea.u16(34);
  const cmap = readCmap(tableOf(sfnt, 'cmap'));
  return {
    ttf: new Uint8Array(sfnt),
    unitsPerEm: headT.u16(18),
    ascent: hhea.i16(4),
    descent: hhea.i16(6),
    bbox: [headT.i16(36), headT.i16(38), headT.i16(40), headT.i16(42)],
    glyphOf: (cp) => cmap.get(cp),
    advance: (gid) => hmtx.readUInt16BE(Math.min(gid, metrics - 1) * 4),
  };
}
