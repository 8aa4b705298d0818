import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { createCore, type Core } from '../../electron/core';
import { buildEvilModule } from '../fixtures/evil-module';

/**
 * A compromised renderer names a library of its choosing as the token driver, then asks for
 * the token list: the token process would dlopen it and run its constructor (native code
 * execution). Through `createCore().dispatch` with transport 'ipc', the entry point Electron's
 * IPC handler uses. The library is real (g++), so "loaded" is a file on disk, not a guess.
 */
const cores: Core[] = [];

function core(): Core {
  const c = createCore({ profileDir: mkdtempSync(join(tmpdir(), 'embassy-driver-')), version: 'test' });
  cores.push(c);
  return c;
}

afterAll(async () => {
  for (const c of cores) await c.close();
});

describe('token driver chosen by the renderer', () => {
  it('settings.update with a library path, then token.list: the library is never loaded', async () => {
    const evil = buildEvilModule();
    const c = core();
    const ipc = { transport: 'ipc' } as const;
    const set = await c.dispatch('settings.update', { pkcs11Module: evil.path }, ipc);
    const list = await c.dispatch('token.list', {}, ipc);
    expect(evil.loaded(), 'the library constructor ran').toBe(false);
    expect(set.ok).toBe(false);
    if (!set.ok) expect(set.error.code).toBe('E_FORBIDDEN_TRANSPORT');
    // token.list itself may succeed (probing known drivers) or fail typed; it never loads evil.so.
    if (!list.ok) expect(list.error.code).toMatch(/^E_[A-Z_]+$/);
  }, 30_000);

  it('vault.create naming the library: refused before anything starts', async () => {
    const evil = buildEvilModule();
    const c = core();
    const r = await c.dispatch(
      'vault.create',
      { profile: 'token', modulePath: evil.path, tokenLabel: 'x', pin: '1234' },
      { transport: 'ipc' },
    );
    expect(evil.loaded(), 'the library constructor ran').toBe(false);
    expect(r.ok).toBe(false);
    if (!r.ok) expect(r.error.code).toBe('E_FORBIDDEN_TRANSPORT');
  }, 30_000);
});
