import {
  PDFArray,
  PDFDict,
  PDFDocument,
  PDFHexString,
  PDFName,
  PDFNumber,
  PDFRef,
  PDFString,
  type PDFObject,
} from 'pdf-lib';

/**
 * Our incremental-update writer for PDF signatures. pdf-lib parses (it understands
 * cross-reference streams and object streams), but its save() rewrites the whole file, which
 * would break an earlier signature; @signpdf/placeholder-plain cannot parse xref streams. So
 * we append, after the original bytes, only: the signature dictionary (with a zero-filled
 * /Contents placeholder and a fixed-width /ByteRange), the signature field's widget, the
 * objects that must change to reference it (the page or its /Annots array, the AcroForm or
 * the catalog), an optional appearance stream, and a new cross-reference section of the same
 * kind as the previous one (a table after a table, an xref stream after an xref stream),
 * whose trailer points back with /Prev. The original bytes are never touched.
 */

export interface VisibleStamp {
  /** 0-based page index; default the first page. */
  readonly page?: number;
  /** Lines of text drawn in the box (signer, time, reason). */
  readonly lines: readonly string[];
}

export interface PlaceholderOptions {
  /** Bytes reserved for the CMS (the hex placeholder is twice as long). */
  readonly contentsBytes: number;
  /** The signing time, written as /M (PAdES keeps it out of the CMS). */
  readonly signingTime: Date;
  readonly reason?: string;
  readonly location?: string;
  readonly name?: string;
  readonly visible?: VisibleStamp;
}

export interface PreparedPdf {
  /** The original bytes followed by the incremental update, /ByteRange filled in. */
  readonly bytes: Buffer;
  readonly byteRange: readonly [number, number, number, number];
  /** Offset of the first hex digit inside /Contents <…>, and how many hex digits fit. */
  readonly contentsHexOffset: number;
  readonly contentsHexLength: number;
}

/** Thrown for PDFs we refuse to sign (encrypted, damaged, not a PDF). */
export class PdfStructureError extends Error {
  override readonly name = 'PdfStructureError';
}

const BYTE_RANGE_PLACEHOLDER = '/ByteRange [0 0000000000 0000000000 0000000000]';

export async function preparePdfSignature(
  original: Uint8Array,
  options: PlaceholderOptions,
): Promise<PreparedPdf> {
  const src = Buffer.from(original);
  if (src.subarray(0, 5).toString('latin1') !== '%PDF-') throw new PdfStructureError('not a PDF');
  const prev = readLastXref(src);
  if (prev.encrypted) throw new PdfStructureError('encrypted PDF');

  let doc: PDFDocument;
  try {
    doc = await PDFDocument.load(src, { updateMetadata: false, ignoreEncryption: false });
  } catch (e) {
    throw new PdfStructureError(`unreadable PDF: ${e instanceof Error ? e.message : 'parse error'}`);
  }
  const ctx = doc.context;
  const rootRef = ctx.trailerInfo.Root;
  if (!(rootRef instanceof PDFRef)) throw new PdfStructureError('no catalog reference');
  const catalog = ctx.lookup(rootRef, PDFDict);
  const pages = doc.getPages();
  const pageIndex = options.visible?.page ?? 0;
  const page = pages[pageIndex];
  if (!page) throw new PdfStructureError('no such page');

  let next = Math.max(prev.size, ctx.largestObjectNumber + 1);
  const alloc = () => PDFRef.of(next++, 0);
  const sigRef = alloc();
  const widgetRef = alloc();
  /** Objects to (re)write in this update, by object number. */
  const changed = new Map<number, { ref: PDFRef; obj: PDFObject }>();
  const touch = (ref: PDFRef, obj: PDFObject) => changed.set(ref.objectNumber, { ref, obj });

  // The AcroForm and its /Fields, wherever they live (own object, inline in the catalog).
  const existingNames = new Set<string>();
  let fields: PDFArray;
  const acroEntry = catalog.get(PDFName.of('AcroForm'));
  let acroForm: PDFDict;
  if (acroEntry instanceof PDFRef) {
    acroForm = ctx.lookup(acroEntry, PDFDict);
    touch(acroEntry, acroForm);
  } else if (acroEntry instanceof PDFDict) {
    acroForm = acroEntry;
    touch(rootRef, catalog);
  } else {
    acroForm = ctx.obj({});
    const acroRef = alloc();
    catalog.set(PDFName.of('AcroForm'), acroRef);
    touch(acroRef, acroForm);
    touch(rootRef, catalog);
  }
  const fieldsEntry = acroForm.get(PDFName.of('Fields'));
  if (fieldsEntry instanceof PDFRef) {
    fields = ctx.lookup(fieldsEntry, PDFArray);
    touch(fieldsEntry, fields);
  } else if (fieldsEntry instanceof PDFArray) {
    fields = fieldsEntry;
  } else {
    fields = ctx.obj([]);
    acroForm.set(PDFName.of('Fields'), fields);
  }
  for (let i = 0; i < fields.size(); i++) {
    const f = fields.lookup(i);
    const t = f instanceof PDFDict ? f.get(PDFName.of('T')) : undefined;
    if (t instanceof PDFString || t instanceof PDFHexString) existingNames.add(t.decodeText());
  }
  let n = existingNames.size + 1;
  while (existingNames.has(`Signature${n}`)) n++;
  fields.push(widgetRef);
  // SignaturesExist | AppendOnly: tells viewers to save incrementally from now on.
  acroForm.set(PDFName.of('SigFlags'), PDFNumber.of(3));

  // The page's /Annots gets the widget.
  const annots = page.node.get(PDFName.of('Annots'));
  if (annots instanceof PDFRef) {
    const arr = ctx.lookup(annots, PDFArray);
    arr.push(widgetRef);
    touch(annots, arr);
  } else if (annots instanceof PDFArray) {
    annots.push(widgetRef);
    touch(page.ref, page.node);
  } else {
    page.node.set(PDFName.of('Annots'), ctx.obj([widgetRef]));
    touch(page.ref, page.node);
  }

  let rect = [0, 0, 0, 0];
  const widget = ctx.obj({
    Type: 'Annot',
    Subtype: 'Widget',
    FT: 'Sig',
    T: PDFString.of(`Signature${n}`),
    V: sigRef,
    // Print | Locked: shown when printed, cannot be moved.
    F: 132,
    P: page.ref,
  });
  if (options.visible) {
    const width = 260;
    const height = 14 * options.visible.lines.length + 12;
    const y = 36 + (n - 1) * (height + 8);
    rect = [36, y, 36 + width, y + height];
    const apRef = alloc();
    touch(apRef, appearance(doc, width, height, options.visible.lines));
    widget.set(PDFName.of('AP'), ctx.obj({ N: apRef }));
  }
  widget.set(PDFName.of('Rect'), ctx.obj(rect));
  touch(widgetRef, widget);

  // The update: original bytes, then our objects, then the xref section and trailer.
  const parts: Buffer[] = [src];
  let offset = src.length;
  const push = (b: Buffer) => {
    parts.push(b);
    offset += b.length;
  };
  const last = src[src.length - 1];
  if (last !== 0x0a && last !== 0x0d) push(Buffer.from('\n'));
  const offsets = new Map<number, number>();

  const sigText =
    `${sigRef.objectNumber} 0 obj\n<< /Type /Sig /Filter /Adobe.PPKLite /SubFilter /ETSI.CAdES.detached ` +
    `${BYTE_RANGE_PLACEHOLDER} /Contents <`;
  offsets.set(sigRef.objectNumber, offset);
  const byteRangeOffset = offset + sigText.indexOf('/ByteRange');
  const contentsStart = offset + sigText.length - 1; // the '<'
  const tail =
    `> /M ${pdfDate(options.signingTime)}` +
    (options.reason ? ` /Reason ${PDFHexString.fromText(options.reason).toString()}` : '') +
    (options.location ? ` /Location ${PDFHexString.fromText(options.location).toString()}` : '') +
    (options.name ? ` /Name ${PDFHexString.fromText(options.name).toString()}` : '') +
    ' >>\nendobj\n';
  push(
    Buffer.concat([
      Buffer.from(sigText, 'latin1'),
      Buffer.alloc(options.contentsBytes * 2, '0'),
      Buffer.from(tail, 'latin1'),
    ]),
  );
  const contentsEnd = contentsStart + 1 + options.contentsBytes * 2 + 1; // after the '>'

  for (const { ref, obj } of [...changed.values()].sort((a, b) => a.ref.objectNumber - b.ref.objectNumber)) {
    offsets.set(ref.objectNumber, offset);
    const body = Buffer.alloc(obj.sizeInBytes());
    obj.copyBytesInto(body, 0);
    push(
      Buffer.concat([
        Buffer.from(`${ref.objectNumber} ${ref.generationNumber} obj\n`, 'latin1'),
        body,
        Buffer.from('\nendobj\n', 'latin1'),
      ]),
    );
  }

  const trailerEntries = [`/Root ${rootRef.toString()}`];
  if (ctx.trailerInfo.Info) trailerEntries.push(`/Info ${ctx.trailerInfo.Info.toString()}`);
  if (ctx.trailerInfo.ID) trailerEntries.push(`/ID ${ctx.trailerInfo.ID.toString()}`);
  trailerEntries.push(`/Prev ${prev.offset}`);

  const xrefOffset = offset;
  if (prev.kind === 'table') {
    const size = next;
    push(
      Buffer.from(
        `xref\n${xrefTable(offsets)}trailer\n<< /Size ${size} ${trailerEntries.join(' ')} >>\nstartxref\n${xrefOffset}\n%%EOF\n`,
        'latin1',
      ),
    );
  } else {
    const xrefNum = next++;
    offsets.set(xrefNum, xrefOffset);
    const { index, data } = xrefStreamData(offsets);
    const dict =
      `<< /Type /XRef /Size ${next} /W [1 4 2] /Index [${index.join(' ')}] ${trailerEntries.join(' ')} ` +
      `/Length ${data.length} >>`;
    push(
      Buffer.concat([
        Buffer.from(`${xrefNum} 0 obj\n${dict}\nstream\n`, 'latin1'),
        data,
        Buffer.from(`\nendstream\nendobj\nstartxref\n${xrefOffset}\n%%EOF\n`, 'latin1'),
      ]),
    );
  }

  const bytes = Buffer.concat(parts);
  const byteRange = [0, contentsStart, contentsEnd, bytes.length - contentsEnd] as const;
  const brText = `/ByteRange [${byteRange.join(' ')}]`;
  if (brText.length > BYTE_RANGE_PLACEHOLDER.length) throw new PdfStructureError('file too large');
  bytes.write(brText.padEnd(BYTE_RANGE_PLACEHOLDER.length, ' '), byteRangeOffset, 'latin1');
  return {
    bytes,
    byteRange,
    contentsHexOffset: contentsStart + 1,
    contentsHexLength: options.contentsBytes * 2,
  };
}

/** Puts the CMS into the placeholder (hex, zero-padded). Refuses one that does not fit. */
export function embedSignature(prepared: PreparedPdf, cms: Uint8Array): Buffer {
  const hex = Buffer.from(cms).toString('hex');
  if (hex.length > prepared.contentsHexLength) {
    throw new PdfStructureError(`signature (${cms.length} bytes) larger than its placeholder`);
  }
  prepared.bytes.write(hex, prepared.contentsHexOffset, 'latin1');
  return prepared.bytes;
}

/** The bytes a PDF signature covers: everything but the /Contents value. */
export function signedRanges(bytes: Uint8Array, br: readonly number[]): Buffer[] {
  const [a = 0, b = 0, c = 0, d = 0] = br;
  return [Buffer.from(bytes.subarray(a, a + b)), Buffer.from(bytes.subarray(c, c + d))];
}

interface LastXref {
  readonly offset: number;
  readonly kind: 'table' | 'stream';
  readonly size: number;
  readonly encrypted: boolean;
}

/** Reads the last startxref and the trailer (or xref stream dictionary) it points to. */
function readLastXref(src: Buffer): LastXref {
  const tail = src.subarray(Math.max(0, src.length - 2048)).toString('latin1');
  const m = /startxref\s+(\d+)\s+%%EOF\s*$/.exec(tail);
  if (!m?.[1]) throw new PdfStructureError('no startxref at the end of the file');
  const offset = Number(m[1]);
  if (offset <= 0 || offset >= src.length) throw new PdfStructureError('startxref out of range');
  const head = src.subarray(offset, Math.min(src.length, offset + 64 * 1024)).toString('latin1');
  let dict: string;
  let kind: LastXref['kind'];
  if (head.startsWith('xref')) {
    kind = 'table';
    const t = head.indexOf('trailer');
    if (t < 0) throw new PdfStructureError('no trailer');
    dict = head.slice(t, head.indexOf('startxref', t) > 0 ? head.indexOf('startxref', t) : undefined);
  } else if (/^\d+\s+\d+\s+obj/.test(head)) {
    kind = 'stream';
    const s = head.indexOf('stream');
    dict = head.slice(0, s > 0 ? s : undefined);
    if (!/\/Type\s*\/XRef/.test(dict))
      throw new PdfStructureError('startxref does not point to an xref stream');
  } else {
    throw new PdfStructureError('startxref does not point to a cross-reference section');
  }
  const size = /\/Size\s+(\d+)/.exec(dict)?.[1];
  if (!size) throw new PdfStructureError('trailer without /Size');
  return { offset, kind, size: Number(size), encrypted: /\/Encrypt\s/.test(dict) };
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
      row.writeUInt32BE(offsets.get(num) ?? 0, 1);
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

/** PDF date string in UTC: (D:YYYYMMDDHHmmSS+00'00'). */
export function pdfDate(d: Date): string {
  const p = (x: number) => String(x).padStart(2, '0');
  return `(D:${d.getUTCFullYear()}${p(d.getUTCMonth() + 1)}${p(d.getUTCDate())}${p(d.getUTCHours())}${p(d.getUTCMinutes())}${p(d.getUTCSeconds())}+00'00')`;
}

/** Parses a PDF date (D:YYYYMMDDHHmmSS with optional offset). */
export function parsePdfDate(s: string): Date | undefined {
  const m = /^D:(\d{4})(\d{2})?(\d{2})?(\d{2})?(\d{2})?(\d{2})?(Z|[+-]\d{2}'?\d{2}'?)?/.exec(s);
  if (!m) return undefined;
  const [, y, mo = '01', d = '01', h = '00', mi = '00', se = '00', tz] = m;
  let ms = Date.UTC(Number(y), Number(mo) - 1, Number(d), Number(h), Number(mi), Number(se));
  if (tz && tz !== 'Z') {
    const sign = tz.startsWith('-') ? -1 : 1;
    const digits = tz.replace(/[^0-9]/g, '');
    ms -= sign * (Number(digits.slice(0, 2)) * 60 + Number(digits.slice(2, 4) || '0')) * 60_000;
  }
  return new Date(ms);
}

/**
 * The visible stamp's appearance: a framed box with the lines in Helvetica. The standard 14
 * fonts have no Vietnamese glyphs, so the stamp text drops diacritics (the signature
 * dictionary keeps the full Unicode reason and name).
 */
function appearance(doc: PDFDocument, width: number, height: number, lines: readonly string[]): PDFObject {
  const ascii = (s: string) =>
    s
      .normalize('NFD')
      .replace(/[\u0300-\u036f]/g, '')
      .replace(/đ/g, 'd')
      .replace(/Đ/g, 'D')
      .replace(/[^\x20-\x7e]/g, '?')
      .replace(/([\\()])/g, '\\$1');
  const text = lines
    .map((l, i) => `BT /F1 9 Tf 6 ${height - 16 - i * 14} Td (${ascii(l).slice(0, 80)}) Tj ET`)
    .join('\n');
  const content = `q 0.1 0.3 0.6 RG 1 w 0.5 0.5 ${width - 1} ${height - 1} re S Q\nq 0 g\n${text}\nQ\n`;
  return doc.context.stream(content, {
    Type: 'XObject',
    Subtype: 'Form',
    BBox: [0, 0, width, height],
    Resources: {
      Font: { F1: { Type: 'Font', Subtype: 'Type1', BaseFont: 'Helvetica', Encoding: 'WinAnsiEncoding' } },
    },
  });
}
