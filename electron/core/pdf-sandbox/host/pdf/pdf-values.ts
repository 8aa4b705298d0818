import {
  PDFArray,
  PDFBool,
  PDFDict,
  PDFHexString,
  PDFName,
  PDFNull,
  PDFNumber,
  PDFRawStream,
  PDFRef,
  PDFString,
  type PDFObject,
} from 'pdf-lib';
import type { Revision } from './pdf-revisions';

/** Small readers over pdf-lib values, resolving references through one revision. */

export const N = (name: string): PDFName => PDFName.of(name);

/** `dict[key]`, references followed in `rev`. */
export function get(rev: Revision, dict: PDFDict | undefined, key: string): PDFObject | undefined {
  return dict ? rev.resolve(dict.get(N(key))) : undefined;
}

export function getDict(rev: Revision, dict: PDFDict | undefined, key: string): PDFDict | undefined {
  const v = get(rev, dict, key);
  return v instanceof PDFDict ? v : v instanceof PDFRawStream ? v.dict : undefined;
}

export function getArray(rev: Revision, dict: PDFDict | undefined, key: string): PDFArray | undefined {
  const v = get(rev, dict, key);
  return v instanceof PDFArray ? v : undefined;
}

export function nameOf(o: PDFObject | undefined): string | undefined {
  return o instanceof PDFName ? o.decodeText() : undefined;
}

export function intOf(o: PDFObject | undefined): number | undefined {
  if (!(o instanceof PDFNumber)) return undefined;
  const n = o.asNumber();
  return Number.isInteger(n) ? n : undefined;
}

/** The bytes of a string object (literal or hex). */
export function stringBytes(o: PDFObject | undefined): Uint8Array | undefined {
  return o instanceof PDFString || o instanceof PDFHexString ? o.asBytes() : undefined;
}

/** A PDF text string's bytes as text: UTF-16BE or UTF-8 with their marks, else PDFDocEncoding. */
export function decodeText(bytes: Uint8Array): string {
  return PDFHexString.of(Buffer.from(bytes).toString('hex')).decodeText();
}

/** The dictionary of a value that is a dictionary or a stream. */
export function dictOf(o: PDFObject | undefined): PDFDict | undefined {
  return o instanceof PDFDict ? o : o instanceof PDFRawStream ? o.dict : undefined;
}

/**
 * Whether two values say the same thing, references compared by number (what they point to
 * is compared on its own): the same keys and values, the same string bytes whether literal or
 * hex, the same stream bytes.
 */
export function sameValue(a: PDFObject | undefined, b: PDFObject | undefined, depth = 0): boolean {
  if (a === b) return true;
  if (a === undefined || b === undefined || depth > 64) return false;
  if (a === PDFNull || b === PDFNull) return false;
  if (a instanceof PDFRef || b instanceof PDFRef) return false; // refs are interned: same ref is ===
  if (a instanceof PDFName || b instanceof PDFName) return false; // names are interned too
  if (a instanceof PDFBool || b instanceof PDFBool) return false;
  if (a instanceof PDFNumber && b instanceof PDFNumber) return a.asNumber() === b.asNumber();
  const sa = stringBytes(a);
  const sb = stringBytes(b);
  if (sa || sb) return !!sa && !!sb && Buffer.from(sa).equals(Buffer.from(sb));
  if (a instanceof PDFArray && b instanceof PDFArray) {
    if (a.size() !== b.size()) return false;
    for (let i = 0; i < a.size(); i++) if (!sameValue(a.get(i), b.get(i), depth + 1)) return false;
    return true;
  }
  if (a instanceof PDFRawStream && b instanceof PDFRawStream)
    return sameValue(a.dict, b.dict, depth + 1) && Buffer.from(a.contents).equals(Buffer.from(b.contents));
  if (
    a instanceof PDFDict &&
    b instanceof PDFDict &&
    !(a instanceof PDFRawStream) &&
    !(b instanceof PDFRawStream)
  )
    return changedKeys(a, b, depth).length === 0;
  return false;
}

/** The keys whose values differ between two dictionaries (present in one only counts). */
export function changedKeys(a: PDFDict | undefined, b: PDFDict | undefined, depth = 0): string[] {
  const keys = new Set<PDFName>([...(a?.keys() ?? []), ...(b?.keys() ?? [])]);
  const out: string[] = [];
  for (const k of keys) if (!sameValue(a?.get(k), b?.get(k), depth + 1)) out.push(k.decodeText());
  return out;
}

/** Object numbers referenced anywhere inside a value (not following them). */
export function refsIn(
  o: PDFObject | undefined,
  out: PDFRef[] = [],
  skipKeys?: ReadonlySet<string>,
): PDFRef[] {
  if (o instanceof PDFRef) out.push(o);
  else if (o instanceof PDFArray) for (const x of o.asArray()) refsIn(x, out, skipKeys);
  else if (o instanceof PDFRawStream) refsIn(o.dict, out, skipKeys);
  else if (o instanceof PDFDict)
    for (const [k, v] of o.entries()) if (!skipKeys?.has(k.decodeText())) refsIn(v, out, skipKeys);
  return out;
}

/** An array of `n` numbers (a rectangle, a byte range), or undefined. */
export function numberList(rev: Revision, o: PDFObject | undefined, n: number): number[] | undefined {
  const a = rev.resolve(o);
  if (!(a instanceof PDFArray) || a.size() !== n) return undefined;
  const out = a.asArray().map((x) => rev.resolve(x));
  return out.every((x) => x instanceof PDFNumber) ? out.map((x) => (x as PDFNumber).asNumber()) : undefined;
}
