import { describe, expect, it } from 'vitest';
import { stampLines } from './stamp-lines';

describe('the visible stamp’s lines', () => {
  const at = new Date('2026-12-02T09:05:00Z');
  it('are in Vietnamese with every diacritic kept', () => {
    expect(
      stampLines({ name: 'Nguyễn Văn Đức', signingTime: at, reason: 'Phê duyệt', location: 'Hà Nội' }, 'vi'),
    ).toEqual([
      'Người ký: Nguyễn Văn Đức',
      'Thời gian: 2026-12-02 09:05:00 UTC',
      'Lý do: Phê duyệt',
      'Nơi ký: Hà Nội',
    ]);
  });
  it('are in English by default, absent reason and place left out', () => {
    expect(stampLines({ name: 'A. Officer', signingTime: at })).toEqual([
      'Signed by: A. Officer',
      'Time: 2026-12-02 09:05:00 UTC',
    ]);
  });
});
