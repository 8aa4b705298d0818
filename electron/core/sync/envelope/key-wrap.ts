import { concat } from '../../../../shared/encoding/bytes';
import { ascii } from '../../../../shared/encoding/text';
import {
  STREAM_AD_CONTEXT,
  WRAP_AD_CONTEXT,
  WRAP_KEY_CONTEXT,
} from '../../../../shared/sync/signing-contexts';
import { EnvelopeErrorCode } from '../../../../shared/sync/sync-error-codes';
import type { Sodium } from '../../vault';
import { EnvelopeError, fail } from './envelope-error';
import { KEY_BYTES, NONCE_BYTES, ZERO, type EnvelopeHeader, type EnvelopeKeyWrap } from './envelope-layout';

/**
 * Key agreement of an envelope: each recipient's copy of the content key, wrapped under a key
 * derived from the envelope's ephemeral key and the recipient's prekey, and the associated
 * data that binds the payload stream to the signed head.
 */

/** The ids every wrap is bound to. */
export interface WrapIds {
  envelopeId: string;
  senderDeviceId: string;
  recipientDeviceId: string;
  prekeyId: string;
}

/** `envelopeId ‖ 0 ‖ senderId ‖ 0 ‖ recipientId ‖ 0 ‖ prekeyId`: what every wrap is bound to. */
function boundIds(ids: WrapIds): Uint8Array[] {
  return [
    ascii(ids.envelopeId),
    ZERO,
    ascii(ids.senderDeviceId),
    ZERO,
    ascii(ids.recipientDeviceId),
    ZERO,
    ascii(ids.prekeyId),
  ];
}

function wrapAssociatedData(ids: WrapIds): Uint8Array {
  return concat([ascii(WRAP_AD_CONTEXT), ZERO, ...boundIds(ids)]);
}

/**
 * The wrapping key for one recipient: BLAKE2b-256 over
 * `"embassy/v1/wrap" ‖ 0 ‖ X25519(eph, prekey) ‖ eph_pk ‖ prekey_pk ‖ envelopeId ‖ 0 ‖
 * senderId ‖ 0 ‖ recipientId ‖ 0 ‖ prekeyId`. The caller zeroes the result.
 */
function deriveWrapKey(
  sodium: Sodium,
  ourSecretKey: Uint8Array,
  theirPublicKey: Uint8Array,
  ephemeralPublicKey: Uint8Array,
  prekeyPublicKey: Uint8Array,
  ids: WrapIds,
): Uint8Array {
  const shared = sodium.crypto_scalarmult(ourSecretKey, theirPublicKey);
  const input = concat([
    ascii(WRAP_KEY_CONTEXT),
    ZERO,
    shared,
    ephemeralPublicKey,
    prekeyPublicKey,
    ...boundIds(ids),
  ]);
  try {
    return sodium.crypto_generichash(KEY_BYTES, input, null);
  } finally {
    sodium.memzero(shared);
    sodium.memzero(input);
  }
}

/**
 * Wrap `contentKey` for one recipient's prekey with the envelope's ephemeral key pair.
 * Throws EnvelopeError('E_ENVELOPE_MALFORMED') for a prekey that is not a usable X25519 key.
 */
export function wrapContentKey(
  sodium: Sodium,
  contentKey: Uint8Array,
  ephemeral: { publicKey: Uint8Array; privateKey: Uint8Array },
  prekeyPublicKey: Uint8Array,
  ids: WrapIds,
): EnvelopeKeyWrap {
  let wrapKey: Uint8Array;
  try {
    wrapKey = deriveWrapKey(
      sodium,
      ephemeral.privateKey,
      prekeyPublicKey,
      ephemeral.publicKey,
      prekeyPublicKey,
      ids,
    );
  } catch {
    // libsodium refuses a low-order point: the recipient signed an unusable prekey.
    return fail(EnvelopeErrorCode.Malformed, 'cannot seal: a recipient prekey is not a usable X25519 key');
  }
  try {
    const nonce = sodium.randombytes_buf(NONCE_BYTES);
    const wrappedKey = sodium.crypto_aead_xchacha20poly1305_ietf_encrypt(
      contentKey,
      wrapAssociatedData(ids),
      null,
      nonce,
      wrapKey,
    );
    return { deviceId: ids.recipientDeviceId, prekeyId: ids.prekeyId, nonce, wrappedKey };
  } finally {
    sodium.memzero(wrapKey);
  }
}

/**
 * Unwrap the content key of `wrap` with an X25519 key pair (normally the recipient's prekey).
 * Throws EnvelopeError('E_ENVELOPE_DECRYPT') if that key pair is not the one it was wrapped
 * to. The caller zeroes the returned key.
 */
export function unwrapContentKey(
  sodium: Sodium,
  header: EnvelopeHeader,
  wrap: EnvelopeKeyWrap,
  secretKey: Uint8Array,
  publicKey: Uint8Array,
): Uint8Array {
  let wrapKey: Uint8Array | undefined;
  try {
    const ids: WrapIds = {
      envelopeId: header.envelopeId,
      senderDeviceId: header.senderDeviceId,
      recipientDeviceId: wrap.deviceId,
      prekeyId: wrap.prekeyId,
    };
    wrapKey = deriveWrapKey(
      sodium,
      secretKey,
      header.ephemeralPublicKey,
      header.ephemeralPublicKey,
      publicKey,
      ids,
    );
    const key = sodium.crypto_aead_xchacha20poly1305_ietf_decrypt(
      null,
      wrap.wrappedKey,
      wrapAssociatedData(ids),
      wrap.nonce,
      wrapKey,
    );
    if (key.length !== KEY_BYTES) {
      sodium.memzero(key);
      return fail(EnvelopeErrorCode.Decrypt, 'content key has the wrong size');
    }
    return key;
  } catch (e) {
    if (e instanceof EnvelopeError) throw e;
    return fail(EnvelopeErrorCode.Decrypt, 'the content key could not be unwrapped');
  } finally {
    if (wrapKey) sodium.memzero(wrapKey);
  }
}

/** Associated data of every secretstream chunk: binds the stream to this exact header. */
export function streamAssociatedData(sodium: Sodium, signedHead: Uint8Array): Uint8Array {
  return sodium.crypto_generichash(KEY_BYTES, concat([ascii(STREAM_AD_CONTEXT), ZERO, signedHead]), null);
}
