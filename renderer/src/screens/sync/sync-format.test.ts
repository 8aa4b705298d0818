import { describe, expect, it } from 'vitest';
import {
  checkFingerprint,
  errorKey,
  filterOfficers,
  formatBytes,
  formatCount,
  groupHex,
  hqUrlProblem,
  normalizeFingerprint,
  otherOfficers,
  senderName,
  relativeTime,
  unreachableReason,
  type Officer,
} from './sync-format';

const officer = (over: Partial<Officer>): Officer => ({
  address: 'a@hq.mofa.gov.vn',
  name: 'A',
  department: 'Consular',
  devices: [{ deviceId: 'ab'.repeat(16), status: 'approved', hasPrekey: true }],
  reachable: true,
  ...over,
});

describe('sync formatting', () => {
  it('says when the last sync was, in each language', () => {
    const now = 1_000_000_000;
    expect(relativeTime(now - 10_000, now, 'en')).toBe('now');
    expect(relativeTime(now - 5 * 60_000, now, 'en')).toBe('5 minutes ago');
    expect(relativeTime(now - 5 * 60_000, now, 'vi')).toBe('5 phút trước');
    expect(relativeTime(now - 2 * 3_600_000, now, 'vi')).toBe('2 giờ trước');
    expect(relativeTime(now - 3 * 86_400_000, now, 'en')).toBe('3 days ago');
    // A clock a little behind the core never shows "in 2 seconds".
    expect(relativeTime(now + 2_000, now, 'en')).toBe('now');
  });

  it('formats sizes and counts with the language separators', () => {
    expect(formatBytes(512, 'en')).toBe('512 B');
    expect(formatBytes(1536, 'en')).toBe('1.5 KB');
    expect(formatBytes(1536, 'vi')).toBe('1,5 KB');
    expect(formatBytes(5 * 1024 * 1024 * 1024, 'vi')).toBe('5 GB');
    expect(formatCount(12345, 'vi')).toBe('12.345');
    expect(formatCount(12345, 'en')).toBe('12,345');
  });

  it('groups a device id in fours for reading aloud', () => {
    expect(groupHex('0123456789abcdef0123456789abcdef')).toEqual([
      '0123',
      '4567',
      '89ab',
      'cdef',
      '0123',
      '4567',
      '89ab',
      'cdef',
    ]);
  });

  it('maps unknown error codes to the generic message', () => {
    expect(errorKey('E_SYNC_OFFLINE')).toBe('errors.E_SYNC_OFFLINE');
    expect(errorKey('E_FROM_THE_FUTURE')).toBe('errors.E_INTERNAL');
  });
});

describe('enrolment checks', () => {
  it('accepts exactly what the contract accepts as the HQ address', () => {
    expect(hqUrlProblem('https://hq.mofa.gov.vn')).toBeNull();
    expect(hqUrlProblem(' https://10.0.0.5:8443/ ')).toBeNull();
    expect(hqUrlProblem('')).toBe('empty');
    expect(hqUrlProblem('http://hq.mofa.gov.vn')).toBe('not-https');
    expect(hqUrlProblem('hq.mofa.gov.vn')).toBe('not-https');
    expect(hqUrlProblem('https://hq.mofa.gov.vn/relay')).toBe('format');
    expect(hqUrlProblem('https://user@hq')).toBe('format');
  });

  it('checks the fingerprint as typed: characters, then length', () => {
    const hex = 'AB:'.repeat(31) + 'AB';
    expect(checkFingerprint(hex)).toEqual({ problem: null, digits: 64 });
    expect(normalizeFingerprint(hex)).toBe('ab'.repeat(32));
    expect(checkFingerprint('ab cd')).toEqual({ problem: 'short', digits: 4 });
    expect(checkFingerprint('a'.repeat(66))).toEqual({ problem: 'long', digits: 66 });
    expect(checkFingerprint('ab:zz:gq')).toEqual({ problem: 'characters', bad: 'z g q' });
  });
});

describe('recipients', () => {
  const list = [
    officer({ name: 'Nguyễn Thị Đào', address: 'dao@hq', department: 'Vụ Lãnh sự' }),
    officer({ name: 'Trần Văn Bình', address: 'binh@hq', department: 'Cục Cơ yếu' }),
  ];

  it('finds officers without typing diacritics, by every word', () => {
    expect(filterOfficers(list, 'nguyen dao').map((o) => o.address)).toEqual(['dao@hq']);
    expect(filterOfficers(list, 'lanh su').map((o) => o.address)).toEqual(['dao@hq']);
    expect(filterOfficers(list, 'BINH@')).toHaveLength(1);
    expect(filterOfficers(list, '  ')).toHaveLength(2);
    expect(filterOfficers(list, 'nobody')).toHaveLength(0);
  });

  it('leaves the officer themself out of the recipients', () => {
    const list = [officer({ address: 'an.nguyen@mission.example' }), officer({ address: 'binh@hq' })];
    expect(otherOfficers(list, 'An.Nguyen@mission.example').map((o) => o.address)).toEqual(['binh@hq']);
    expect(otherOfficers(list, undefined)).toHaveLength(2);
    expect(otherOfficers(list, 'someone@else')).toHaveLength(2);
  });

  it('shows the name of a "Name <address>" sender', () => {
    expect(senderName('Nguyen Van An <an.nguyen@mission.example>')).toBe('Nguyen Van An');
    expect(senderName('Nguyễn Văn An<an@x>')).toBe('Nguyễn Văn An');
    expect(senderName('Consular Department')).toBe('Consular Department');
    expect(senderName('<only@address>')).toBe('<only@address>');
    expect(senderName('')).toBe('');
  });

  it('says why a recipient cannot be picked', () => {
    expect(unreachableReason(officer({}))).toBeNull();
    expect(unreachableReason(officer({ reachable: false, devices: [] }))).toBe('no-device');
    expect(
      unreachableReason(
        officer({
          reachable: false,
          devices: [{ deviceId: 'cd'.repeat(16), status: 'revoked', hasPrekey: true }],
        }),
      ),
    ).toBe('revoked');
    expect(
      unreachableReason(
        officer({
          reachable: false,
          devices: [{ deviceId: 'cd'.repeat(16), status: 'approved', hasPrekey: false }],
        }),
      ),
    ).toBe('no-keys');
  });
});
