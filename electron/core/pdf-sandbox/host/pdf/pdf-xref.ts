import { PDFArray, PDFDict, PDFName, PDFNumber, PDFRawStream, type PDFObject } from 'pdf-lib';
import { PdfSyntaxError, type PdfObjectReader } from './pdf-object-reader';
import { decodeStream } from './pdf-stream-decode';

/**
 * One cross-reference section (a classic `xref` table with its trailer, or an xref stream),
 * read at the offset a `startxref`, a `/Prev` or an `/XRefStm` names.
 */

export type XrefEntry =
  | { readonly type: 'free' }
  | { readonly type: 'offset'; readonly offset: number; readonly gen: number }
  | { readonly type: 'compressed'; readonly stream: number; readonly index: number };

export interface XrefSection {
  readonly offset: number;
  readonly kind: 'table' | 'stream';
  readonly entries: ReadonlyMap<number, XrefEntry>;
  /** The trailer dictionary, or the xref stream's dictionary. */
  readonly trailer: PDFDict;
  readonly prev?: number;
  /** A hybrid file's table names an xref stream with more entries. */
  readonly xrefStm?: number;
}

/** More entries than any real file has; a crafted /Size or /Index cannot make us allocate more. */
const MAX_ENTRIES = 8_000_000;

const isWs = (b: number | undefined) =>
  b === 0x20 || b === 0x0a || b === 0x0d || b === 0x09 || b === 0x0c || b === 0x00;

export function readXrefSection(reader: PdfObjectReader, offset: number): XrefSection {
  const buf = reader.buf;
  if (!Number.isInteger(offset) || offset <= 0 || offset >= buf.length)
    throw new PdfSyntaxError('cross-reference offset outside the file');
  let p = offset;
  while (isWs(buf[p])) p++;
  if (buf.toString('latin1', p, p + 4) === 'xref') return readTable(reader, offset, p + 4);
  return readStream(reader, offset);
}

function readTable(reader: PdfObjectReader, offset: number, from: number): XrefSection {
  const buf = reader.buf;
  let p = from;
  const skip = () => {
    while (p < buf.length && isWs(buf[p])) p++;
  };
  const int = () => {
    const s = p;
    while (p < buf.length && (buf[p] as number) >= 0x30 && (buf[p] as number) <= 0x39) p++;
    if (p === s) throw new PdfSyntaxError('bad cross-reference table');
    return Number(buf.toString('latin1', s, p));
  };
  const entries = new Map<number, XrefEntry>();
  for (;;) {
    skip();
    if (buf.toString('latin1', p, p + 7) === 'trailer') {
      p += 7;
      break;
    }
    const first = int();
    skip();
    const count = int();
    if (first + count > MAX_ENTRIES) throw new PdfSyntaxError('cross-reference table too large');
    for (let i = 0; i < count; i++) {
      skip();
      const at = int();
      skip();
      const gen = int();
      skip();
      const kind = buf[p++];
      if (kind !== 0x6e && kind !== 0x66) throw new PdfSyntaxError('bad cross-reference entry');
      // The first section of a subsection wins if an object number repeats inside one table.
      if (!entries.has(first + i))
        entries.set(first + i, kind === 0x6e ? { type: 'offset', offset: at, gen } : { type: 'free' });
    }
  }
  const trailer = reader.valueAt(p);
  if (!(trailer instanceof PDFDict)) throw new PdfSyntaxError('trailer is not a dictionary');
  const prev = intOf(trailer.get(PDFName.of('Prev')));
  const xrefStm = intOf(trailer.get(PDFName.of('XRefStm')));
  return {
    offset,
    kind: 'table',
    entries,
    trailer,
    ...(prev !== undefined ? { prev } : {}),
    ...(xrefStm !== undefined ? { xrefStm } : {}),
  };
}

function readStream(reader: PdfObjectReader, offset: number): XrefSection {
  const obj = reader.objectAt(offset);
  const stream = obj.value;
  if (!(stream instanceof PDFRawStream) || stream.dict.get(PDFName.of('Type')) !== PDFName.of('XRef'))
    throw new PdfSyntaxError('startxref does not point to a cross-reference section');
  const dict = stream.dict;
  // An xref stream's dictionary holds direct values only (ISO 32000-2, 7.5.8.2).
  const direct = (o: PDFObject | undefined) => o;
  const data = decodeStream(stream, direct, reader.context);
  const w = dict.get(PDFName.of('W'));
  if (!(w instanceof PDFArray) || w.size() !== 3) throw new PdfSyntaxError('xref stream without /W');
  const widths = w.asArray().map((x) => intOf(x) ?? -1);
  if (widths.some((x) => x < 0 || x > 8)) throw new PdfSyntaxError('bad /W');
  const [w1, w2, w3] = widths as [number, number, number];
  const rowLength = w1 + w2 + w3;
  const size = intOf(dict.get(PDFName.of('Size')));
  if (size === undefined || size > MAX_ENTRIES) throw new PdfSyntaxError('bad /Size');
  const indexObj = dict.get(PDFName.of('Index'));
  const index = indexObj instanceof PDFArray ? indexObj.asArray().map((x) => intOf(x) ?? -1) : [0, size];
  if (index.length % 2 !== 0 || index.some((x) => x < 0)) throw new PdfSyntaxError('bad /Index');
  const field = (at: number, width: number) => {
    let v = 0;
    for (let i = 0; i < width; i++) v = v * 256 + (data[at + i] as number);
    return v;
  };
  const entries = new Map<number, XrefEntry>();
  let row = 0;
  for (let i = 0; i < index.length; i += 2) {
    const first = index[i] as number;
    const count = index[i + 1] as number;
    if (first + count > MAX_ENTRIES) throw new PdfSyntaxError('bad /Index');
    for (let j = 0; j < count; j++, row++) {
      const at = row * rowLength;
      if (at + rowLength > data.length) throw new PdfSyntaxError('xref stream shorter than its /Index');
      const type = w1 === 0 ? 1 : field(at, w1);
      const f2 = field(at + w1, w2);
      const f3 = field(at + w1 + w2, w3);
      if (entries.has(first + j)) continue;
      // Unknown entry types are references to the null object (7.5.8.3).
      entries.set(
        first + j,
        type === 1
          ? { type: 'offset', offset: f2, gen: f3 }
          : type === 2
            ? { type: 'compressed', stream: f2, index: f3 }
            : { type: 'free' },
      );
    }
  }
  const prev = intOf(dict.get(PDFName.of('Prev')));
  return { offset, kind: 'stream', entries, trailer: dict, ...(prev !== undefined ? { prev } : {}) };
}

function intOf(o: PDFObject | undefined): number | undefined {
  if (!(o instanceof PDFNumber)) return undefined;
  const n = o.asNumber();
  return Number.isInteger(n) && n >= 0 ? n : undefined;
}
