import { describe, expect, it } from 'vitest';
import { missionOf } from './mission';

describe('missionOf', () => {
  it('writes the enrolled department in the manifest alphabet', () => {
    expect(missionOf('Đại sứ quán Tokyo')).toBe('dai-su-quan-tokyo');
    expect(missionOf('Consular section — Paris')).toBe('consular-section-paris');
    expect(missionOf('  HQ / IT  ')).toBe('hq-it');
  });

  it('has no mission without a usable department', () => {
    expect(missionOf(undefined)).toBeNull();
    expect(missionOf('')).toBeNull();
    expect(missionOf('—')).toBeNull();
  });

  it('is at most 64 characters and never ends in a hyphen', () => {
    const m = missionOf(`${'a'.repeat(63)} b`);
    expect(m).toBe('a'.repeat(63));
  });
});

describe('per-mission targets (judgeRelease)', () => {
  it('a listed mission takes exactly its version, whatever the rollout; others follow the rollout', async () => {
    const { itSodium } = await import('../it-signing');
    const { judgeRelease } = await import('./release-check');
    const s = await itSodium();
    const release = {
      type: 'embassy.it.release',
      version: 3,
      expires: '2030-01-01T00:00:00Z',
      channel: 'stable',
      appVersion: '1.3.0',
      // Nobody by percentage: only the missions listed.
      rollout: { percentage: 0, salt: '0123456789abcdef0123456789abcdef' },
      missions: { [missionOf('Đại sứ quán Tokyo') as string]: '1.3.0', paris: '1.2.0' },
      files: [{ name: 'embassy.deb', size: 1, sha512: 'x' }],
    } as unknown as Parameters<typeof judgeRelease>[1];
    const ctx = (missionId: string | null) => ({
      channel: 'stable',
      installedVersion: '1.2.0',
      lastManifest: null,
      digest: 'd',
      deviceId: 'device-0001',
      missionId,
    });
    expect(judgeRelease(s, release, ctx(missionOf('Đại sứ quán Tokyo')))).toBe('update');
    expect(() => judgeRelease(s, release, ctx('paris'))).toThrow(/target version is 1.2.0/);
    expect(() => judgeRelease(s, release, ctx(null))).toThrow(/rolled out to 0 %/);
    expect(() => judgeRelease(s, release, ctx(missionOf('Consular section Berlin')))).toThrow(/rolled out/);
  });
});
