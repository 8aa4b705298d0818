import { constants, createECDH, publicEncrypt, verify, X509Certificate } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startTokenHost, type TokenClient } from '../../electron/core/token';
import { createSoftHsmToken, type SoftHsmToken } from '../fixtures/softhsm';

/** The token process against a real SoftHSM2 token: no mocks. */
describe('token host (SoftHSM2)', () => {
  let token: SoftHsmToken;
  let client: TokenClient;

  beforeAll(async () => {
    token = await createSoftHsmToken({ keys: ['rsa', 'pss', 'ec'] });
    client = await startTokenHost({ modulePath: token.modulePath, env: token.env, pollMs: 200 });
  }, 60_000);
  afterAll(async () => {
    await client?.close();
    await token?.cleanup();
  });

  it('lists the token by label with its flags, and its certificates and keys by CKA_ID', async () => {
    const tokens = await client.listTokens();
    const t = tokens.find((x) => x.label === token.label);
    expect(t).toBeDefined();
    expect(t?.manufacturer).toContain('SoftHSM');
    expect(t?.flags.loginRequired).toBe(true);
    expect(t?.flags.pinLocked).toBe(false);
    const objects = await client.listObjects({ label: token.label });
    expect(objects.certificates.map((c) => c.id).sort()).toEqual(['01', '02', '03', 'ca01']);
    const keys = Object.fromEntries(objects.publicKeys.map((k) => [k.id, k]));
    expect(keys['01']).toMatchObject({ keyType: 'rsa', bits: 2048 });
    expect(keys['03']).toMatchObject({ keyType: 'ec', bits: 256, curve: '1.2.840.10045.3.1.7' });
  });

  it('finds the token by serial too', async () => {
    const [t] = (await client.listTokens()).filter((x) => x.label === token.label);
    const objects = await client.listObjects({ serial: t?.serial ?? 'none' });
    expect(objects.certificates.length).toBe(4);
  });

  it('signs with RSA PKCS#1 v1.5, RSA-PSS and ECDSA P-256; node:crypto verifies with the certificates', async () => {
    const session = await client.login({ label: token.label }, token.pin);
    const data = Buffer.from('sign me: chữ ký số');
    const pub = (kind: 'rsa' | 'pss' | 'ec') =>
      new X509Certificate(token.keys[kind]?.certPem ?? '').publicKey;
    const rsa = await session.sign('01', 'rsa-pkcs1-sha256', data);
    expect(verify('sha256', data, pub('rsa'), rsa)).toBe(true);
    const pss = await session.sign('02', 'rsa-pss-sha256', data);
    expect(
      verify(
        'sha256',
        data,
        { key: pub('pss'), padding: constants.RSA_PKCS1_PSS_PADDING, saltLength: 32 },
        pss,
      ),
    ).toBe(true);
    const ec = await session.sign('03', 'ecdsa-sha256', data);
    expect(ec[0]).toBe(0x30); // DER, not raw r‖s
    expect(verify('sha256', data, { key: pub('ec'), dsaEncoding: 'der' }, ec)).toBe(true);
    const challenge = await session.signChallenge('03', 'ec', Buffer.from('nonce'));
    expect(verify('sha256', Buffer.from('nonce'), { key: pub('ec'), dsaEncoding: 'der' }, challenge)).toBe(
      true,
    );
    await session.logout();
    await expect(session.sign('01', 'rsa-pkcs1-sha256', data)).rejects.toMatchObject({
      code: 'E_TOKEN_SESSION_CLOSED',
    });
  });

  it('RSA-OAEP: the token decrypts what node encrypted to its certificate, and encrypts', async () => {
    const session = await client.login({ label: token.label }, token.pin);
    const pub = new X509Certificate(token.keys.rsa?.certPem ?? '').publicKey;
    const secret = Buffer.alloc(32, 7);
    for (const hash of ['sha1', 'sha256'] as const) {
      const ct = publicEncrypt(
        { key: pub, padding: constants.RSA_PKCS1_OAEP_PADDING, oaepHash: hash },
        secret,
      );
      const decrypted = await session.decryptOaep('01', ct, hash).catch((e: { code: string }) => e.code);
      if (hash === 'sha1') expect(decrypted).toEqual(secret);
      // SoftHSM 2.6 accepts only SHA-1 for OAEP; a real token may do SHA-256. Either way typed.
      else
        expect(Buffer.isBuffer(decrypted) ? 'ok' : decrypted).toMatch(
          /^(ok|E_TOKEN_MECHANISM_UNSUPPORTED|E_TOKEN_DEVICE_ERROR)$/,
        );
    }
    const roundTrip = await session.decryptOaep(
      '01',
      await session.encryptOaep('01', secret, 'sha1'),
      'sha1',
    );
    expect(roundTrip).toEqual(secret);
    await session.logout();
  });

  it('ECDH: the token derives the same secret as node with an ephemeral key', async () => {
    const session = await client.login({ label: token.label }, token.pin);
    const tokenPub = new X509Certificate(token.keys.ec?.certPem ?? '').publicKey;
    const jwk = tokenPub.export({ format: 'jwk' });
    const point = Buffer.concat([
      Buffer.from([4]),
      Buffer.from(jwk.x ?? '', 'base64url'),
      Buffer.from(jwk.y ?? '', 'base64url'),
    ]);
    const eph = createECDH('prime256v1');
    eph.generateKeys();
    const ours = eph.computeSecret(point);
    const theirs = await session.deriveEcdh('03', eph.getPublicKey());
    expect(theirs).toEqual(ours);
    await session.logout();
  });

  it('a second login while a session is open is refused as busy, without a C_Login', async () => {
    const session = await client.login({ label: token.label }, token.pin);
    const before = await client.loginAttempts();
    await expect(client.login({ label: token.label }, 'wrong-pin')).rejects.toMatchObject({
      code: 'E_TOKEN_BUSY',
    });
    expect(await client.loginAttempts()).toBe(before);
    await session.logout();
  });

  it('an unknown key id is a typed error', async () => {
    const session = await client.login({ label: token.label }, token.pin);
    await expect(session.sign('99', 'rsa-pkcs1-sha256', Buffer.from('x'))).rejects.toMatchObject({
      code: 'E_TOKEN_KEY_NOT_FOUND',
    });
    await session.logout();
  });

  it('an unknown label is E_TOKEN_NOT_PRESENT; a missing module is E_TOKEN_MODULE_UNAVAILABLE', async () => {
    await expect(client.login({ label: 'no-such-token' }, '1234')).rejects.toMatchObject({
      code: 'E_TOKEN_NOT_PRESENT',
    });
    await expect(
      startTokenHost({ modulePath: '/nonexistent/libnothing.so', env: token.env }),
    ).rejects.toMatchObject({
      code: 'E_TOKEN_MODULE_UNAVAILABLE',
    });
  });
});

describe('token host: wrong PIN and removal', () => {
  it('a wrong PIN fails with E_TOKEN_PIN_INCORRECT after exactly one C_Login, never retried', async () => {
    const token = await createSoftHsmToken({ keys: [] });
    const client = await startTokenHost({ modulePath: token.modulePath, env: token.env });
    try {
      const e = await client.login({ label: token.label }, '000000').catch((x: unknown) => x);
      expect(e).toMatchObject({ code: 'E_TOKEN_PIN_INCORRECT', ckr: 'CKR_PIN_INCORRECT' });
      expect(String((e as Error).message)).not.toContain('000000');
      expect(await client.loginAttempts()).toBe(1);
    } finally {
      await client.close();
      await token.cleanup();
    }
  }, 30_000);

  it('notices the token leaving the slot list within 2 s; its session then answers E_TOKEN_REMOVED', async () => {
    const token = await createSoftHsmToken({ keys: ['ec'] });
    const client = await startTokenHost({ modulePath: token.modulePath, env: token.env, pollMs: 500 });
    try {
      const session = await client.login({ label: token.label }, token.pin);
      expect(client.currentTokens().some((t) => t.label === token.label)).toBe(true);
      const gone = new Promise<number>((resolve) => {
        const t0 = Date.now();
        client.onTokensChanged((tokens) => {
          if (!tokens.some((t) => t.label === token.label)) resolve(Date.now() - t0);
        });
      });
      await token.removeToken();
      const ms = await gone;
      expect(ms).toBeLessThan(2000);
      await expect(session.sign('03', 'ecdsa-sha256', Buffer.from('x'))).rejects.toMatchObject({
        code: 'E_TOKEN_REMOVED',
      });
    } finally {
      await client.close();
      await token.cleanup();
    }
  }, 30_000);
});
