import { describe, expect, it } from 'vitest';
import { itSodium } from '../it-signing';
import { inRollout, rolloutPosition } from './rollout';

describe('staged rollout from the signed manifest', () => {
  it('selects 25 % ± 3 % of 1,000 simulated device ids, stably, and a new salt draws a new sample', async () => {
    const s = await itSodium();
    // Fixed ids and salt: the measured number is reproducible (a random sample of 1,000 strays
    // beyond ±3 % about once in 40 runs, which is the binomial spread, not the hash).
    const salt = '0123456789abcdef0123456789abcdef';
    const ids = Array.from({ length: 1000 }, (_, i) => `device-${String(i).padStart(4, '0')}`);
    const chosen = ids.filter((id) => inRollout(s, id, salt, 25));
    console.log(
      `rollout 25 %: ${chosen.length} of 1000 device ids selected (${(chosen.length / 10).toFixed(1)} %)`,
    );
    expect(chosen.length).toBeGreaterThanOrEqual(220);
    expect(chosen.length).toBeLessThanOrEqual(280);
    // Stable: the same device, salt and percentage always decide the same way.
    expect(ids.filter((id) => inRollout(s, id, salt, 25))).toEqual(chosen);
    // Monotone: raising the percentage only adds devices.
    const half = new Set(ids.filter((id) => inRollout(s, id, salt, 50)));
    expect(chosen.every((id) => half.has(id))).toBe(true);
    expect(ids.filter((id) => inRollout(s, id, salt, 0))).toEqual([]);
    expect(ids.filter((id) => inRollout(s, id, salt, 100))).toHaveLength(1000);
    const other = s.to_hex(s.randombytes_buf(16));
    const overlap = chosen.filter((id) => inRollout(s, id, other, 25)).length;
    expect(overlap).toBeLessThan(chosen.length * 0.5);
    expect(rolloutPosition(s, 'x', salt)).toBeLessThan(1);
    // Over 50 random salts the mean share is 25 %: no bias in the hash-to-number step.
    const shares = Array.from({ length: 50 }, () => {
      const salted = s.to_hex(s.randombytes_buf(16));
      return ids.filter((id) => inRollout(s, id, salted, 25)).length;
    });
    const mean = shares.reduce((a, b) => a + b, 0) / shares.length;
    console.log(
      `rollout 25 % over 50 random salts: mean ${mean.toFixed(1)}, min ${Math.min(...shares)}, max ${Math.max(...shares)}`,
    );
    expect(Math.abs(mean - 250)).toBeLessThan(10);
  });
});
