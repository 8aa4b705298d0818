import { describe, expect, it } from 'vitest';
import { CoreError } from '../../../shared/contract/errors';
import { driverModulePath, knownDrivers, resolveModules } from './known-modules';
import { TokenRequest } from './token-protocol';

describe('known token drivers', () => {
  it('lists every driver by id with names in both languages', () => {
    const drivers = knownDrivers(() => false, 'linux');
    expect(drivers.map((d) => d.id)).toContain('softhsm2');
    for (const d of drivers) {
      expect(d.name.length).toBeGreaterThan(0);
      expect(d.nameVi.length).toBeGreaterThan(0);
      expect(d.installed).toBe(false);
    }
  });

  it('resolves a driver id to an installed library, and nothing else', () => {
    const installed = (p: string) => p === '/usr/lib/softhsm/libsofthsm2.so';
    expect(driverModulePath('softhsm2', installed)).toBe('/usr/lib/softhsm/libsofthsm2.so');
    expect(() => driverModulePath('/tmp/evil.so', installed)).toThrow(CoreError);
    expect(() => driverModulePath('opensc', () => false)).toThrow(/not installed/);
  });

  it('never hands a relative or UNC configured path to the loader', () => {
    expect(resolveModules('evil.so')).toEqual([]);
    expect(resolveModules('\\\\host\\share\\x.dll')).toEqual([]);
    expect(resolveModules('/opt/vendor/lib.so')).toMatchObject([{ path: '/opt/vendor/lib.so' }]);
  });

  it('the token process refuses to init with a relative or UNC module path', () => {
    for (const modulePath of ['evil.so', '\\\\host\\share\\x.dll', '//host/x.so']) {
      expect(TokenRequest.safeParse({ id: 1, op: 'init', modulePath, pollMs: 500 }).success).toBe(false);
    }
    expect(
      TokenRequest.safeParse({ id: 1, op: 'init', modulePath: '/usr/lib/x.so', pollMs: 500 }).success,
    ).toBe(true);
  });
});
