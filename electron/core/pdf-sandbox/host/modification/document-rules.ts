import { PDFArray, PDFDict, PDFRawStream, PDFRef, type PDFObject } from 'pdf-lib';
import type { Revision } from '../pdf/pdf-revisions';
import { catalogOf } from '../pdf/pdf-structure';
import { changedKeys, dictOf, N, sameValue } from '../pdf/pdf-values';
import type { DiffContext } from './diff-context';

/**
 * Rules for the document-level objects: the trailer, the catalog, the interactive form
 * dictionary, the document information dictionary and the DSS. Each changed key is either
 * explained (an allowed kind) or reported.
 */

/** Catalog keys handled by other rules (pages, form) or allowed as long-term-validation updates. */
const CATALOG_LTA = new Set(['DSS', 'Extensions', 'Version']);
/** Information entries that tools rewrite on every save; the others are shown to people. */
const INFO_NOISE = new Set(['ModDate', 'Producer']);

export function checkTrailer(ctx: DiffContext): void {
  const { rs, rf } = ctx;
  if (rs.trailerEntry('Root') !== rf.trailerEntry('Root'))
    ctx.find('structure', 'the catalog was replaced by another object');
  if (!sameValue(rs.trailerEntry('Encrypt'), rf.trailerEntry('Encrypt')))
    ctx.find('structure', 'the encryption dictionary changed');
  const infoS = rs.trailerEntry('Info');
  const infoF = rf.trailerEntry('Info');
  const keys = changedKeys(dictOf(rs.resolve(infoS)), dictOf(rf.resolve(infoF))).filter(
    (k) => !INFO_NOISE.has(k),
  );
  if (keys.length > 0) ctx.find('metadata', `document information changed: ${keys.join(', ')}`);
  ctx.handle(infoS, infoF);
}

export function checkCatalog(ctx: DiffContext): void {
  const { rs, rf } = ctx;
  const rootS = rs.trailerEntry('Root');
  const catS = catalogOf(rs);
  const catF = catalogOf(rf);
  ctx.handle(rootS);
  const keys = new Set(changedKeys(catS, catF));
  // A key whose value is a reference to an object changed in place changed too.
  for (const [k, v] of catS?.entries() ?? []) if (ctx.isChanged(v)) keys.add(k.decodeText());
  for (const key of keys) {
    const vs = catS?.get(N(key));
    const vf = catF?.get(N(key));
    if (key === 'AcroForm') checkAcroForm(ctx, vs, vf);
    else if (key === 'Pages')
      ctx.handle(vs, vf); // the page rules compare the page lists
    else if (CATALOG_LTA.has(key)) {
      ctx.find('dss', `catalog /${key}`);
      markDss(ctx, vs);
    } else if (key === 'Metadata') {
      ctx.find('metadata', 'the XMP metadata changed');
      ctx.handle(vs);
    } else if (key === 'OCProperties') {
      ocgChange(ctx, vs, vf);
    } else {
      ctx.find('other', `catalog /${key} changed`);
      ctx.handle(vs);
    }
  }
}

/** The form dictionary: fields may be added (the field rules check what they are), nothing else. */
function checkAcroForm(ctx: DiffContext, vs: PDFObject | undefined, vf: PDFObject | undefined): void {
  const { rs, rf } = ctx;
  const afS = dictOf(rs.resolve(vs));
  const afF = dictOf(rf.resolve(vf));
  ctx.handle(vs, vf);
  const keys = new Set(changedKeys(afS, afF));
  for (const [k, v] of afS?.entries() ?? []) if (ctx.isChanged(v)) keys.add(k.decodeText());
  for (const key of keys) {
    const a = afS?.get(N(key));
    const b = afF?.get(N(key));
    ctx.handle(a, b);
    if (key === 'SigFlags') continue;
    if (key === 'Fields') {
      const oldRefs = refsOf(rs, a);
      const newRefs = new Set(refsOf(rf, b));
      if (!oldRefs.every((r) => newRefs.has(r))) ctx.find('other', 'form fields were removed');
      continue;
    }
    if (key === 'DR' && additionsOnly(rs, rf, a, b)) {
      for (const [, v] of dictOf(rs.resolve(a))?.entries() ?? []) ctx.handle(v);
      continue;
    }
    if ((key === 'DA' || key === 'DR') && !afS) continue; // a new form dictionary brings its defaults
    ctx.find('other', `form dictionary /${key} changed`);
  }
}

/** The object numbers in an array of references. */
function refsOf(rev: Revision, arr: PDFObject | undefined): number[] {
  const v = rev.resolve(arr);
  return v instanceof PDFArray
    ? v.asArray().flatMap((x) => (x instanceof PDFRef ? [x.objectNumber] : []))
    : [];
}

/** Default resources may gain entries (a signing tool adds its font); existing ones stay as they were. */
function additionsOnly(
  rs: Revision,
  rf: Revision,
  a: PDFObject | undefined,
  b: PDFObject | undefined,
): boolean {
  const da = dictOf(rs.resolve(a));
  const db = dictOf(rf.resolve(b));
  if (!da) return true;
  if (!db) return false;
  for (const [k, v] of da.entries()) {
    const w = db.get(k);
    if (sameValue(v, w)) continue;
    const sub = dictOf(rs.resolve(v));
    const subNew = dictOf(rf.resolve(w));
    if (!sub || !subNew) return false;
    for (const [sk, sv] of sub.entries()) if (!sameValue(sv, subNew.get(sk))) return false;
  }
  return true;
}

/** Optional content visibility: which pages draw an optional-content group is the question. */
function ocgChange(ctx: DiffContext, vs: PDFObject | undefined, vf: PDFObject | undefined): void {
  ctx.handle(vs, vf);
  const groups = new Set<number>();
  for (const [rev, v] of [
    [ctx.rs, vs],
    [ctx.rf, vf],
  ] as const) {
    const ocp = dictOf(rev.resolve(v));
    const ocgs = ocp ? rev.resolve(ocp.get(N('OCGs'))) : undefined;
    if (ocgs instanceof PDFArray)
      for (const g of ocgs.asArray()) if (g instanceof PDFRef) groups.add(g.objectNumber);
    const d = ocp ? dictOf(rev.resolve(ocp.get(N('D')))) : undefined;
    ctx.handle(ocp?.get(N('D')), d?.get(N('ON')), d?.get(N('OFF')), d?.get(N('Order')));
  }
  // Which pages this shows on is known once the pages' content is: the analysis decides.
  ctx.ocgGroups = groups;
}

/** Objects of the signed revision's DSS: updated in place by validation-data updates. */
function markDss(ctx: DiffContext, root: PDFObject | undefined): void {
  const stack: (PDFObject | undefined)[] = [root];
  const seen = new Set<number>();
  while (stack.length > 0) {
    const o = stack.pop();
    if (o instanceof PDFRef) {
      if (seen.has(o.objectNumber) || seen.size > 100_000) continue;
      seen.add(o.objectNumber);
      if (ctx.changed.has(o.objectNumber)) {
        ctx.handle(o);
        ctx.soft.set(o.objectNumber, 'dss');
      }
      stack.push(ctx.rs.lookup(o));
    } else if (o instanceof PDFArray) stack.push(...o.asArray());
    else if (o instanceof PDFRawStream) stack.push(o.dict);
    else if (o instanceof PDFDict) for (const [, v] of o.entries()) stack.push(v);
  }
}
