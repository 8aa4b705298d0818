import type { Revision } from '../pdf/pdf-revisions';
import { annotationPages, type StringReader } from '../pdf/pdf-structure';
import { DiffContext } from './diff-context';
import { checkCatalog, checkTrailer } from './document-rules';
import { checkFields } from './field-rules';
import type { Finding } from '../../sandbox-protocol';
import { diffObjects } from './object-diff';
import { checkPages } from './page-rules';
import { pageClosures, reachableObjects } from './page-closure';

/**
 * Compares a signed revision with the file's final revision and classifies every difference
 * (pyHanko's approach: nothing is allowed unless a rule explains it). The rules look at the
 * document objects, the form fields and the pages; whatever changed that no rule explained
 * is pinned to the pages that draw it (page content), else reported as another change when
 * the document still uses it; an unused object is ignored. Pages in findings are 1-based,
 * numbered as in the signed revision (added pages: as in the final one).
 */
export function analyseModifications(
  rs: Revision,
  rf: Revision,
  options: { strings?: StringReader; trailingData?: boolean } = {},
): Finding[] {
  const diff = diffObjects(rs, rf);
  const ctx = new DiffContext(rs, rf, diff.changed, diff.added, options.strings);
  ctx.findings.push(...diff.findings);
  if (options.trailingData) ctx.find('structure', 'bytes after the last revision');
  if (diff.changed.size === 0 && diff.added.size === 0) return onePaged(ctx.findings);

  checkTrailer(ctx);
  checkCatalog(ctx);
  checkFields(ctx, annotationPages(rf, ctx.pagesF));
  const widgets = new Set(
    ctx.fieldsF.flatMap((f) => f.widgets.flatMap((w) => (w.ref ? [w.ref.objectNumber] : []))),
  );
  checkPages(ctx, widgets);

  const closures = pageClosures(rs, ctx.pagesS);
  if (ctx.ocgGroups) {
    const pages = [...ctx.ocgGroups].flatMap((g) => closures.visible(g));
    if (pages.length > 0) ctx.find('content', 'optional content visibility changed', pages);
    else ctx.find('other', 'optional content configuration changed');
  }
  let reachable: Set<number> | undefined;
  for (const num of diff.changed.keys()) {
    if (ctx.handled.has(num)) {
      const soft = ctx.soft.get(num);
      const pages = soft ? closures.content(num) : [];
      if (pages.length > 0) ctx.find('content', `object ${num} (${soft}) is also page content`, pages);
      continue;
    }
    const pages = closures.visible(num);
    if (pages.length > 0) ctx.find('content', `object ${num} changed`, pages);
    else if ((reachable ??= reachableObjects(rs)).has(num)) ctx.find('other', `object ${num} changed`);
  }
  for (const num of diff.added) {
    const pages = closures.dangling(num);
    if (pages.length > 0) ctx.find('content', `object ${num}, missing when signed, now defined`, pages);
  }
  return onePaged(ctx.findings);
}

function onePaged(findings: readonly Finding[]): Finding[] {
  return findings.map((f) => ({ ...f, pages: f.pages.map((p) => p + 1) }));
}
