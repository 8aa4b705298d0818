import { PDFDict, PDFRef, type PDFObject } from 'pdf-lib';
import { annotsOf, type PageInfo } from '../pdf/pdf-structure';
import { changedKeys, dictOf, get, N, nameOf, sameValue } from '../pdf/pdf-values';
import type { DiffContext } from './diff-context';
import { markAppearances } from './field-rules';

/**
 * Rules for pages: the same pages in the same order, each page dictionary unchanged but for
 * its /Annots, the attributes it inherits unchanged. In /Annots, widgets belong to the field
 * rules; other annotations added, changed or removed are annotations (allowed only under a
 * P=3 certification), and a widget that appears or disappears on its own is page content.
 */

export function checkPages(ctx: DiffContext, fieldWidgets: ReadonlySet<number>): void {
  const { pagesS, pagesF } = ctx;
  for (const p of [...pagesS, ...pagesF]) ctx.handle(p.ref, ...p.ancestors);
  const n = Math.max(pagesS.length, pagesF.length);
  for (let i = 0; i < n; i++) {
    const s = pagesS[i];
    const f = pagesF[i];
    if (!s || !f) {
      ctx.find('pages', s ? `page ${i + 1} removed` : `page ${i + 1} added`, [i]);
      continue;
    }
    if (s.ref !== f.ref) {
      ctx.find('pages', `page ${i + 1} replaced by another page object`, [i]);
      continue;
    }
    const keys = changedKeys(s.dict, f.dict).filter((k) => k !== 'Annots' && k !== 'Parent');
    const inherited = [...new Set([...s.inherited.keys(), ...f.inherited.keys()])].filter(
      (k) => !s.dict.has(N(k)) && !sameValue(s.inherited.get(k), f.inherited.get(k)),
    );
    if (keys.length + inherited.length > 0)
      ctx.find('content', `page ${i + 1}: ${[...keys, ...inherited].join(', ')} changed`, [i]);
    checkAnnots(ctx, s, f, fieldWidgets);
  }
}

function checkAnnots(ctx: DiffContext, s: PageInfo, f: PageInfo, fieldWidgets: ReadonlySet<number>): void {
  const { rs, rf } = ctx;
  ctx.handle(s.dict.get(N('Annots')), f.dict.get(N('Annots')));
  const before = annotsOf(rs, s.dict);
  const after = annotsOf(rf, f.dict);
  const refsBefore = new Set(before.flatMap((a) => (a instanceof PDFRef ? [a.objectNumber] : [])));
  const refsAfter = new Set(after.flatMap((a) => (a instanceof PDFRef ? [a.objectNumber] : [])));
  const page = [s.index];
  const isWidget = (o: PDFObject | undefined, rev: typeof rs) =>
    nameOf(get(rev, dictOf(o), 'Subtype')) === 'Widget';

  const inlineBefore = before.filter((a) => !(a instanceof PDFRef));
  const inlineAfter = after.filter((a) => !(a instanceof PDFRef));
  if (
    inlineBefore.length !== inlineAfter.length ||
    inlineBefore.some((a, i) => !sameValue(a, inlineAfter[i]))
  )
    ctx.find('annotation', `page ${s.index + 1}: direct annotations changed`, page);

  for (const num of refsAfter) {
    if (refsBefore.has(num)) continue;
    const a = rf.lookup(num);
    if (isWidget(a, rf)) {
      // A widget of a field the field rules judge; one with no field is drawn on its own.
      if (!fieldWidgets.has(num))
        ctx.find('content', `page ${s.index + 1}: a widget with no field added`, page);
    } else ctx.find('annotation', `page ${s.index + 1}: ${subtype(a, rf)} annotation added`, page);
  }
  for (const num of refsBefore) {
    const a = rs.lookup(num);
    if (!refsAfter.has(num)) {
      ctx.find(isWidget(a, rs) ? 'content' : 'annotation', `page ${s.index + 1}: annotation removed`, page);
      continue;
    }
    if (!ctx.changed.has(num) || isWidget(a, rs)) continue; // widgets: the field rules
    ctx.handle(num);
    ctx.find('annotation', `page ${s.index + 1}: ${subtype(a, rs)} annotation changed`, page);
    if (a instanceof PDFDict) markAppearances(ctx, a, 'annotation');
  }
}

function subtype(o: PDFObject | undefined, rev: Parameters<typeof get>[0]): string {
  return nameOf(get(rev, dictOf(o), 'Subtype')) ?? 'an';
}
