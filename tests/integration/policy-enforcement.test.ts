import { execFileSync } from 'node:child_process';
import { createHash, X509Certificate } from 'node:crypto';
import { existsSync } from 'node:fs';
import { mkdir, mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createCore, type Core, type CoreOptions } from '../../electron/core';
import { itSodium, type ItKeyFile } from '../../electron/core/it-signing';
import { makeItKeys, policyPayload, rootPayload, signWith, writeRoot } from '../fixtures/it-keys';
import { createSoftHsmToken, SOFTHSM_MODULE, type SoftHsmToken } from '../fixtures/softhsm';
import { createTestTsa, serveTsa } from '../fixtures/tsa';
import { makePdf } from '../fixtures/verifiers';
import { call, must, PASSPHRASE } from './vault-harness';

/**
 * What a policy in force changes on a real core, with a real SoftHSM2 token: which token
 * libraries may load (a library outside the list never runs a single instruction), the settings
 * the officer may no longer change, and the trust anchors that let a fresh workstation sign.
 */
describe('policy in force', () => {
  let dir: string;
  let rootPath: string;
  let keys: ItKeyFile[];
  let token: SoftHsmToken;
  let evilLib: string;
  let marker: string;
  let emptyAnchors: string;
  const cores: Core[] = [];
  const saved = process.env.SOFTHSM2_CONF;
  const coreOn = (profileDir: string, extra: Partial<CoreOptions> = {}) => {
    const c = createCore({
      profileDir,
      version: 'test',
      policy: { pinnedRootPath: rootPath },
      ...extra,
      // The shipped anchors folder is left out: only what policy (or nothing) trusts counts.
      signing: { ...extra.signing, trust: { anchorsDir: emptyAnchors } },
    });
    cores.push(c);
    return c;
  };
  const apply = async (c: Core, version: number, overrides: Parameters<typeof policyPayload>[1] = {}) =>
    must(c, 'policy.import', {
      document: JSON.stringify(await signWith(policyPayload(version, overrides), keys.slice(0, 2))),
    });
  const code = (r: { ok: boolean; error?: { code: string } }) => (r.ok ? 'ok' : r.error?.code);

  beforeAll(async () => {
    dir = await mkdtemp(join(tmpdir(), 'embassy-policy-enf-'));
    emptyAnchors = join(dir, 'no-anchors');
    await mkdir(emptyAnchors);
    keys = await makeItKeys(2);
    rootPath = await writeRoot(dir, await signWith(rootPayload(keys, 2), keys));
    // A "driver" whose constructor leaves a mark: if it is ever loaded, the file appears.
    marker = join(dir, 'evil-was-loaded');
    const src = join(dir, 'evil.c');
    await writeFile(
      src,
      `#include <stdio.h>\n__attribute__((constructor)) static void mark(void) { FILE *f = fopen("${marker}", "w"); if (f) fclose(f); }\n`,
    );
    evilLib = join(dir, 'libevil-pkcs11.so');
    execFileSync('cc', ['-shared', '-fPIC', '-o', evilLib, src]);
    token = await createSoftHsmToken({ keys: ['ec'] });
    process.env.SOFTHSM2_CONF = token.confPath;
  }, 120_000);
  afterAll(async () => {
    for (const c of cores) await c.close();
    if (saved === undefined) delete process.env.SOFTHSM2_CONF;
    else process.env.SOFTHSM2_CONF = saved;
    await token?.cleanup();
    if (dir) await rm(dir, { recursive: true, force: true });
  });

  it('control: without a policy, naming the library is enough for the token process to load it', async () => {
    const c = coreOn(join(dir, 'p-control'), { signing: { modulePath: evilLib } });
    expect(code(await call(c, 'token.list', {}))).not.toBe('ok');
    expect(existsSync(marker)).toBe(true);
    await rm(marker);
  });

  it('a library outside the policy list is never loaded: settings, token listing, signing, vault creation', async () => {
    const profile = join(dir, 'p-driver');
    await apply(coreOn(profile), 1);
    const c = coreOn(profile, { signing: { modulePath: evilLib } });
    expect(code(await call(c, 'settings.update', { pkcs11Module: evilLib }))).toBe(
      'E_POLICY_DRIVER_NOT_ALLOWED',
    );
    expect((await must(c, 'settings.get', {})).pkcs11Module).toBeUndefined();
    expect(code(await call(c, 'token.list', {}))).toBe('E_POLICY_DRIVER_NOT_ALLOWED');
    const pdf = join(dir, 'a.pdf');
    await writeFile(pdf, await makePdf(1));
    const signed = await call(c, 'sign.files', {
      files: [{ path: pdf }],
      token: { label: token.label },
      pin: token.pin,
    });
    expect(signed.ok ? signed.value.results[0]?.error?.code : signed.error.code).toBe(
      'E_POLICY_DRIVER_NOT_ALLOWED',
    );
    const created = await call(c, 'vault.create', {
      profile: 'token',
      modulePath: evilLib,
      tokenLabel: token.label,
      pin: token.pin,
    });
    expect(code(created)).toBe('E_POLICY_DRIVER_NOT_ALLOWED');
    expect(existsSync(marker)).toBe(false);
    // The listed driver (by id from resources/pkcs11-modules.json) is accepted.
    expect((await must(c, 'settings.update', { pkcs11Module: SOFTHSM_MODULE })).pkcs11Module).toBe(
      SOFTHSM_MODULE,
    );
  });

  it('an exact path is allowed only while the library hashes to the SHA-256 IT named', async () => {
    const profile = join(dir, 'p-hash');
    const c = coreOn(profile);
    const sha256 = createHash('sha256')
      .update(await readFile(evilLib))
      .digest('hex');
    await apply(c, 1, { pkcs11: { allowed: [{ path: evilLib, sha256: '00'.repeat(32) }] } });
    expect(code(await call(c, 'settings.update', { pkcs11Module: evilLib }))).toBe(
      'E_POLICY_DRIVER_NOT_ALLOWED',
    );
    await apply(c, 2, { pkcs11: { allowed: [{ path: evilLib, sha256 }] } });
    expect(code(await call(c, 'settings.update', { pkcs11Module: evilLib }))).toBe('ok');
    expect(existsSync(marker)).toBe(false);
  });

  it('settings policy decides cannot be changed: idle delay, passphrase vaults, escrow', async () => {
    const c = coreOn(join(dir, 'p-settings'));
    expect((await must(c, 'vault.status', {})).idleTimeoutSeconds).toBe(600);
    const status = await apply(c, 1, { idleLockMinutes: 7, passphraseProfiles: false });
    expect(status.managed).toEqual(
      expect.arrayContaining(['idleLock', 'pkcs11Module', 'passphraseProfiles']),
    );
    expect((await must(c, 'vault.status', {})).idleTimeoutSeconds).toBe(420);
    const made = await call(c, 'vault.create', { profile: 'passphrase', passphrase: PASSPHRASE });
    expect(code(made)).toBe('E_POLICY_FORBIDS');
    expect((await must(c, 'vault.status', {})).state).toBe('absent');
    // Escrow: the vault key is sealed to the recovery key the policy names.
    const escrowKey = Buffer.from((await itSodium()).crypto_box_keypair().publicKey).toString('base64');
    await apply(c, 2, { idleLockMinutes: 7, passphraseProfiles: true, escrowKey });
    expect((await must(c, 'vault.create', { profile: 'passphrase', passphrase: PASSPHRASE })).escrow).toBe(
      true,
    );
    expect(code(await call(c, 'vault.configure', { idleTimeoutSeconds: 3600 }))).toBe('E_POLICY_SET_BY_IT');
    expect((await must(c, 'vault.status', {})).idleTimeoutSeconds).toBe(420);
  }, 60_000);

  it('a fresh workstation cannot sign, imports policy with the ministry root, then signs and verifies valid', async () => {
    const c = coreOn(join(dir, 'p-fresh'), { signing: { modulePath: token.modulePath } });
    const pdf = join(dir, 'letter.pdf');
    await writeFile(pdf, await makePdf(1));
    const input = {
      files: [{ path: pdf, output: join(dir, 'letter.signed.pdf') }],
      token: { label: token.label },
      pin: token.pin,
      format: 'pades' as const,
    };
    expect(code(await call(c, 'sign.files', input))).toBe('E_SIGN_CERT_UNTRUSTED');
    const anchor = new X509Certificate(token.ca.rootPem).raw.toString('base64');
    await apply(c, 1, { signing: { trustAnchors: [anchor], crls: [] } });
    const after = await must(c, 'sign.files', input);
    expect(after.results[0]).toMatchObject({ ok: true });
    const report = await must(c, 'verify.file', { path: join(dir, 'letter.signed.pdf') });
    expect(report.verdict).toBe('valid');
  }, 60_000);

  it("the TSA IT's policy names timestamps every signature, and the officer cannot change it", async () => {
    const c = coreOn(join(dir, 'p-tsa'), { signing: { modulePath: token.modulePath } });
    const server = await serveTsa(await createTestTsa(dir));
    try {
      // The officer's own TSA setting stands while no policy names one.
      await must(c, 'settings.update', { tsaUrl: 'http://127.0.0.1:9/tsa' });
      const anchor = new X509Certificate(token.ca.rootPem).raw.toString('base64');
      const before = await apply(c, 1, { signing: { trustAnchors: [anchor], crls: [] } });
      expect(before.managed).not.toContain('tsa');
      const status = await apply(c, 2, { signing: { trustAnchors: [anchor], crls: [] }, tsaUrl: server.url });
      expect(status.managed).toContain('tsa');
      expect(code(await call(c, 'settings.update', { tsaUrl: 'http://127.0.0.1:9/other' }))).toBe(
        'E_POLICY_SET_BY_IT',
      );
      expect((await must(c, 'settings.get', {})).tsaUrl).toBe('http://127.0.0.1:9/tsa');
      const pdf = join(dir, 'stamped.pdf');
      await writeFile(pdf, await makePdf(1));
      const signed = await must(c, 'sign.files', {
        files: [{ path: pdf, output: join(dir, 'stamped.signed.pdf') }],
        token: { label: token.label },
        pin: token.pin,
        format: 'pades' as const,
      });
      // The policy's TSA answered (the settings' one, port 9, cannot): B-T.
      expect(signed.results[0]).toMatchObject({ ok: true, level: 'B-T' });
      expect(server.requests()).toBe(1);
    } finally {
      await server.close();
    }
  }, 60_000);
});
