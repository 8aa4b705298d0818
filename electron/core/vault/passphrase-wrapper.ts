import { CoreError, ErrorCode } from '../../../shared/contract/errors';
import { ARGON2_MIN_MEMLIMIT, ARGON2_MIN_OPSLIMIT, wrapAad } from './key-file';
import type { KeyWrapper, PassphraseWrappedVaultKey } from './key-wrapper';
import type { Sodium } from './sodium';
import { asVaultKey } from './vault-key';

/** Argon2id cost. */
export interface Argon2Params {
  readonly opslimit: number;
  readonly memlimit: number;
}

/** libsodium's MODERATE (3 passes, 256 MiB): the floor; about 0.8 s on a laptop core. */
export const MODERATE: Argon2Params = { opslimit: ARGON2_MIN_OPSLIMIT, memlimit: ARGON2_MIN_MEMLIMIT };

/**
 * The passphrase profile (machines without a token only): Argon2id derives a wrapping key,
 * XChaCha20-Poly1305 wraps the vault key with the vault id and kind as associated data. Cost
 * and salt are recorded in the key file. Argon2id is slow by design, so the vault service
 * runs this inside the vault worker, never on the caller's event loop.
 */
export function createPassphraseWrapper(
  sodium: Sodium,
  params: Argon2Params = MODERATE,
): KeyWrapper<PassphraseWrappedVaultKey, Uint8Array> {
  if (params.opslimit < ARGON2_MIN_OPSLIMIT || params.memlimit < ARGON2_MIN_MEMLIMIT) {
    throw new Error('Argon2id parameters below MODERATE are refused');
  }
  const b64 = (bytes: Uint8Array) => sodium.to_base64(bytes, sodium.base64_variants.ORIGINAL);
  const unb64 = (text: string) => sodium.from_base64(text, sodium.base64_variants.ORIGINAL);
  const derive = (passphrase: Uint8Array, salt: Uint8Array, p: Argon2Params): Uint8Array =>
    sodium.crypto_pwhash(
      sodium.crypto_aead_xchacha20poly1305_ietf_KEYBYTES,
      passphrase,
      salt,
      p.opslimit,
      p.memlimit,
      sodium.crypto_pwhash_ALG_ARGON2ID13,
    );
  return {
    async wrap(key, passphrase, ctx) {
      const salt = sodium.randombytes_buf(sodium.crypto_pwhash_SALTBYTES);
      const nonce = sodium.randombytes_buf(sodium.crypto_aead_xchacha20poly1305_ietf_NPUBBYTES);
      const wrappingKey = derive(passphrase, salt, params);
      try {
        const ciphertext = sodium.crypto_aead_xchacha20poly1305_ietf_encrypt(
          key,
          wrapAad(ctx.vaultId, 'passphrase'),
          null,
          nonce,
          wrappingKey,
        );
        return {
          kind: 'passphrase',
          kdf: { alg: 'argon2id13', opslimit: params.opslimit, memlimit: params.memlimit, salt: b64(salt) },
          aead: { alg: 'xchacha20poly1305-ietf', nonce: b64(nonce), ciphertext: b64(ciphertext) },
        } as PassphraseWrappedVaultKey;
      } finally {
        sodium.memzero(wrappingKey);
      }
    },
    async unwrap(wrapped, passphrase, ctx) {
      // The recorded cost is used as is (bounded by the key-file schema: MODERATE..4 GiB).
      const wrappingKey = derive(passphrase, unb64(wrapped.kdf.salt), wrapped.kdf);
      let plain: Uint8Array;
      try {
        plain = sodium.crypto_aead_xchacha20poly1305_ietf_decrypt(
          null,
          unb64(wrapped.aead.ciphertext),
          wrapAad(ctx.vaultId, 'passphrase'),
          unb64(wrapped.aead.nonce),
          wrappingKey,
        );
      } catch {
        throw new CoreError(ErrorCode.WrongSecret, 'wrong passphrase');
      } finally {
        sodium.memzero(wrappingKey);
      }
      return asVaultKey(plain);
    },
  };
}
