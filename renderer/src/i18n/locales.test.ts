import { describe, expect, it } from 'vitest';
import { ERROR_CODES } from '../../../shared/contract/errors';
import { CLASSIFICATIONS } from '../../../shared/domain/classification';
import en from './locales/en.json';
import vi from './locales/vi.json';

function keys(obj: object, prefix = ''): string[] {
  return Object.entries(obj).flatMap(([k, v]) =>
    typeof v === 'object' && v !== null ? keys(v, `${prefix}${k}.`) : [`${prefix}${k}`],
  );
}

describe('translations', () => {
  it('Vietnamese and English have exactly the same keys', () => {
    expect(keys(vi).sort()).toEqual(keys(en).sort());
  });

  it('every stable error code and classification has a message in both languages', () => {
    for (const dict of [vi, en] as unknown as Record<string, Record<string, string>>[]) {
      for (const code of ERROR_CODES) expect(dict.errors?.[code], code).toBeTruthy();
      for (const c of CLASSIFICATIONS) expect(dict.classification?.[c], c).toBeTruthy();
    }
  });

  it('no string is left empty or untranslated in Vietnamese by accident', () => {
    const flat = (o: object): string[] =>
      Object.values(o).flatMap((v) => (typeof v === 'object' ? flat(v as object) : [String(v)]));
    expect(flat(vi).every((s) => s.trim().length > 0)).toBe(true);
    // Proper nouns may match; whole sections may not.
    const same = keys(vi).filter((k, i) => flat(vi)[i] === flat(en)[i]);
    expect(same.length).toBeLessThan(8);
  });
});
