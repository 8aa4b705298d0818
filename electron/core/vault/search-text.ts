import type { SnippetSegment } from '../../../shared/contract/vault-calls';

/**
 * Text folding for the FTS5 index and its queries. The tokenizer is
 * `porter unicode61 remove_diacritics 2`: it folds case and Vietnamese tone and vowel marks
 * ("hợp" → "hop") and stems English ("signed" → "sign"). It does not fold đ/Đ: they are
 * letters of their own in Unicode, not d + a mark. So before indexing we replace đ/Đ by ḏ/Ḏ
 * (U+1E0F/U+1E0E, d with a line below): the tokenizer does fold those to d, and the swap is
 * one UTF-16 unit for one, so the snippet the index returns maps back exactly (ḏ → đ). The
 * cost: a genuine ḏ (Semitic transliteration) shows as đ in a snippet; the stored text
 * itself is untouched. On the query side đ → d.
 */
const FOLD_INDEX: Record<string, string> = { đ: '\u1e0f', Đ: '\u1e0e' };
const UNFOLD: Record<string, string> = { '\u1e0f': 'đ', '\u1e0e': 'Đ' };

export function foldForIndex(text: string): string {
  return text.normalize('NFC').replace(/[đĐ]/g, (c) => FOLD_INDEX[c] ?? c);
}

export function unfoldFromIndex(text: string): string {
  return text.replace(/[\u1e0f\u1e0e]/g, (c) => UNFOLD[c] ?? c);
}

/** Most terms a query may have: enough for any real search, bounded work for the index. */
export const MAX_QUERY_TERMS = 12;

/**
 * Builds the FTS5 MATCH expression from what the officer typed. Only letters and digits
 * survive, each term is double-quoted (so `AND`, `NEAR`, `-`, `:`, `(` are text, never
 * syntax), terms are ANDed, the last term and any typed with a trailing `*` match as a prefix.
 * Returns null when nothing searchable is left (the caller answers "no hits").
 */
export function buildMatchExpression(query: string): string | null {
  const words = query.normalize('NFC').replace(/[đĐ]/g, (c) => (c === 'đ' ? 'd' : 'D'));
  const raw = words.split(/\s+/).filter((w) => w.length > 0);
  const terms: string[] = [];
  raw.forEach((word, index) => {
    const starred = word.endsWith('*');
    const parts = word.match(/[\p{L}\p{N}\p{M}]+/gu) ?? [];
    parts.forEach((part, partIndex) => {
      const isLastPart = partIndex === parts.length - 1;
      const prefix = isLastPart && (starred || (index === raw.length - 1 && !/\s$/.test(query)));
      terms.push(`"${part}"${prefix ? '*' : ''}`);
    });
  });
  if (terms.length === 0) return null;
  return terms.slice(0, MAX_QUERY_TERMS).join(' ');
}

/** Markers FTS5's snippet() puts around hits: control characters that folded text never has. */
export const HIT_OPEN = '\u0002';
export const HIT_CLOSE = '\u0003';

/** Strips control characters so the snippet markers are unambiguous. */
export function stripMarkers(text: string): string {
  return text.split(HIT_OPEN).join(' ').split(HIT_CLOSE).join(' ');
}

/** Splits a marked snippet into plain-text segments the UI renders without HTML. */
export function snippetSegments(marked: string, maxSegments = 64): SnippetSegment[] {
  const out: SnippetSegment[] = [];
  const text = unfoldFromIndex(marked);
  let i = 0;
  while (i < text.length && out.length < maxSegments) {
    const open = text.indexOf(HIT_OPEN, i);
    if (open === -1) {
      out.push({ text: text.slice(i), hit: false });
      break;
    }
    if (open > i) out.push({ text: text.slice(i, open), hit: false });
    const close = text.indexOf(HIT_CLOSE, open + 1);
    const end = close === -1 ? text.length : close;
    out.push({ text: text.slice(open + 1, end), hit: true });
    i = end + 1;
  }
  // Merge neighbours of the same kind and bound each piece to the contract's limit.
  const merged: SnippetSegment[] = [];
  for (const s of out) {
    if (s.text.length === 0) continue;
    const last = merged[merged.length - 1];
    if (last && last.hit === s.hit) last.text += s.text;
    else merged.push({ ...s });
  }
  return merged.map((s) => ({ text: s.text.slice(0, 2000), hit: s.hit }));
}
