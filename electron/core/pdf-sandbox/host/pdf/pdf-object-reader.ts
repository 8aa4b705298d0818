import {
  PDFContext,
  PDFDict,
  PDFHexString,
  PDFName,
  PDFNumber,
  PDFObjectParser,
  PDFRawStream,
  PDFRef,
  type PDFArray,
  type PDFObject,
  type PDFStream,
} from 'pdf-lib';

/**
 * Reads single PDF objects at byte offsets, for a reader that follows the cross-reference
 * sections itself (pdf-lib's own loader parses the file front to back and keeps the last copy
 * of each object, which is not what a viewer shows when the xref says otherwise).
 *
 * pdf-lib's object parser does the tokenising; this subclass adds what revision analysis
 * needs: stream bodies sized by an indirect /Length resolved through the caller's revision
 * (and found with a native search for `endstream` otherwise, not byte by byte), the byte span
 * of each value of the object's own dictionary (to prove where a signature's /Contents sits),
 * and a nesting limit so a crafted file cannot exhaust the stack.
 */

/** Thrown for bytes that are not the PDF object they should be. */
export class PdfSyntaxError extends Error {
  override readonly name = 'PdfSyntaxError';
}

/** One indirect object as found in the file. */
export interface IndirectObject {
  readonly num: number;
  readonly gen: number;
  readonly value: PDFObject;
  /** Offset of `N G obj` and just after `endobj` (or after the value when `endobj` is missing). */
  readonly start: number;
  readonly end: number;
  /** For a dictionary (or a stream's dictionary): where each of its own values starts and ends. */
  readonly spans: ReadonlyMap<string, readonly [number, number]>;
}

/** Resolves an indirect /Length; undefined when it cannot be known. */
export type LengthOf = (ref: PDFRef) => number | undefined;

const MAX_DEPTH = 64;
const ENDSTREAM = Buffer.from('endstream', 'latin1');
const KW = (s: string) => [...s].map((c) => c.charCodeAt(0));
const STREAM = KW('stream');
const ENDOBJ = KW('endobj');
const CR = 0x0d;
const LF = 0x0a;

type ByteStreamLike = ConstructorParameters<typeof PDFObjectParser>[0];
type ByteStreamCtor = new (bytes: Uint8Array) => ByteStreamLike;

/**
 * pdf-lib does not export its ByteStream class from the package root; its parser factory
 * builds one, and that instance gives us the constructor (a deep import could load a second
 * copy of pdf-lib, whose PDFName instances would not be the root's).
 */
const ByteStream: ByteStreamCtor = (() => {
  const probe = PDFObjectParser.forBytes(new Uint8Array(0), PDFContext.create()) as unknown as {
    bytes: { constructor: ByteStreamCtor };
  };
  return probe.bytes.constructor;
})();

class SpanningParser extends PDFObjectParser {
  private depth = 0;
  /** Set for the outermost dictionary only. */
  spans: Map<string, [number, number]> | undefined;

  constructor(
    private readonly buf: Buffer,
    context: PDFContext,
    private readonly lengthOf: LengthOf | undefined,
  ) {
    super(new ByteStream(buf), context);
  }

  at(offset: number): this {
    this.bytes.moveTo(offset);
    this.depth = 0;
    this.spans = undefined;
    return this;
  }

  offset(): number {
    return this.bytes.offset();
  }

  skip(): void {
    this.skipWhitespaceAndComments();
  }

  keyword(word: number[]): boolean {
    return this.matchKeyword(word);
  }

  int(): number {
    return this.parseRawInt();
  }

  /** pdf-lib builds a hex string a character at a time; a signature's /Contents has 16k of them. */
  protected override parseHexString(): PDFHexString {
    const start = this.bytes.offset();
    this.bytes.assertNext(0x3c);
    const end = this.buf.indexOf(0x3e, start + 1);
    if (end < 0) throw new PdfSyntaxError('unterminated hex string');
    this.bytes.moveTo(end + 1);
    return PDFHexString.of(this.buf.toString('latin1', start + 1, end));
  }

  protected override parseArray(): PDFArray {
    if (++this.depth > MAX_DEPTH) throw new PdfSyntaxError('objects nested too deeply');
    try {
      return super.parseArray();
    } finally {
      this.depth--;
    }
  }

  protected override parseDict(): PDFDict {
    if (++this.depth > MAX_DEPTH) throw new PdfSyntaxError('objects nested too deeply');
    const outermost = this.depth === 1;
    try {
      this.bytes.assertNext(0x3c);
      this.bytes.assertNext(0x3c);
      this.skipWhitespaceAndComments();
      const map = new Map<PDFName, PDFObject>();
      const spans = outermost ? new Map<string, [number, number]>() : undefined;
      while (!this.bytes.done() && !(this.bytes.peek() === 0x3e && this.bytes.peekAhead(1) === 0x3e)) {
        const key = this.parseName();
        this.skipWhitespaceAndComments();
        const start = this.bytes.offset();
        const value = this.parseObject();
        spans?.set(key.decodeText(), [start, this.bytes.offset()]);
        map.set(key, value);
        this.skipWhitespaceAndComments();
      }
      this.bytes.assertNext(0x3e);
      this.bytes.assertNext(0x3e);
      if (spans) this.spans = spans;
      return PDFDict.fromMapWithContext(map, this.context);
    } finally {
      this.depth--;
    }
  }

  protected override parseDictOrStream(): PDFDict | PDFStream {
    const dict = this.parseDict();
    const afterDict = this.bytes.offset();
    this.skipWhitespaceAndComments();
    if (!this.matchKeyword(STREAM)) {
      this.bytes.moveTo(afterDict);
      return dict;
    }
    // `stream` is followed by CRLF or LF (a lone CR is tolerated, as viewers do).
    if (this.bytes.peek() === CR) this.bytes.next();
    if (this.bytes.peek() === LF) this.bytes.next();
    const start = this.bytes.offset();
    const declared = dict.get(PDFName.of('Length'));
    const length =
      declared instanceof PDFNumber
        ? declared.asNumber()
        : declared instanceof PDFRef
          ? this.lengthOf?.(declared)
          : undefined;
    let end = -1;
    if (
      length !== undefined &&
      Number.isInteger(length) &&
      length >= 0 &&
      start + length <= this.buf.length
    ) {
      this.bytes.moveTo(start + length);
      this.skipWhitespaceAndComments();
      if (this.matchKeyword(KW('endstream'))) end = start + length;
    }
    if (end < 0) {
      const at = this.buf.indexOf(ENDSTREAM, start);
      if (at < 0) throw new PdfSyntaxError('stream without endstream');
      end = at;
      if (end > start && this.buf[end - 1] === LF) end--;
      if (end > start && this.buf[end - 1] === CR) end--;
      this.bytes.moveTo(at + ENDSTREAM.length);
    }
    return PDFRawStream.of(dict, this.buf.subarray(start, end));
  }
}

/** Parses objects out of one buffer (the file, or a decoded object stream). */
export class PdfObjectReader {
  private readonly parser: SpanningParser;

  constructor(
    readonly buf: Buffer,
    readonly context: PDFContext,
    lengthOf?: LengthOf,
  ) {
    this.parser = new SpanningParser(buf, context, lengthOf);
  }

  /** A direct object (a trailer dictionary, an object stream member) at `offset`. */
  valueAt(offset: number): PDFObject {
    try {
      return this.parser.at(offset).parseObject();
    } catch (e) {
      throw e instanceof PdfSyntaxError ? e : new PdfSyntaxError(`no object at ${offset}`);
    }
  }

  /**
   * The indirect object `N G obj … endobj` at `offset`. With `expect`, its header must name
   * that object number (a cross-reference entry that points elsewhere is not followed).
   */
  objectAt(offset: number, expect?: { num: number; gen: number }): IndirectObject {
    if (!Number.isInteger(offset) || offset < 0 || offset >= this.buf.length)
      throw new PdfSyntaxError('offset outside the file');
    const p = this.parser.at(offset);
    let num: number;
    let gen: number;
    let value: PDFObject;
    try {
      p.skip();
      const start = p.offset();
      num = p.int();
      p.skip();
      gen = p.int();
      p.skip();
      if (!p.keyword(KW('obj'))) throw new PdfSyntaxError(`no object header at ${offset}`);
      if (expect && (expect.num !== num || expect.gen !== gen))
        throw new PdfSyntaxError(
          `object ${expect.num} ${expect.gen} expected at ${offset}, found ${num} ${gen}`,
        );
      value = p.parseObject();
      const spans = p.spans ?? new Map<string, [number, number]>();
      const afterValue = p.offset();
      p.skip();
      const end = p.keyword(ENDOBJ) ? p.offset() : afterValue;
      return { num, gen, value, start, end, spans };
    } catch (e) {
      throw e instanceof PdfSyntaxError ? e : new PdfSyntaxError(`unreadable object at ${offset}`);
    }
  }
}
