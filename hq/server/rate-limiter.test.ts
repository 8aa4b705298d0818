import { describe, expect, it } from 'vitest';
import { RateLimiter } from './rate-limiter';

describe('RateLimiter', () => {
  it('allows a burst, then asks the caller to wait, and refills with time', () => {
    let now = 0;
    const limiter = new RateLimiter({ burst: 3, perMinute: 60 }, 100, () => now);
    expect([limiter.take('a'), limiter.take('a'), limiter.take('a')]).toEqual([0, 0, 0]);
    expect(limiter.take('a')).toBe(1000);
    expect(limiter.take('b')).toBe(0); // another key has its own budget
    now += 1000;
    expect(limiter.take('a')).toBe(0);
    expect(limiter.take('a')).toBe(1000);
  });

  it('keeps at most maxKeys keys under a flood of distinct ones, and the limited key stays limited', () => {
    let now = 0;
    const limiter = new RateLimiter({ burst: 1, perMinute: 1 }, 50, () => now);
    expect(limiter.take('attacker')).toBe(0);
    for (let i = 0; i < 10_000; i++) {
      limiter.take('attacker');
      limiter.take(`flood-${i}`);
      now += 1;
    }
    expect(limiter.size).toBeLessThanOrEqual(50);
    expect(limiter.take('attacker')).toBeGreaterThan(0);
  });
});
