import { describe, expect, it, vi } from 'vitest';
import { newRecordId } from './record-id';

const V7 = /^[0-9a-f]{8}-[0-9a-f]{4}-7[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$/;

describe('record ids (UUIDv7)', () => {
  it('are version 7, RFC 9562 variant, with the creation millisecond in front', () => {
    const before = Date.now();
    const id = newRecordId();
    expect(id).toMatch(V7);
    const ms = parseInt(id.replace(/-/g, '').slice(0, 12), 16);
    expect(ms).toBeGreaterThanOrEqual(before);
    expect(ms).toBeLessThanOrEqual(Date.now() + 1);
  });

  it('strictly increase, so the id index is appended to, never written at random', () => {
    const ids = Array.from({ length: 20_000 }, () => newRecordId());
    for (let i = 1; i < ids.length; i++) expect((ids[i] as string) > (ids[i - 1] as string)).toBe(true);
    expect(new Set(ids).size).toBe(ids.length);
  });

  it('keep increasing when the clock steps back', () => {
    const a = newRecordId();
    const spy = vi.spyOn(Date, 'now').mockReturnValue(Date.now() - 60_000);
    try {
      const b = newRecordId();
      expect(b > a).toBe(true);
      expect(b).toMatch(V7);
    } finally {
      spy.mockRestore();
    }
  });
});
