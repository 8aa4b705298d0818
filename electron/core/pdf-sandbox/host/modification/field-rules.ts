import { PDFDict, PDFRef, type PDFObject } from 'pdf-lib';
import type { FieldInfo } from '../pdf/pdf-structure';
import { changedKeys, dictOf, get, N, nameOf } from '../pdf/pdf-values';
import type { DiffContext } from './diff-context';
import type { ChangeKind } from '../../sandbox-protocol';

/**
 * Rules for form fields: a new signature field (with its widget) is a signature or a document
 * timestamp; an empty signature field that gains a value is one too; a non-signature field
 * whose value and appearance change is form filling. Any other change to a field or widget
 * (moved, hidden, renamed, removed, a signature replaced) is not allowed.
 */

const SIG_FIELD_KEYS = new Set(['V', 'AP', 'AS', 'MK']);
const FORM_FIELD_KEYS = new Set(['V', 'AS', 'AP', 'RV']);
const WIDGET_KEYS = new Set(['AS', 'AP']);

export function checkFields(ctx: DiffContext, annotPage: ReadonlyMap<number, number>): void {
  const before = new Map<string, FieldInfo>();
  for (const f of ctx.fieldsS) before.set(keyOf(f), f);
  const after = new Set<string>();
  const pagesOf = (f: FieldInfo) =>
    f.widgets.flatMap((w) => {
      const p = w.ref ? annotPage.get(w.ref.objectNumber) : undefined;
      return p === undefined ? [] : [p];
    });

  for (const f of ctx.fieldsF) {
    const key = keyOf(f);
    after.add(key);
    const old = before.get(key);
    const pages = pagesOf(f);
    const sigKind: ChangeKind = isTimestamp(ctx, f) ? 'timestamp' : 'signature';
    if (!old) {
      ctx.handle(f.ref, ...f.ancestors, ...f.widgets.map((w) => w.ref));
      if (f.type !== 'Sig') {
        ctx.find('content', `form field "${f.name}" added`, pages);
        continue;
      }
      const v = f.dict.get(N('V'));
      if (v !== undefined && !ctx.isNew(v))
        ctx.find('other', `signature field "${f.name}" reuses an existing value`);
      else ctx.find(sigKind, `signature field "${f.name}" added`, pages);
      continue;
    }
    // An existing field: its own dictionary (merged with the widget or not) and each widget.
    const fieldKeys = changedKeys(old.dict, f.dict);
    const fieldChanged = fieldKeys.length > 0 || ctx.isChanged(f.ref);
    ctx.handle(f.ref, ...f.ancestors);
    if (fieldChanged) {
      if (f.type === 'Sig') {
        const hadValue = old.dict.get(N('V')) !== undefined;
        if (fieldKeys.includes('V') && hadValue) ctx.find('content', `signature "${f.name}" replaced`, pages);
        else if (fieldKeys.every((k) => SIG_FIELD_KEYS.has(k)))
          ctx.find(sigKind, `signature field "${f.name}" signed`, pages);
        else ctx.find('content', `signature field "${f.name}" changed (${fieldKeys.join(', ')})`, pages);
      } else if (fieldKeys.every((k) => FORM_FIELD_KEYS.has(k))) {
        ctx.find('form', `form field "${f.name}" filled`, pages);
      } else {
        ctx.find('content', `form field "${f.name}" changed (${fieldKeys.join(', ')})`, pages);
      }
      for (const w of old.widgets) markAppearances(ctx, w.dict, f.type === 'Sig' ? sigKind : 'form');
    }
    const merged = f.widgets.length === 1 && f.widgets[0]?.ref === f.ref;
    if (merged) continue;
    const oldWidgets = new Map(old.widgets.map((w) => [w.ref?.objectNumber, w]));
    for (const w of f.widgets) {
      const ow = oldWidgets.get(w.ref?.objectNumber);
      ctx.handle(w.ref);
      const page = w.ref ? annotPage.get(w.ref.objectNumber) : undefined;
      const wp = page === undefined ? [] : [page];
      if (!ow) {
        ctx.find(f.type === 'Sig' ? sigKind : 'content', `widget added to "${f.name}"`, wp);
        continue;
      }
      const keys = changedKeys(ow.dict, w.dict);
      if (keys.length === 0 && !ctx.isChanged(w.ref)) continue;
      const kind: ChangeKind = f.type === 'Sig' ? sigKind : 'form';
      if (keys.every((k) => WIDGET_KEYS.has(k))) ctx.find(kind, `widget of "${f.name}" appearance`, wp);
      else ctx.find('content', `widget of "${f.name}" changed (${keys.join(', ')})`, wp);
      markAppearances(ctx, ow.dict, kind);
    }
    if (old.widgets.some((w) => !f.widgets.some((x) => x.ref === w.ref)))
      ctx.find('content', `widget of "${f.name}" removed`, pagesOf(old));
  }
  for (const [key, f] of before) if (!after.has(key)) ctx.find('other', `form field "${f.name}" removed`);

  // A signature dictionary of the signed revision edited later is not that signature any more.
  for (const f of ctx.fieldsS) {
    if (f.type !== 'Sig') continue;
    const v = f.dict.get(N('V'));
    if (ctx.isChanged(v)) {
      ctx.handle(v);
      ctx.find('other', `the signature dictionary of "${f.name}" changed`);
    }
  }
}

/** Fields are matched by object, or by name when they are direct objects. */
function keyOf(f: FieldInfo): string {
  return f.ref ? `#${f.ref.objectNumber}` : `name:${f.name}`;
}

function isTimestamp(ctx: DiffContext, f: FieldInfo): boolean {
  const v = dictOf(ctx.rf.resolve(f.dict.get(N('V'))));
  return (
    v instanceof PDFDict &&
    (nameOf(get(ctx.rf, v, 'Type')) === 'DocTimeStamp' ||
      nameOf(get(ctx.rf, v, 'SubFilter')) === 'ETSI.RFC3161')
  );
}

/** Appearance streams of a widget or annotation, changed in place: allowed with their owner. */
export function markAppearances(ctx: DiffContext, annot: PDFDict, kind: ChangeKind): void {
  const ap = dictOf(ctx.rs.resolve(annot.get(N('AP'))));
  const apRef = annot.get(N('AP'));
  const refs: (PDFObject | undefined)[] = [apRef];
  for (const [, v] of ap?.entries() ?? []) {
    refs.push(v);
    const states = ctx.rs.resolve(v);
    if (states instanceof PDFDict) for (const [, s] of states.entries()) refs.push(s);
  }
  for (const r of refs) {
    if (r instanceof PDFRef && ctx.changed.has(r.objectNumber)) {
      ctx.handle(r);
      ctx.soft.set(r.objectNumber, kind);
    }
  }
}
