import { PDFContext, type PDFDict, PDFName, PDFNumber, PDFRawStream, PDFRef, type PDFObject } from 'pdf-lib';
import { PdfObjectReader, PdfSyntaxError, type IndirectObject } from './pdf-object-reader';
import { decodeStream } from './pdf-stream-decode';
import { readXrefSection, type XrefEntry, type XrefSection } from './pdf-xref';

/**
 * A PDF as its revisions: every `%%EOF` whose `startxref` starts a readable chain of
 * cross-reference sections (each inside the bytes before that `%%EOF`) ends a revision, and
 * each revision resolves objects the way a viewer given only those bytes would — through its
 * own xref chain, newest section first, never by scanning for the last copy of an object.
 * The last revision is what a viewer shows for the whole file. Objects are parsed on demand
 * and shared between revisions when their bytes are the same.
 */

/** Decrypts what the security handler of an encrypted file protects (object streams here). */
export interface StreamDecryptor {
  decryptStream(num: number, gen: number, data: Uint8Array): Buffer;
}

export interface Revision {
  /** 1-based, in file order. */
  readonly index: number;
  /** The revision's bytes are `[0, end)`: through `%%EOF` and its end-of-line. */
  readonly end: number;
  /** Just after `%%EOF`. */
  readonly eofEnd: number;
  readonly startxref: number;
  /** Newest section first (a hybrid file's xref stream right after its table). */
  readonly chain: readonly XrefSection[];
  readonly trailer: PDFDict;
  /** The entry this revision's chain gives an object number, if any. */
  entry(num: number): XrefEntry | undefined;
  /** Every object number this revision defines, with its effective entry. */
  entries(): ReadonlyMap<number, XrefEntry>;
  /** The object as found in the file (offset entries only; undefined when free or unreadable). */
  located(num: number): IndirectObject | undefined;
  /** The object a reference names in this revision; undefined stands for the null object. */
  lookup(ref: PDFRef | number): PDFObject | undefined;
  /** Follows references (a few levels) to a direct value. */
  resolve(o: PDFObject | undefined): PDFObject | undefined;
  /** A trailer entry, from the newest section that has it. */
  trailerEntry(key: string): PDFObject | undefined;
}

export interface PdfFile {
  readonly bytes: Buffer;
  readonly context: PDFContext;
  /** In file order; the last is the final revision. */
  readonly revisions: readonly Revision[];
  readonly final: Revision;
  /** Bytes after the final revision other than whitespace: not a revision any reader agrees on. */
  readonly trailingData: boolean;
  /** The revision whose bytes end at `end` (its `%%EOF`, with or without the end-of-line). */
  revisionEndingAt(end: number): Revision | undefined;
  /** Installs the security handler's stream decryption (encrypted files' object streams). */
  setDecryptor(d: StreamDecryptor): void;
}

const MAX_CHAIN = 4096;
const MAX_RESOLVE_DEPTH = 32;
const EOF_MARK = Buffer.from('%%EOF', 'latin1');

export function readPdf(bytes: Uint8Array): PdfFile {
  const buf = Buffer.from(bytes.buffer, bytes.byteOffset, bytes.length);
  if (buf.indexOf('%PDF-', 0, 'latin1') < 0 || buf.indexOf('%PDF-', 0, 'latin1') > 1024)
    throw new PdfSyntaxError('not a PDF');
  return new File(buf);
}

class File implements PdfFile {
  readonly context = PDFContext.create();
  readonly revisions: Revision[] = [];
  readonly final: Revision;
  readonly trailingData: boolean;
  decryptor: StreamDecryptor | undefined;
  private readonly sections = new Map<number, XrefSection | PdfSyntaxError>();
  /** Parsed objects by offset; a stream whose /Length was indirect is kept per revision. */
  private readonly objects = new Map<string, IndirectObject | PdfSyntaxError>();
  private readonly objectStreams = new Map<string, ObjectStream | PdfSyntaxError>();
  private readonly plainReader: PdfObjectReader;

  constructor(readonly bytes: Buffer) {
    this.plainReader = new PdfObjectReader(bytes, this.context);
    let from = 0;
    for (;;) {
      const at = bytes.indexOf(EOF_MARK, from);
      if (at < 0) break;
      from = at + EOF_MARK.length;
      const m = /startxref\s+(\d+)\s*$/.exec(bytes.toString('latin1', Math.max(0, at - 64), at));
      if (!m?.[1]) continue;
      const chain = this.chainFrom(Number(m[1]), at);
      if (!chain) continue;
      let end = from;
      if (bytes[end] === 0x0d) end++;
      if (bytes[end] === 0x0a) end++;
      this.revisions.push(new Rev(this, this.revisions.length + 1, end, from, Number(m[1]), chain));
    }
    const final = this.revisions.at(-1);
    if (!final) throw new PdfSyntaxError('no readable cross-reference section');
    this.final = final;
    let trailing = false;
    for (let i = final.end; i < bytes.length; i++) {
      const b = bytes[i];
      if (b !== 0x20 && b !== 0x0a && b !== 0x0d && b !== 0x09 && b !== 0x0c && b !== 0x00) {
        trailing = true;
        break;
      }
    }
    this.trailingData = trailing;
  }

  setDecryptor(d: StreamDecryptor): void {
    this.decryptor = d;
  }

  revisionEndingAt(end: number): Revision | undefined {
    return this.revisions.find((r) => r.end === end || r.eofEnd === end);
  }

  private section(offset: number): XrefSection {
    let s = this.sections.get(offset);
    if (!s) {
      try {
        s = readXrefSection(this.plainReader, offset);
      } catch (e) {
        s = e instanceof PdfSyntaxError ? e : new PdfSyntaxError('unreadable cross-reference section');
      }
      this.sections.set(offset, s);
    }
    if (s instanceof PdfSyntaxError) throw s;
    return s;
  }

  /** The chain from `start`, every section before `limit`; undefined when it is not one. */
  private chainFrom(start: number, limit: number): XrefSection[] | undefined {
    const chain: XrefSection[] = [];
    const seen = new Set<number>();
    let next: number | undefined = start;
    try {
      while (next !== undefined) {
        if (seen.has(next) || chain.length >= MAX_CHAIN || next >= limit) return undefined;
        seen.add(next);
        const s = this.section(next);
        chain.push(s);
        if (s.xrefStm !== undefined && !seen.has(s.xrefStm) && s.xrefStm < limit) {
          seen.add(s.xrefStm);
          chain.push(this.section(s.xrefStm));
        }
        next = s.prev;
      }
    } catch {
      return undefined;
    }
    return chain;
  }

  /** The object at `offset`, read for revision `rev` (whose xref resolves an indirect /Length). */
  objectAt(rev: Rev, offset: number, num: number, gen: number): IndirectObject {
    const shared = this.objects.get(`${offset}`);
    const own = shared ?? this.objects.get(`${offset}@${rev.end}`);
    if (own) {
      if (own instanceof PdfSyntaxError) throw own;
      if (own.num !== num || own.gen !== gen) throw new PdfSyntaxError(`object ${num} not at ${offset}`);
      return own;
    }
    let usedIndirectLength = false;
    const reader = new PdfObjectReader(this.bytes, this.context, (ref) => {
      usedIndirectLength = true;
      const v = rev.resolve(ref);
      return v instanceof PDFNumber ? v.asNumber() : undefined;
    });
    let result: IndirectObject | PdfSyntaxError;
    try {
      result = reader.objectAt(offset, { num, gen });
    } catch (e) {
      result = e instanceof PdfSyntaxError ? e : new PdfSyntaxError(`unreadable object ${num}`);
    }
    this.objects.set(usedIndirectLength ? `${offset}@${rev.end}` : `${offset}`, result);
    if (result instanceof PdfSyntaxError) throw result;
    return result;
  }

  /** Members of the object stream `num` as revision `rev` has it. */
  objectStream(rev: Rev, num: number): ObjectStream {
    const e = rev.entry(num);
    if (e?.type !== 'offset') throw new PdfSyntaxError('object stream not found');
    const key = `${e.offset}@${rev.end}`;
    let os = this.objectStreams.get(`${e.offset}`) ?? this.objectStreams.get(key);
    if (!os) {
      try {
        const obj = this.objectAt(rev, e.offset, num, e.gen);
        const stream = obj.value;
        if (!(stream instanceof PDFRawStream) || stream.dict.get(PDFName.of('Type')) !== PDFName.of('ObjStm'))
          throw new PdfSyntaxError('not an object stream');
        const contents = this.decryptor
          ? this.decryptor.decryptStream(num, e.gen, stream.contents)
          : stream.contents;
        os = parseObjectStream(
          stream,
          decodeStream(stream, (o) => rev.resolve(o), this.context, contents),
          this,
        );
      } catch (err) {
        os = err instanceof PdfSyntaxError ? err : new PdfSyntaxError('unreadable object stream');
      }
      // Sharing is safe only when nothing in the stream's dictionary was indirect.
      const direct = !os || os instanceof PdfSyntaxError || os.direct;
      this.objectStreams.set(direct ? `${e.offset}` : key, os);
    }
    if (os instanceof PdfSyntaxError) throw os;
    return os;
  }
}

interface ObjectStream {
  readonly direct: boolean;
  member(index: number, num: number): PDFObject | undefined;
}

function parseObjectStream(stream: PDFRawStream, data: Buffer, file: File): ObjectStream {
  const n = stream.dict.get(PDFName.of('N'));
  const first = stream.dict.get(PDFName.of('First'));
  if (!(n instanceof PDFNumber) || !(first instanceof PDFNumber))
    throw new PdfSyntaxError('bad object stream');
  const count = n.asNumber();
  const firstOffset = first.asNumber();
  if (!Number.isInteger(count) || count < 0 || count > 1_000_000 || firstOffset > data.length)
    throw new PdfSyntaxError('bad object stream');
  const header = data.toString('latin1', 0, firstOffset).trim().split(/\s+/).map(Number);
  const reader = new PdfObjectReader(data, file.context);
  const cache = new Map<number, PDFObject>();
  const direct = [...stream.dict.entries()].every(([, v]) => !(v instanceof PDFRef));
  return {
    direct,
    member(index, num) {
      if (index < 0 || index >= count || header[index * 2] !== num) return undefined;
      let v = cache.get(index);
      if (!v) {
        const rel = header[index * 2 + 1];
        if (rel === undefined || !Number.isInteger(rel)) return undefined;
        v = reader.valueAt(firstOffset + rel);
        cache.set(index, v);
      }
      return v;
    },
  };
}

class Rev implements Revision {
  readonly trailer: PDFDict;
  private effective: Map<number, XrefEntry> | undefined;
  private depth = 0;

  constructor(
    private readonly file: File,
    readonly index: number,
    readonly end: number,
    readonly eofEnd: number,
    readonly startxref: number,
    readonly chain: readonly XrefSection[],
  ) {
    this.trailer = (chain[0] as XrefSection).trailer;
  }

  entry(num: number): XrefEntry | undefined {
    for (const s of this.chain) {
      const e = s.entries.get(num);
      if (e) return e;
    }
    return undefined;
  }

  entries(): ReadonlyMap<number, XrefEntry> {
    if (!this.effective) {
      const m = new Map<number, XrefEntry>();
      for (let i = this.chain.length - 1; i >= 0; i--)
        for (const [num, e] of (this.chain[i] as XrefSection).entries) m.set(num, e);
      this.effective = m;
    }
    return this.effective;
  }

  trailerEntry(key: string): PDFObject | undefined {
    for (const s of this.chain) {
      const v = s.trailer.get(PDFName.of(key));
      if (v !== undefined) return v;
    }
    return undefined;
  }

  located(num: number): IndirectObject | undefined {
    const e = this.entry(num);
    if (e?.type !== 'offset' || e.offset >= this.end) return undefined;
    try {
      return this.file.objectAt(this, e.offset, num, e.gen);
    } catch {
      return undefined;
    }
  }

  lookup(ref: PDFRef | number): PDFObject | undefined {
    const num = typeof ref === 'number' ? ref : ref.objectNumber;
    const gen = typeof ref === 'number' ? undefined : ref.generationNumber;
    const e = this.entry(num);
    if (!e || e.type === 'free') return undefined;
    if (this.depth > MAX_RESOLVE_DEPTH) throw new PdfSyntaxError('references nested too deeply');
    this.depth++;
    try {
      if (e.type === 'offset') {
        if (gen !== undefined && gen !== e.gen) return undefined;
        return this.located(num)?.value;
      }
      if (gen !== undefined && gen !== 0) return undefined;
      // An object stream cannot itself live in an object stream.
      return this.file.objectStream(this, e.stream).member(e.index, num);
    } catch {
      return undefined;
    } finally {
      this.depth--;
    }
  }

  resolve(o: PDFObject | undefined): PDFObject | undefined {
    let v = o;
    for (let i = 0; v instanceof PDFRef && i < MAX_RESOLVE_DEPTH; i++) v = this.lookup(v);
    return v instanceof PDFRef ? undefined : v;
  }
}
