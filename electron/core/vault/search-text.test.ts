import { describe, expect, it } from 'vitest';
import {
  buildMatchExpression,
  foldForIndex,
  HIT_CLOSE,
  HIT_OPEN,
  snippetSegments,
  unfoldFromIndex,
} from './search-text';

describe('search text folding', () => {
  it('swaps đ/Đ for letters the tokenizer folds to d, one unit for one, and back', () => {
    const text = 'Hợp đồng tại Đà Nẵng';
    const folded = foldForIndex(text);
    expect(folded).not.toContain('đ');
    expect(folded).toHaveLength(text.length);
    expect(unfoldFromIndex(folded)).toBe(text);
  });

  it('normalises decomposed input to NFC before indexing', () => {
    expect(foldForIndex('hợp'.normalize('NFD'))).toBe('hợp');
  });
});

describe('MATCH expression from what the officer typed', () => {
  it('quotes every term and makes the last one a prefix', () => {
    expect(buildMatchExpression('hop dong')).toBe('"hop" "dong"*');
  });

  it('keeps an explicit trailing star and no automatic prefix after a space', () => {
    expect(buildMatchExpression('sign* treaty ')).toBe('"sign"* "treaty"');
  });

  it('folds đ to d on the query side', () => {
    expect(buildMatchExpression('Đà đồng')).toBe('"Dà" "dồng"*');
  });

  it('turns FTS syntax into plain terms: quotes, operators, parentheses, colons, NEAR', () => {
    for (const q of ['"unbalanced', 'a AND (b OR', 'NEAR(x y', 'title:secret', '-x ^y', '* * *', '"""']) {
      const expr = buildMatchExpression(q);
      if (expr !== null) expect(expr).toMatch(/^("[\p{L}\p{N}\p{M}]+"\*? ?)+$/u);
    }
    expect(buildMatchExpression('  ')).toBeNull();
    expect(buildMatchExpression('(((')).toBeNull();
  });

  it('bounds the number of terms', () => {
    expect(
      buildMatchExpression(Array.from({ length: 50 }, (_, i) => `w${i}`).join(' '))?.split(' '),
    ).toHaveLength(12);
  });
});

describe('snippet segments', () => {
  it('splits marked text into plain segments and restores đ', () => {
    const marked = `…thuê ${HIT_OPEN}${foldForIndex('đồng')}${HIT_CLOSE} nhà`;
    expect(snippetSegments(marked)).toEqual([
      { text: '…thuê ', hit: false },
      { text: 'đồng', hit: true },
      { text: ' nhà', hit: false },
    ]);
  });
});
