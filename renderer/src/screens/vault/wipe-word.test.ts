import { describe, expect, it } from 'vitest';
import { wipeWordMatches } from './wipe-word';

describe('the wipe confirmation word', () => {
  it('accepts the word with or without its accent, in NFC or NFD, in any case', () => {
    for (const typed of [
      'XOÁ',
      'XOA',
      'xoá',
      'xoa',
      ' XOÁ ',
      'XOÁ'.normalize('NFD'),
      'XOÁ'.normalize('NFC'),
    ]) {
      expect(wipeWordMatches(typed, 'XOÁ'), typed).toBe(true);
      expect(wipeWordMatches(typed, 'XOA'), typed).toBe(true);
    }
    expect(wipeWordMatches('wipe', 'WIPE')).toBe(true);
  });

  it('refuses anything else', () => {
    for (const typed of ['', 'XO', 'XOAA', 'XOÁ!', 'WIPE', 'XÓA A']) {
      expect(wipeWordMatches(typed, 'XOÁ'), typed).toBe(false);
    }
    expect(wipeWordMatches('', '')).toBe(false);
  });
});
