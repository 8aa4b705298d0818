import { constants, inflateSync } from 'node:zlib';
import {
  decodePDFRawStream,
  PDFArray,
  PDFDict,
  PDFName,
  PDFNumber,
  PDFRawStream,
  type PDFContext,
  type PDFObject,
} from 'pdf-lib';
import { PdfSyntaxError } from './pdf-object-reader';

/**
 * Decodes the streams the revision reader must read itself: cross-reference streams and
 * object streams. FlateDecode goes through zlib (pdf-lib's inflater is pure JavaScript and
 * has no PNG predictors, which qpdf and most writers use for xref streams); other filters
 * through pdf-lib. Output is capped so a small crafted stream cannot inflate to gigabytes.
 */

const MAX_DECODED = 64 * 1024 * 1024;

export function decodeStream(
  stream: PDFRawStream,
  resolve: (o: PDFObject | undefined) => PDFObject | undefined,
  context: PDFContext,
  contents: Uint8Array = stream.contents,
): Buffer {
  const filter = resolve(stream.dict.get(PDFName.of('Filter')));
  const parms = resolve(stream.dict.get(PDFName.of('DecodeParms')));
  const filters = filter instanceof PDFName ? [filter] : filter instanceof PDFArray ? filter.asArray() : [];
  if (filter !== undefined && !(filter instanceof PDFName) && !(filter instanceof PDFArray))
    throw new PdfSyntaxError('bad /Filter');
  let data = Buffer.from(contents.buffer, contents.byteOffset, contents.length);
  filters.forEach((f, i) => {
    const name = resolve(f);
    if (!(name instanceof PDFName)) throw new PdfSyntaxError('bad /Filter');
    const p = parms instanceof PDFArray ? resolve(parms.get(i)) : i === 0 ? parms : undefined;
    data = decodeOne(name, p instanceof PDFDict ? p : undefined, data, resolve, context);
  });
  return data;
}

function decodeOne(
  filter: PDFName,
  parms: PDFDict | undefined,
  data: Buffer,
  resolve: (o: PDFObject | undefined) => PDFObject | undefined,
  context: PDFContext,
): Buffer {
  const num = (key: string, fallback: number) => {
    const v = resolve(parms?.get(PDFName.of(key)));
    return v instanceof PDFNumber ? v.asNumber() : fallback;
  };
  if (filter === PDFName.of('FlateDecode')) {
    let out: Buffer;
    try {
      // A truncated final block is common in the wild; keep what inflated.
      out = inflateSync(data, { finishFlush: constants.Z_SYNC_FLUSH, maxOutputLength: MAX_DECODED });
    } catch {
      throw new PdfSyntaxError('corrupt FlateDecode stream');
    }
    const predictor = num('Predictor', 1);
    if (predictor <= 1) return out;
    if (predictor < 10) throw new PdfSyntaxError('TIFF predictor not supported here');
    return unpredictPng(out, num('Columns', 1), num('Colors', 1), num('BitsPerComponent', 8));
  }
  if (parms) throw new PdfSyntaxError(`decode parameters for ${filter.decodeText()} not supported here`);
  try {
    const single = PDFRawStream.of(PDFDict.withContext(context), data);
    single.dict.set(PDFName.of('Filter'), filter);
    const decoded = decodePDFRawStream(single).decode();
    if (decoded.length > MAX_DECODED) throw new PdfSyntaxError('stream too large');
    return Buffer.from(decoded);
  } catch (e) {
    throw e instanceof PdfSyntaxError ? e : new PdfSyntaxError(`cannot decode ${filter.decodeText()}`);
  }
}

/** Undoes the PNG row predictors (RFC 2083 filters 0–4) that PDF allows with Predictor ≥ 10. */
function unpredictPng(data: Buffer, columns: number, colors: number, bits: number): Buffer {
  const bpp = Math.max(1, Math.ceil((colors * bits) / 8));
  const rowLength = Math.ceil((columns * colors * bits) / 8);
  if (rowLength <= 0 || rowLength > 1 << 20) throw new PdfSyntaxError('bad predictor columns');
  const rows = Math.floor(data.length / (rowLength + 1));
  const out = Buffer.alloc(rows * rowLength);
  const prev = Buffer.alloc(rowLength);
  for (let r = 0; r < rows; r++) {
    const type = data[r * (rowLength + 1)] as number;
    const row = data.subarray(r * (rowLength + 1) + 1, (r + 1) * (rowLength + 1));
    const cur = out.subarray(r * rowLength, (r + 1) * rowLength);
    for (let i = 0; i < rowLength; i++) {
      const x = row[i] as number;
      const a = i >= bpp ? (cur[i - bpp] as number) : 0;
      const b = prev[i] as number;
      const c = i >= bpp ? (prev[i - bpp] as number) : 0;
      let v: number;
      switch (type) {
        case 0:
          v = x;
          break;
        case 1:
          v = x + a;
          break;
        case 2:
          v = x + b;
          break;
        case 3:
          v = x + ((a + b) >> 1);
          break;
        case 4: {
          const p = a + b - c;
          const pa = Math.abs(p - a);
          const pb = Math.abs(p - b);
          const pc = Math.abs(p - c);
          v = x + (pa <= pb && pa <= pc ? a : pb <= pc ? b : c);
          break;
        }
        default:
          throw new PdfSyntaxError('bad PNG predictor row');
      }
      cur[i] = v & 0xff;
    }
    cur.copy(prev);
  }
  return out;
}
