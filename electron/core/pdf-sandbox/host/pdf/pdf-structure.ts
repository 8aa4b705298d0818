import { PDFArray, PDFDict, PDFRef, type PDFObject } from 'pdf-lib';
import type { Revision } from './pdf-revisions';
import { decodeText, dictOf, get, getArray, getDict, nameOf, N, stringBytes } from './pdf-values';

/**
 * The parts of a revision that signing and modification analysis reason about: its pages in
 * order (with the attributes they inherit) and its form fields (terminal fields with their
 * widgets), read through that revision's cross-reference only.
 */

const INHERITED = ['Resources', 'MediaBox', 'CropBox', 'Rotate'] as const;
const MAX_PAGES = 100_000;
const MAX_FIELDS = 20_000;

export interface PageInfo {
  /** 0-based position in the page tree. */
  readonly index: number;
  readonly ref: PDFRef | undefined;
  readonly dict: PDFDict;
  /** Inheritable attributes as they apply to this page (own value, else the nearest ancestor's). */
  readonly inherited: ReadonlyMap<string, PDFObject | undefined>;
  /** Object numbers of the page tree nodes above it. */
  readonly ancestors: readonly number[];
}

export function catalogOf(rev: Revision): PDFDict | undefined {
  return dictOf(rev.resolve(rev.trailerEntry('Root')));
}

export function pagesOf(rev: Revision): PageInfo[] {
  const out: PageInfo[] = [];
  const seen = new Set<number>();
  const walk = (
    node: PDFObject | undefined,
    inherited: Map<string, PDFObject | undefined>,
    ancestors: number[],
  ) => {
    if (out.length >= MAX_PAGES) return;
    const ref = node instanceof PDFRef ? node : undefined;
    if (ref) {
      if (seen.has(ref.objectNumber)) return; // a loop in the page tree
      seen.add(ref.objectNumber);
    }
    const dict = dictOf(rev.resolve(node));
    if (!dict) return;
    const mine = new Map(inherited);
    for (const k of INHERITED) if (dict.has(N(k))) mine.set(k, dict.get(N(k)));
    const kids = getArray(rev, dict, 'Kids');
    const type = nameOf(get(rev, dict, 'Type'));
    if (type === 'Pages' || (type !== 'Page' && kids)) {
      const here = ref ? [...ancestors, ref.objectNumber] : ancestors;
      for (const kid of kids?.asArray() ?? []) walk(kid, mine, here);
      return;
    }
    out.push({ index: out.length, ref, dict, inherited: mine, ancestors });
  };
  walk(catalogOf(rev)?.get(N('Pages')), new Map(), []);
  return out;
}

export interface WidgetInfo {
  readonly ref: PDFRef | undefined;
  readonly dict: PDFDict;
}

export interface FieldInfo {
  /** Fully qualified name (partial names joined with dots). */
  readonly name: string;
  readonly ref: PDFRef | undefined;
  readonly dict: PDFDict;
  /** Field type, inherited: Sig, Tx, Btn, Ch. */
  readonly type: string | undefined;
  /** The field's widgets: itself when merged, else its kids. */
  readonly widgets: readonly WidgetInfo[];
  /** Object numbers of the non-terminal fields above it. */
  readonly ancestors: readonly number[];
}

/** Decrypts a string of an encrypted file, given the object it lives in. */
export type StringReader = (bytes: Uint8Array, owner: PDFRef | undefined) => Uint8Array;

export function fieldsOf(rev: Revision, strings: StringReader = (b) => b): FieldInfo[] {
  const out: FieldInfo[] = [];
  const seen = new Set<number>();
  const acroForm = getDict(rev, catalogOf(rev), 'AcroForm');
  const walk = (
    node: PDFObject | undefined,
    prefix: string,
    type: string | undefined,
    ancestors: number[],
  ) => {
    if (out.length >= MAX_FIELDS) return;
    const ref = node instanceof PDFRef ? node : undefined;
    if (ref) {
      if (seen.has(ref.objectNumber)) return;
      seen.add(ref.objectNumber);
    }
    const dict = dictOf(rev.resolve(node));
    if (!dict) return;
    const t = stringBytes(get(rev, dict, 'T'));
    const partial = t ? decodeText(strings(t, ref)) : undefined;
    const name = partial === undefined ? prefix : prefix ? `${prefix}.${partial}` : partial;
    const ft = nameOf(get(rev, dict, 'FT')) ?? type;
    const kids = getArray(rev, dict, 'Kids')?.asArray() ?? [];
    const kidDicts = kids.map((k) => ({
      ref: k instanceof PDFRef ? k : undefined,
      dict: dictOf(rev.resolve(k)),
    }));
    const childFields = kidDicts.filter((k) => k.dict?.has(N('T')));
    if (childFields.length > 0) {
      const here = ref ? [...ancestors, ref.objectNumber] : ancestors;
      for (const k of kids) walk(k, name, ft, here);
      return;
    }
    const widgets: WidgetInfo[] =
      kids.length > 0
        ? kidDicts.flatMap((k) => (k.dict ? [{ ref: k.ref, dict: k.dict }] : []))
        : [{ ref, dict }];
    out.push({ name, ref, dict, type: ft, widgets, ancestors });
  };
  for (const f of getArray(rev, acroForm, 'Fields')?.asArray() ?? []) walk(f, '', undefined, []);
  return out;
}

/** Which page (0-based) each annotation object number sits on, from the pages' /Annots. */
export function annotationPages(rev: Revision, pages: readonly PageInfo[]): Map<number, number> {
  const out = new Map<number, number>();
  for (const p of pages) {
    const annots = getArray(rev, p.dict, 'Annots');
    for (const a of annots?.asArray() ?? []) if (a instanceof PDFRef) out.set(a.objectNumber, p.index);
  }
  return out;
}

/** The entries of a page's /Annots, references kept. */
export function annotsOf(rev: Revision, page: PDFDict): PDFObject[] {
  const a = rev.resolve(page.get(N('Annots')));
  return a instanceof PDFArray ? a.asArray() : [];
}

export function isDict(o: PDFObject | undefined): o is PDFDict {
  return o instanceof PDFDict;
}
