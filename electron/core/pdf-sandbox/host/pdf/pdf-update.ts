import {
  PDFArray,
  PDFDict,
  PDFHexString,
  PDFName,
  PDFNumber,
  PDFRawStream,
  PDFRef,
  PDFString,
  type PDFObject,
} from 'pdf-lib';
import type { PdfDocument } from './pdf-document';
import type { Revision } from './pdf-revisions';

/**
 * Our incremental-update writer. After the original bytes, which are never touched, it
 * appends the objects that change or are new and a cross-reference section of the same kind
 * as the file's last one (a table after a table, an uncompressed `W [1 4 2]` xref stream
 * after a stream), whose trailer points back with /Prev and repeats /Root, /Info, /ID and
 * /Encrypt. New objects of an encrypted file have their strings and streams encrypted with
 * the file's key; rewritten objects keep theirs (same object number, same key), and a raw
 * object (a signature dictionary, whose /Contents must stay in clear) is written as given.
 */

/** Thrown for PDFs we refuse to change (damaged, not a PDF, too large). */
export class PdfStructureError extends Error {
  override readonly name = 'PdfStructureError';
}

export interface WrittenUpdate {
  readonly bytes: Buffer;
  /** Where each written object starts. */
  readonly offsets: ReadonlyMap<number, number>;
}

type Pending =
  | { readonly kind: 'object'; readonly ref: PDFRef; readonly obj: PDFObject }
  | { readonly kind: 'raw'; readonly ref: PDFRef; readonly body: Buffer };

export class PdfUpdate {
  readonly rev: Revision;
  private next: number;
  private readonly pending = new Map<number, Pending>();
  private readonly fresh = new Set<number>();

  constructor(readonly doc: PdfDocument) {
    this.rev = doc.file.final;
    const size = this.rev.trailerEntry('Size');
    let highest = 0;
    for (const n of this.rev.entries().keys()) highest = Math.max(highest, n);
    const declared = size instanceof PDFNumber ? size.asNumber() : 0;
    this.next = Math.max(declared, highest + 1);
  }

  /** A new object number (its objects are encrypted when the file is). */
  alloc(): PDFRef {
    const ref = PDFRef.of(this.next++, 0);
    this.fresh.add(ref.objectNumber);
    return ref;
  }

  /** Writes `obj` as object `ref` (new, or replacing the final revision's copy). */
  set(ref: PDFRef, obj: PDFObject): void {
    this.pending.set(ref.objectNumber, { kind: 'object', ref, obj });
  }

  /** Writes a pre-serialised body (between `N G obj\n` and `\nendobj`) as object `ref`. */
  setRaw(ref: PDFRef, body: Buffer): void {
    this.pending.set(ref.objectNumber, { kind: 'raw', ref, body });
  }

  /**
   * A text string for a raw (hand-serialised) new object: encrypted with the file's key when
   * the file is encrypted. Objects written with `set` are encrypted as a whole instead.
   */
  rawText(ref: PDFRef, value: string): PDFHexString {
    const plain = PDFHexString.fromText(value);
    const sec = this.doc.security;
    if (!sec || !this.fresh.has(ref.objectNumber)) return plain;
    const bytes = sec.encryptString(ref.objectNumber, ref.generationNumber, plain.asBytes());
    return PDFHexString.of(bytes.toString('hex'));
  }

  /** A byte string (e.g. /M) for a raw new object, encrypted like `rawText`. */
  rawBytesString(ref: PDFRef, value: string): PDFString | PDFHexString {
    const sec = this.doc.security;
    if (!sec || !this.fresh.has(ref.objectNumber)) return PDFString.of(value);
    const bytes = sec.encryptString(ref.objectNumber, ref.generationNumber, Buffer.from(value, 'latin1'));
    return PDFHexString.of(bytes.toString('hex'));
  }

  write(): WrittenUpdate {
    const src = this.doc.file.bytes;
    const parts: Buffer[] = [src];
    let offset = src.length;
    const push = (b: Buffer) => {
      parts.push(b);
      offset += b.length;
    };
    const last = src[src.length - 1];
    if (last !== 0x0a && last !== 0x0d) push(Buffer.from('\n'));
    const offsets = new Map<number, number>();
    for (const p of [...this.pending.values()].sort((a, b) => a.ref.objectNumber - b.ref.objectNumber)) {
      offsets.set(p.ref.objectNumber, offset);
      const body = p.kind === 'raw' ? p.body : this.serialise(p.ref, p.obj);
      push(
        Buffer.concat([
          Buffer.from(`${p.ref.objectNumber} ${p.ref.generationNumber} obj\n`, 'latin1'),
          body,
          Buffer.from('\nendobj\n', 'latin1'),
        ]),
      );
    }
    const trailer: string[] = [];
    for (const key of ['Root', 'Info', 'ID', 'Encrypt']) {
      const v = this.rev.trailerEntry(key);
      if (v !== undefined) trailer.push(`/${key} ${v.toString()}`);
    }
    trailer.push(`/Prev ${this.rev.startxref}`);
    const xrefOffset = offset;
    if (this.rev.chain[0]?.kind === 'stream') {
      const xrefNum = this.next++;
      offsets.set(xrefNum, xrefOffset);
      const { index, data } = xrefStreamData(offsets);
      const dict =
        `<< /Type /XRef /Size ${this.next} /W [1 4 2] /Index [${index.join(' ')}] ${trailer.join(' ')} ` +
        `/Length ${data.length} >>`;
      push(
        Buffer.concat([
          Buffer.from(`${xrefNum} 0 obj\n${dict}\nstream\n`, 'latin1'),
          data,
          Buffer.from(`\nendstream\nendobj\nstartxref\n${xrefOffset}\n%%EOF\n`, 'latin1'),
        ]),
      );
    } else {
      push(
        Buffer.from(
          `xref\n${xrefTable(offsets)}trailer\n<< /Size ${this.next} ${trailer.join(' ')} >>\n` +
            `startxref\n${xrefOffset}\n%%EOF\n`,
          'latin1',
        ),
      );
    }
    return { bytes: Buffer.concat(parts), offsets };
  }

  private serialise(ref: PDFRef, obj: PDFObject): Buffer {
    const value = this.doc.security && this.fresh.has(ref.objectNumber) ? this.encrypted(ref, obj) : obj;
    const body = Buffer.alloc(value.sizeInBytes());
    value.copyBytesInto(body, 0);
    return body;
  }

  /** A copy of a new object with its strings and stream data encrypted for object `ref`. */
  private encrypted(ref: PDFRef, obj: PDFObject): PDFObject {
    const sec = this.doc.security;
    if (!sec) return obj;
    const n = ref.objectNumber;
    const g = ref.generationNumber;
    const walk = (o: PDFObject): PDFObject => {
      if (o instanceof PDFString || o instanceof PDFHexString)
        return PDFHexString.of(sec.encryptString(n, g, o.asBytes()).toString('hex'));
      if (o instanceof PDFArray) {
        const a = PDFArray.withContext(this.doc.file.context);
        for (const x of o.asArray()) a.push(walk(x));
        return a;
      }
      if (o instanceof PDFRawStream) {
        const dict = walk(o.dict) as PDFDict;
        // An XMP metadata stream stays in clear when /EncryptMetadata is false.
        const clear = !sec.encryptMetadata && o.dict.get(PDFName.of('Type')) === PDFName.of('Metadata');
        return PDFRawStream.of(dict, clear ? o.contents : sec.encryptStream(n, g, o.contents));
      }
      if (o instanceof PDFDict) {
        const d = PDFDict.withContext(this.doc.file.context);
        for (const [k, v] of o.entries()) d.set(k, walk(v));
        return d;
      }
      return o;
    };
    return walk(obj);
  }
}

/** Classic xref subsections for the given object offsets (each entry exactly 20 bytes). */
function xrefTable(offsets: ReadonlyMap<number, number>): string {
  let out = '';
  for (const [first, run] of subsections([...offsets.keys()])) {
    out += `${first} ${run.length}\n`;
    for (const num of run) out += `${String(offsets.get(num)).padStart(10, '0')} 00000 n\r\n`;
  }
  return out;
}

/** An uncompressed xref stream body: W [1 4 2], type 1 entries. */
function xrefStreamData(offsets: ReadonlyMap<number, number>): { index: number[]; data: Buffer } {
  const index: number[] = [];
  const rows: Buffer[] = [];
  for (const [first, run] of subsections([...offsets.keys()])) {
    index.push(first, run.length);
    for (const num of run) {
      const row = Buffer.alloc(7);
      row[0] = 1;
      const at = offsets.get(num) ?? 0;
      if (at > 0xffffffff) throw new PdfStructureError('file too large');
      row.writeUInt32BE(at, 1);
      row.writeUInt16BE(0, 5);
      rows.push(row);
    }
  }
  return { index, data: Buffer.concat(rows) };
}

function subsections(nums: number[]): [number, number[]][] {
  const sorted = [...new Set(nums)].sort((a, b) => a - b);
  const out: [number, number[]][] = [];
  for (const n of sorted) {
    const last = out[out.length - 1];
    if (last && last[0] + last[1].length === n) last[1].push(n);
    else out.push([n, [n]]);
  }
  return out;
}
