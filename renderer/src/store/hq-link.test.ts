import { describe, expect, it } from 'vitest';
import type { SyncStatus } from '../../../shared/contract/sync-calls';
import { lastSyncText } from '../components/last-sync';
import { hqLink } from './hq-link';

const status = (over: Partial<SyncStatus>): SyncStatus =>
  ({
    enrolment: 'approved',
    connection: 'online',
    pending: { count: 0, bytes: 0 },
    failed: 0,
    warnings: [],
    ...over,
  }) as SyncStatus;

describe('hqLink (About and the status bar read the same answer)', () => {
  it('follows the vault first: absent is not set up, locked knows nothing', () => {
    expect(hqLink(null, 'absent')).toEqual({ state: 'not-set-up', label: 'state.not-set-up' });
    expect(hqLink(status({}), 'locked').state).toBe('locked');
    expect(hqLink(null, 'unlocked').state).toBe('locked');
    expect(hqLink(status({ enrolment: 'locked' }), 'unlocked').state).toBe('locked');
  });

  it('names enrolment, then the connection, with the status bar words', () => {
    expect(hqLink(status({ enrolment: 'none' }), 'unlocked')).toEqual({
      state: 'not-set-up',
      label: 'sync.enrolment.none',
    });
    expect(hqLink(status({ enrolment: 'pending' }), 'unlocked').state).toBe('degraded');
    expect(hqLink(status({ enrolment: 'revoked' }), 'unlocked').state).toBe('error');
    expect(hqLink(status({ connection: 'online' }), 'unlocked')).toEqual({
      state: 'ok',
      label: 'sync.connection.online',
    });
    expect(hqLink(status({ connection: 'offline' }), 'unlocked')).toEqual({
      state: 'error',
      label: 'sync.connection.offline',
    });
  });
});

describe('lastSyncText', () => {
  const at = new Date(2026, 11, 2, 14, 32).getTime();
  it('online: relative, "now" right after a sync', () => {
    expect(lastSyncText(at, at + 5_000, 'online', 'en')).toBe('now');
  });
  it('offline: never "now", the clock time (with the date on another day)', () => {
    expect(lastSyncText(at, at + 5_000, 'offline', 'en')).toBe('14:32');
    expect(lastSyncText(at, at + 5_000, 'connecting', 'vi')).toBe('14:32');
    expect(lastSyncText(at, at + 86_400_000, 'offline', 'en')).toMatch(/2 Dec 2026.*14:32/);
  });
});
