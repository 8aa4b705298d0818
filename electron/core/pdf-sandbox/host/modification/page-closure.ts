import { PDFArray, PDFDict, PDFRawStream, PDFRef, type PDFObject } from 'pdf-lib';
import type { Revision } from '../pdf/pdf-revisions';
import type { PageInfo } from '../pdf/pdf-structure';
import { N, nameOf } from '../pdf/pdf-values';

/**
 * Which objects a page shows: everything reachable from the page through its content,
 * resources (fonts, images, forms, patterns, optional-content groups…), inherited attributes
 * and, for `visible`, its annotations and their appearance streams. Back-links (/Parent, /P,
 * destinations, article threads) are not followed, and traversal stops at other pages, so a
 * changed object is pinned to the pages that draw it. References that resolve to nothing in
 * this revision are kept too: an update that defines them changes what the page shows.
 */

const SKIP = new Set(['Parent', 'P', 'Dest', 'Prev', 'Next', 'First', 'Last', 'IRT', 'B', 'StructParent']);
const STOP_TYPES = new Set(['Page', 'Pages', 'Catalog']);
/** Past this many visits the answer is "every page": fail closed, never slow. */
const MAX_VISITS = 500_000;

export interface PageClosures {
  /** 0-based pages whose content or resources reach the object (annotations not included). */
  content(num: number): readonly number[];
  /** The same, annotations and their appearances included. */
  visible(num: number): readonly number[];
  /** 0-based pages reaching a reference that is null in this revision. */
  dangling(num: number): readonly number[];
}

export function pageClosures(rev: Revision, pages: readonly PageInfo[]): PageClosures {
  const content = new Map<number, Set<number>>();
  const visible = new Map<number, Set<number>>();
  const dangling = new Map<number, Set<number>>();
  let visits = 0;
  let complete = true;
  const add = (m: Map<number, Set<number>>, num: number, page: number) => {
    let s = m.get(num);
    if (!s) m.set(num, (s = new Set()));
    s.add(page);
  };

  const walk = (
    roots: readonly PDFObject[],
    page: number,
    into: Map<number, Set<number>>,
    seen: Set<number>,
  ) => {
    const stack: PDFObject[] = [...roots];
    while (stack.length > 0) {
      if (++visits > MAX_VISITS) {
        complete = false;
        return;
      }
      const o = stack.pop() as PDFObject;
      if (o instanceof PDFRef) {
        if (seen.has(o.objectNumber)) continue;
        seen.add(o.objectNumber);
        const v = rev.lookup(o);
        if (v === undefined) {
          add(dangling, o.objectNumber, page);
          continue;
        }
        const dict = v instanceof PDFRawStream ? v.dict : v instanceof PDFDict ? v : undefined;
        if (dict && STOP_TYPES.has(nameOf(dict.get(N('Type'))) ?? '')) continue;
        add(into, o.objectNumber, page);
        stack.push(v);
      } else if (o instanceof PDFArray) {
        stack.push(...o.asArray());
      } else if (o instanceof PDFRawStream) {
        stack.push(o.dict);
      } else if (o instanceof PDFDict) {
        for (const [k, v] of o.entries()) if (!SKIP.has(k.decodeText())) stack.push(v);
      }
    }
  };

  for (const p of pages) {
    const roots: PDFObject[] = [];
    for (const [k, v] of p.dict.entries()) {
      const key = k.decodeText();
      if (key !== 'Annots' && !SKIP.has(key)) roots.push(v);
    }
    for (const v of p.inherited.values()) if (v !== undefined) roots.push(v);
    const seen = new Set<number>();
    walk(roots, p.index, content, seen);
    const annots = p.dict.get(N('Annots'));
    if (annots) walk([annots], p.index, visible, new Set(seen));
  }
  for (const [num, s] of content) for (const page of s) add(visible, num, page);

  const all = pages.map((p) => p.index);
  const pick = (m: Map<number, Set<number>>) => (num: number) =>
    !complete ? all : [...(m.get(num) ?? [])].sort((a, b) => a - b);
  return { content: pick(content), visible: pick(visible), dangling: pick(dangling) };
}

/** Every object number reachable from the revision's trailer (catalog and document information). */
export function reachableObjects(rev: Revision): Set<number> {
  const seen = new Set<number>();
  const stack: PDFObject[] = [rev.trailerEntry('Root'), rev.trailerEntry('Info')].filter(
    (x): x is PDFObject => x !== undefined,
  );
  while (stack.length > 0 && seen.size < MAX_VISITS) {
    const o = stack.pop() as PDFObject;
    if (o instanceof PDFRef) {
      if (seen.has(o.objectNumber)) continue;
      seen.add(o.objectNumber);
      const v = rev.lookup(o);
      if (v !== undefined) stack.push(v);
    } else if (o instanceof PDFArray) stack.push(...o.asArray());
    else if (o instanceof PDFRawStream) stack.push(o.dict);
    else if (o instanceof PDFDict) for (const [, v] of o.entries()) stack.push(v);
  }
  return seen;
}
