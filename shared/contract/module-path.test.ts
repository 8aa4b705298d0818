import { describe, expect, it } from 'vitest';
import { contract } from './calls';
import { isLocalAbsolutePath } from './module-path';

describe('token driver files', () => {
  it.each([
    ['/usr/lib/softhsm/libsofthsm2.so', true],
    ['C:\\Windows\\System32\\eTPKCS11.dll', true],
    ['C:/Program Files/OpenSC/opensc-pkcs11.dll', true],
    ['libsofthsm2.so', false],
    ['./evil.so', false],
    ['../lib/evil.so', false],
    ['/usr/lib/../../tmp/evil.so', false],
    ['\\\\host\\share\\x.dll', false],
    ['//host/share/x.so', false],
    ['\\\\?\\C:\\x.dll', false],
    ['\\\\.\\pipe\\x', false],
    ['/\\host\\share\\x.dll', false],
    ['C:evil.dll', false],
    ['/usr/lib/evil.so\u0000.txt', false],
    ['', false],
  ])('%s → %s', (path, expected) => {
    expect(isLocalAbsolutePath(path)).toBe(expected);
  });

  it('the contract refuses relative and UNC module paths even from the CLI', () => {
    for (const bad of ['evil.so', '\\\\host\\share\\x.dll']) {
      expect(contract['settings.update'].input.safeParse({ pkcs11Module: bad }).success).toBe(false);
      const create = { profile: 'token', modulePath: bad, tokenLabel: 't', pin: '1' };
      expect(contract['vault.create'].input.safeParse(create).success).toBe(false);
    }
    expect(contract['settings.update'].input.safeParse({ pkcs11Driver: '../evil' }).success).toBe(false);
  });
});
