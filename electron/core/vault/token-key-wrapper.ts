import { constants, createECDH, createHash, publicEncrypt, verify, X509Certificate } from 'node:crypto';
import { CoreError, ErrorCode } from '../../../shared/contract/errors';
import type { TokenClient, TokenInfo, TokenSession } from '../token';
import { wrapAad, type TokenWrapperRecord } from './key-file';
import type { TokenWrappedVaultKey, WrapContext } from './key-wrapper';
import type { Sodium } from './sodium';
import type { TokenKeyWrapper, TokenUnlockSecret } from './token-wrapper';
import { asVaultKey, type VaultKey } from './vault-key';

/**
 * The vault key bound to the officer's token, on top of the token layer (the token process;
 * this module never loads pkcs11js). Methods, chosen at creation and recorded in the key file:
 *
 * - `rsa-oaep-sha256` / `rsa-oaep-sha1`: the vault key encrypted (OpenSSL, in software) to the
 *   certificate's RSA public key; only the token's private key decrypts it. SHA-1 OAEP is used
 *   only when the token lacks SHA-256 OAEP (SoftHSM 2.6); OAEP-SHA1 remains sound for this.
 * - `ecdh-p256`: an ephemeral P-256 key agreed with the token's EC key; the shared secret is
 *   hashed (BLAKE2b, domain-separated) into a wrapping key for XChaCha20-Poly1305.
 * - `rsa-pkcs1-sign`: for a key that may only sign. The token signs a per-vault random
 *   challenge with RSA PKCS#1 v1.5 (deterministic: same key and message, same signature); the
 *   signature, hashed with the vault id, is the wrapping key. Trade-off (docs/protocols/key-file-v1.md):
 *   the signature itself becomes a long-term secret — anyone who ever obtains that one
 *   signature (a malicious app on the machine while the token is in, or a signing oracle that
 *   signs arbitrary data) can unwrap without the token, and the domain string is what keeps
 *   ordinary document signatures from ever being that value.
 *
 * Every creation unwraps once on the token before the key file is written, so a vault the
 * token cannot open is never created.
 */

const DOMAIN_ECDH = 'embassy-vault ecdh-p256 v1|';
const DOMAIN_SIGN = 'embassy-vault token-sign challenge v1|';
const DOMAIN_SIGN_KEY = 'embassy-vault token-sign key v1|';

export interface TokenKeyWrapperOptions {
  /** Starts (or reuses) the token process for a PKCS#11 module. */
  readonly startClient: (modulePath: string) => Promise<TokenClient>;
  readonly sodium: () => Promise<Sodium>;
}

interface BoundKey {
  readonly id: string;
  readonly keyType: 'rsa' | 'ec';
  readonly cert: X509Certificate;
  readonly fingerprint: string;
  readonly holder: string;
}

function holderOf(cert: X509Certificate): string {
  const cn = /(?:^|\n)CN=([^\n]+)/.exec(cert.subject)?.[1];
  return (cn ?? cert.subject).slice(0, 300);
}

function b64(bytes: Uint8Array): string {
  return Buffer.from(bytes).toString('base64');
}

function describeToken(w: TokenWrapperRecord): string {
  return `token "${w.token.label}" (serial ${w.token.serial}), certificate of ${w.key.holder}`;
}

export function createTokenKeyWrapper(options: TokenKeyWrapperOptions): TokenKeyWrapper {
  const clients = new Map<string, Promise<TokenClient>>();
  let unwatch: (() => void) | null = null;

  const client = (modulePath: string): Promise<TokenClient> => {
    let c = clients.get(modulePath);
    if (!c) {
      c = options.startClient(modulePath);
      clients.set(modulePath, c);
      c.catch(() => clients.delete(modulePath));
    }
    return c;
  };

  /** One PIN login for one operation; the session is closed whatever happens. */
  async function withSession<T>(
    c: TokenClient,
    token: { label?: string; serial?: string },
    pin: string,
    fn: (s: TokenSession) => Promise<T>,
  ): Promise<T> {
    let session: TokenSession;
    try {
      session = await c.login(
        token.serial ? { serial: token.serial } : { label: token.label as string },
        pin,
      );
    } catch (e) {
      // The vault speaks one code for a wrong secret; the token's tries hint stays in the message.
      if ((e as { code?: unknown }).code === ErrorCode.TokenPinIncorrect) {
        throw new CoreError(ErrorCode.WrongSecret, (e as Error).message);
      }
      throw e;
    }
    try {
      return await fn(session);
    } finally {
      await session.logout().catch(() => undefined);
    }
  }

  async function findKey(c: TokenClient, token: TokenInfo, keyId: string | undefined): Promise<BoundKey> {
    const { certificates, publicKeys } = await c.listObjects({ serial: token.serial });
    const candidates = publicKeys
      .filter((k) => keyId === undefined || k.id === keyId.toLowerCase())
      .filter((k) => certificates.some((cert) => cert.id === k.id))
      .filter((k) => k.keyType === 'rsa' || k.curve === undefined || k.curve === '1.2.840.10045.3.1.7');
    // Default: the first RSA key with a certificate (OAEP is the strongest binding), else EC.
    const key = candidates.find((k) => k.keyType === 'rsa') ?? candidates[0];
    if (!key) throw new CoreError(ErrorCode.TokenKeyNotFound, 'no key pair with a certificate on the token');
    const der = certificates.find((cert) => cert.id === key.id)?.der ?? '';
    const cert = new X509Certificate(Buffer.from(der, 'base64'));
    return {
      id: key.id,
      keyType: key.keyType,
      cert,
      fingerprint: createHash('sha256').update(cert.raw).digest('hex'),
      holder: holderOf(cert),
    };
  }

  function ecPoint(cert: X509Certificate): Buffer {
    const jwk = cert.publicKey.export({ format: 'jwk' });
    if (jwk.crv !== 'P-256' || !jwk.x || !jwk.y)
      throw new CoreError(ErrorCode.TokenMechanismUnsupported, 'only P-256 EC keys');
    return Buffer.concat([
      Buffer.from([4]),
      Buffer.from(jwk.x, 'base64url'),
      Buffer.from(jwk.y, 'base64url'),
    ]);
  }

  async function derivedKey(
    domain: string,
    vaultId: string,
    parts: readonly Uint8Array[],
  ): Promise<Uint8Array> {
    const s = await options.sodium();
    const input = Buffer.concat([Buffer.from(`${domain}${vaultId}|`), ...parts.map((p) => Buffer.from(p))]);
    try {
      return s.crypto_generichash(32, input, null);
    } finally {
      input.fill(0);
    }
  }

  async function seal(key: Uint8Array, wrappingKey: Uint8Array, vaultId: string) {
    const s = await options.sodium();
    const nonce = s.randombytes_buf(s.crypto_aead_xchacha20poly1305_ietf_NPUBBYTES);
    const ciphertext = s.crypto_aead_xchacha20poly1305_ietf_encrypt(
      key,
      wrapAad(vaultId, 'token'),
      null,
      nonce,
      wrappingKey,
    );
    s.memzero(wrappingKey);
    return { alg: 'xchacha20poly1305-ietf' as const, nonce: b64(nonce), ciphertext: b64(ciphertext) };
  }

  async function open(
    aead: NonNullable<TokenWrapperRecord['aead']>,
    wrappingKey: Uint8Array,
    vaultId: string,
  ): Promise<VaultKey> {
    const s = await options.sodium();
    try {
      const plain = s.crypto_aead_xchacha20poly1305_ietf_decrypt(
        null,
        Buffer.from(aead.ciphertext, 'base64'),
        wrapAad(vaultId, 'token'),
        Buffer.from(aead.nonce, 'base64'),
        wrappingKey,
      );
      return asVaultKey(plain);
    } catch {
      throw new CoreError(
        ErrorCode.VaultCorrupt,
        'the token did not unwrap the vault key (damaged key file)',
      );
    } finally {
      s.memzero(wrappingKey);
    }
  }

  /** The token-side half of unwrapping, for a session on the right token. */
  async function unwrapWith(
    session: TokenSession,
    w: TokenWrapperRecord,
    vaultId: string,
  ): Promise<VaultKey> {
    switch (w.method) {
      case 'rsa-oaep-sha256':
      case 'rsa-oaep-sha1': {
        const plain = await session.decryptOaep(
          w.key.id,
          Buffer.from(w.ciphertext ?? '', 'base64'),
          w.method === 'rsa-oaep-sha256' ? 'sha256' : 'sha1',
        );
        return asVaultKey(plain);
      }
      case 'ecdh-p256': {
        const peer = Buffer.from(w.ephemeralPublicKey ?? '', 'base64');
        const shared = await session.deriveEcdh(w.key.id, peer);
        const wrappingKey = await derivedKey(DOMAIN_ECDH, vaultId, [peer, shared]);
        shared.fill(0);
        return open(
          w.aead ?? { alg: 'xchacha20poly1305-ietf', nonce: '', ciphertext: '' },
          wrappingKey,
          vaultId,
        );
      }
      case 'rsa-pkcs1-sign': {
        const challenge = Buffer.from(w.challenge ?? '', 'base64');
        const signature = await session.signChallenge(
          w.key.id,
          'rsa',
          Buffer.concat([Buffer.from(`${DOMAIN_SIGN}${vaultId}|`), challenge]),
        );
        const wrappingKey = await derivedKey(DOMAIN_SIGN_KEY, vaultId, [signature]);
        signature.fill(0);
        return open(
          w.aead ?? { alg: 'xchacha20poly1305-ietf', nonce: '', ciphertext: '' },
          wrappingKey,
          vaultId,
        );
      }
    }
  }

  /** Refuses another token before any PIN is spent on it. */
  async function requireVaultToken(c: TokenClient, w: TokenWrapperRecord): Promise<TokenInfo> {
    const tokens = await c.listTokens();
    const mine = tokens.find((t) => t.serial === w.token.serial);
    if (mine) return mine;
    if (tokens.length > 0) {
      const present = tokens.map((t) => `"${t.label}" (serial ${t.serial})`).join(', ');
      throw new CoreError(
        ErrorCode.VaultOtherToken,
        `this vault belongs to ${describeToken(w)}; inserted: ${present}`,
      );
    }
    throw new CoreError(ErrorCode.TokenNotPresent, `insert ${describeToken(w)}`);
  }

  return {
    async wrap(key: VaultKey, secret: TokenUnlockSecret, ctx: WrapContext): Promise<TokenWrappedVaultKey> {
      const c = await client(secret.modulePath);
      const token = (await c.listTokens()).find((t) => t.label === secret.tokenLabel);
      if (!token) throw new CoreError(ErrorCode.TokenNotPresent, `no token labelled "${secret.tokenLabel}"`);
      const bound = await findKey(c, token, secret.keyId);
      const base = {
        kind: 'token' as const,
        token: {
          label: token.label,
          serial: token.serial,
          manufacturer: token.manufacturer,
          model: token.model,
        },
        key: { id: bound.id, certFingerprint: bound.fingerprint, holder: bound.holder },
        modulePath: secret.modulePath,
      };
      return withSession(c, { serial: token.serial }, secret.pin, async (session) => {
        const attempts: (() => Promise<TokenWrapperRecord>)[] = [];
        if (bound.keyType === 'ec') {
          attempts.push(async () => {
            const eph = createECDH('prime256v1');
            eph.generateKeys();
            const peer = eph.getPublicKey();
            const shared = eph.computeSecret(ecPoint(bound.cert));
            const wrappingKey = await derivedKey(DOMAIN_ECDH, ctx.vaultId, [peer, shared]);
            shared.fill(0);
            return {
              ...base,
              method: 'ecdh-p256',
              ephemeralPublicKey: b64(peer),
              aead: await seal(key, wrappingKey, ctx.vaultId),
            };
          });
        } else {
          for (const hash of ['sha256', 'sha1'] as const) {
            attempts.push(async () => ({
              ...base,
              method: hash === 'sha256' ? 'rsa-oaep-sha256' : 'rsa-oaep-sha1',
              ciphertext: b64(
                publicEncrypt(
                  { key: bound.cert.publicKey, padding: constants.RSA_PKCS1_OAEP_PADDING, oaepHash: hash },
                  key,
                ),
              ),
            }));
          }
          attempts.push(async () => {
            const s = await options.sodium();
            const challenge = s.randombytes_buf(32);
            const message = Buffer.concat([Buffer.from(`${DOMAIN_SIGN}${ctx.vaultId}|`), challenge]);
            const signature = await session.signChallenge(bound.id, 'rsa', message);
            if (
              !verify(
                'sha256',
                message,
                { key: bound.cert.publicKey, padding: constants.RSA_PKCS1_PADDING },
                signature,
              )
            ) {
              throw new CoreError(
                ErrorCode.TokenDeviceError,
                'the token signature does not match its certificate',
              );
            }
            const wrappingKey = await derivedKey(DOMAIN_SIGN_KEY, ctx.vaultId, [signature]);
            signature.fill(0);
            return {
              ...base,
              method: 'rsa-pkcs1-sign',
              challenge: b64(challenge),
              aead: await seal(key, wrappingKey, ctx.vaultId),
            };
          });
        }
        // Each method is proven by a real unwrap on the token before it is accepted; the
        // strongest that works wins. A wrong PIN never gets here (login failed above).
        let lastError: unknown = null;
        for (const attempt of attempts) {
          try {
            const record = await attempt();
            const back = await unwrapWith(session, record, ctx.vaultId);
            const same = Buffer.from(back).equals(Buffer.from(key));
            back.fill(0);
            if (same) return record as TokenWrappedVaultKey;
          } catch (e) {
            lastError = e;
          }
        }
        throw lastError instanceof CoreError
          ? lastError
          : new CoreError(ErrorCode.TokenMechanismUnsupported, 'the token cannot protect the vault key');
      });
    },

    async unwrap(
      wrapped: TokenWrappedVaultKey,
      secret: TokenUnlockSecret,
      ctx: WrapContext,
    ): Promise<VaultKey> {
      const c = await client(secret.modulePath);
      const token = await requireVaultToken(c, wrapped);
      return withSession(c, { serial: token.serial }, secret.pin, async (session) => {
        // Same serial but another certificate under that id (re-issued or replaced token): say so.
        const { certificates } = await c.listObjects({ serial: token.serial });
        const der = certificates.find((cert) => cert.id === wrapped.key.id)?.der;
        const fingerprint = der ? createHash('sha256').update(Buffer.from(der, 'base64')).digest('hex') : '';
        if (fingerprint !== wrapped.key.certFingerprint) {
          throw new CoreError(
            ErrorCode.VaultOtherToken,
            `this vault belongs to ${describeToken(wrapped)}; the certificate on this token differs`,
          );
        }
        return unwrapWith(session, wrapped, ctx.vaultId);
      });
    },

    watchRemoval(wrapped, onRemoved) {
      unwatch?.();
      void client(wrapped.modulePath).then((c) => {
        // The token process polls the slot list (≤ 1 s); removal locks within 2 s.
        unwatch = c.onTokensChanged((tokens) => {
          if (!tokens.some((t) => t.serial === wrapped.token.serial)) onRemoved();
        });
      });
    },

    stopWatching() {
      unwatch?.();
      unwatch = null;
      // The token process is only needed while unlocked (removal polling); end it with the session.
      const all = [...clients.values()];
      clients.clear();
      for (const c of all) void c.then((x) => x.close()).catch(() => undefined);
    },
  };
}
