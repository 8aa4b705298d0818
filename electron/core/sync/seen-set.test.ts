import { describe, expect, it } from 'vitest';
import { recordSeen, replayVerdict, type SeenState } from './seen-set';

describe('replayVerdict', () => {
  it('accepts anything from a sender never seen, except an invalid seq', () => {
    expect(replayVerdict(undefined, 1)).toBe('new');
    expect(replayVerdict(undefined, 10_000)).toBe('new');
    for (const bad of [0, -1, 1.5, Number.NaN, Number.POSITIVE_INFINITY]) {
      expect(replayVerdict(undefined, bad)).toBe('replay');
    }
  });

  it('refuses a seq already seen, accepts out-of-order ones within the window', () => {
    const seen = { highestSeq: 100, recent: new Set([100, 98, 97]) };
    expect(replayVerdict(seen, 100)).toBe('replay');
    expect(replayVerdict(seen, 98)).toBe('replay');
    expect(replayVerdict(seen, 99)).toBe('new');
    expect(replayVerdict(seen, 101)).toBe('new');
    expect(replayVerdict(seen, 5)).toBe('new');
  });

  it('refuses anything at or below highestSeq - window', () => {
    const seen = { highestSeq: 5000, recent: new Set([5000]) };
    expect(replayVerdict(seen, 5000 - 4096)).toBe('replay');
    expect(replayVerdict(seen, 5000 - 4095)).toBe('new');
    expect(replayVerdict(seen, 1, 10)).toBe('replay');
    expect(replayVerdict({ highestSeq: 20, recent: new Set() }, 11, 10)).toBe('new');
    expect(replayVerdict({ highestSeq: 20, recent: new Set() }, 10, 10)).toBe('replay');
  });
});

describe('recordSeen', () => {
  it('tracks every accepted seq, in any order, and prunes what leaves the window', () => {
    let state: SeenState | undefined;
    const order = [3, 1, 2, 7, 5, 6, 4, 30, 25];
    for (const seq of order) {
      expect(replayVerdict(state, seq, 10)).toBe('new');
      state = recordSeen(state, seq, 10);
      expect(replayVerdict(state, seq, 10)).toBe('replay');
    }
    expect(state?.highestSeq).toBe(30);
    expect([...(state?.recent ?? [])].sort((a, b) => a - b)).toEqual([25, 30]);
    for (const seq of [1, 7, 20, 25, 30]) expect(replayVerdict(state, seq, 10)).toBe('replay');
    expect(replayVerdict(state, 21, 10)).toBe('new');
    expect(() => recordSeen(state, 30, 10)).toThrow();
  });

  it('never holds more than the window', () => {
    let state: SeenState | undefined;
    for (let seq = 1; seq <= 10_000; seq++) state = recordSeen(state, seq, 100);
    expect(state?.recent.size).toBe(100);
  });
});
