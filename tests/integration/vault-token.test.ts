import { cpSync, mkdtempSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createCore, type Core } from '../../electron/core';
import { startTokenHost } from '../../electron/core/token';
import type { LockReason } from '../../electron/core/vault/vault-service';
import { vaultPaths } from '../../electron/core/vault/vault-service';
import { createTokenKeyWrapper } from '../../electron/core/vault/token-key-wrapper';
import { loadSodium } from '../../electron/core/vault/sodium';
import { createSoftHsmToken, type SoftHsmToken } from '../fixtures/softhsm';
import { call, must } from './vault-harness';

/**
 * The vault bound to a real SoftHSM2 token through the token layer's process: RSA (OAEP, or
 * the sign-only binding) and EC (ECDH) keys; a copy of the profile refused by another token
 * with a message naming the vault's token; the right token and PIN open it; removal locks.
 */
let tokenA: SoftHsmToken;
let tokenB: SoftHsmToken;
const cores: Core[] = [];

function coreFor(profileDir: string, token: SoftHsmToken, onLock?: (r: LockReason) => void): Core {
  const core = createCore({
    profileDir,
    version: 'test',
    vault: {
      tokenWrapper: createTokenKeyWrapper({
        // The token process sees only the SoftHSM configuration of `token`.
        startClient: (modulePath) => startTokenHost({ modulePath, env: token.env, pollMs: 300 }),
        sodium: loadSodium,
      }),
      onLock,
    },
  });
  cores.push(core);
  return core;
}

beforeAll(async () => {
  [tokenA, tokenB] = await Promise.all([
    createSoftHsmToken({ keys: ['rsa', 'ec'], label: 'officer-a' }),
    createSoftHsmToken({ keys: ['rsa'], label: 'officer-b' }),
  ]);
}, 120_000);
afterAll(async () => {
  for (const c of cores) await c.vault.dispose();
  await Promise.all([tokenA.cleanup(), tokenB.cleanup()]);
});

describe('token-bound vault', () => {
  it('binds to the RSA key, refuses a wrong PIN and another token (naming its own), opens with the right ones', async () => {
    const profileDir = mkdtempSync(join(tmpdir(), 'embassy-vault-token-'));
    const core = coreFor(profileDir, tokenA);
    const created = await must(core, 'vault.create', {
      profile: 'token',
      modulePath: tokenA.modulePath,
      tokenLabel: tokenA.label,
      pin: tokenA.pin,
    });
    expect(created).toMatchObject({ state: 'unlocked', profile: 'token', token: { label: 'officer-a' } });
    expect(created.token?.holder.length).toBeGreaterThan(0);
    const doc = await must(core, 'documents.add', { subject: 'Token-bound document' });
    const keyFile = JSON.parse(readFileSync(vaultPaths(profileDir).keyFile, 'utf8')) as {
      wrappers: { kind: string; method: string }[];
    };
    expect(keyFile.wrappers[0]).toMatchObject({ kind: 'token' });
    expect(['rsa-oaep-sha256', 'rsa-oaep-sha1', 'rsa-pkcs1-sign']).toContain(keyFile.wrappers[0]?.method);
    // About's token part follows the token-bound vault: ok while open, locked with it.
    expect((await must(core, 'app.health', {})).parts.token.state).toBe('ok');
    await must(core, 'vault.lock', {});
    expect((await must(core, 'app.health', {})).parts.token.state).toBe('locked');

    expect(await call(core, 'vault.unlock', { pin: '000000' })).toMatchObject({
      ok: false,
      error: { code: 'E_WRONG_SECRET' },
    });

    // A copy of the profile, with only token B inserted.
    const copy = mkdtempSync(join(tmpdir(), 'embassy-vault-copy-'));
    cpSync(profileDir, copy, { recursive: true });
    const thief = coreFor(copy, tokenB);
    const refused = await call(thief, 'vault.unlock', { pin: tokenB.pin });
    expect(refused).toMatchObject({ ok: false, error: { code: 'E_VAULT_OTHER_TOKEN' } });
    const message = refused.ok ? '' : refused.error.message;
    expect(message).toContain('officer-a');
    expect(message).toContain(created.token?.serial ?? '?');
    expect(message).toContain(created.token?.holder ?? '?');
    expect((await must(thief, 'vault.status', {})).token?.label).toBe('officer-a');

    // The same copy with the right token and PIN opens, with the data.
    const owner = coreFor(copy, tokenA);
    await must(owner, 'vault.unlock', { pin: tokenA.pin });
    expect((await must(owner, 'documents.get', { id: doc.id })).document.subject).toBe(
      'Token-bound document',
    );
  }, 60_000);

  it('binds to an EC key with ECDH, and locks within 2 s of the token leaving', async () => {
    const profileDir = mkdtempSync(join(tmpdir(), 'embassy-vault-ec-'));
    const locks: { reason: LockReason; at: number }[] = [];
    const core = coreFor(profileDir, tokenA, (reason) => locks.push({ reason, at: Date.now() }));
    await must(core, 'vault.create', {
      profile: 'token',
      modulePath: tokenA.modulePath,
      tokenLabel: tokenA.label,
      keyId: tokenA.keys.ec?.id ?? '03',
      pin: tokenA.pin,
    });
    const keyFile = JSON.parse(readFileSync(vaultPaths(profileDir).keyFile, 'utf8')) as {
      wrappers: { method: string }[];
    };
    expect(keyFile.wrappers[0]?.method).toBe('ecdh-p256');
    await must(core, 'vault.lock', {});
    await must(core, 'vault.unlock', { pin: tokenA.pin });
    await must(core, 'documents.add', { subject: 'EC-bound' });
    locks.length = 0;

    const removedAt = Date.now();
    await tokenA.removeToken();
    for (let i = 0; i < 40 && locks.length === 0; i++) await new Promise((r) => setTimeout(r, 100));
    expect(locks[0]?.reason).toBe('token-removed');
    expect((locks[0]?.at ?? Infinity) - removedAt).toBeLessThan(2000);
    expect((await must(core, 'vault.status', {})).state).toBe('locked');
    expect(await call(core, 'documents.list', {})).toMatchObject({
      ok: false,
      error: { code: 'E_VAULT_LOCKED' },
    });
  }, 60_000);
});
