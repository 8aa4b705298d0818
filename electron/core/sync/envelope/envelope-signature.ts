import { concat, u32be } from '../../../../shared/encoding/bytes';
import { ascii } from '../../../../shared/encoding/text';
import { ENVELOPE_CONTEXT } from '../../../../shared/sync/signing-contexts';
import { EnvelopeErrorCode } from '../../../../shared/sync/sync-error-codes';
import type { Sodium } from '../../vault';
import type { DeviceSignSecretKey } from '../device-keys';
import { fail } from './envelope-error';
import type { EnvelopeFrame } from './envelope-frame';
import { KEY_BYTES, MAX_ENVELOPE_BYTES, SIGNATURE_BYTES, ZERO } from './envelope-layout';

/**
 * The sender's signature over every byte of an envelope but the signature itself:
 * Ed25519 over `"embassy/v1/envelope" ‖ 0 ‖ prelude+header ‖ BLAKE2b-256(body)`.
 */

/** Incremental hashing step: libsodium.js copies each update into its WebAssembly heap. */
const HASH_STEP = 1024 * 1024;

function hashRange(sodium: Sodium, bytes: Uint8Array, start: number, end: number): Uint8Array {
  const state = sodium.crypto_generichash_init(null, KEY_BYTES);
  for (let at = start; at < end; at += HASH_STEP) {
    sodium.crypto_generichash_update(state, bytes.subarray(at, Math.min(end, at + HASH_STEP)));
  }
  return sodium.crypto_generichash_final(state, KEY_BYTES);
}

/** `"embassy/v1/envelope" ‖ 0 ‖ prelude+header ‖ BLAKE2b-256(body)`. */
function signedMessage(signedHead: Uint8Array, bodyHash: Uint8Array): Uint8Array {
  return concat([ascii(ENVELOPE_CONTEXT), ZERO, signedHead, bodyHash]);
}

/**
 * Frame and sign an envelope: `signedHead` (prelude + length + header) ‖ stream header ‖
 * each chunk with a u32 BE length ‖ Ed25519 signature.
 */
export function assembleEnvelope(
  sodium: Sodium,
  signSecretKey: DeviceSignSecretKey,
  signedHead: Uint8Array,
  streamHeader: Uint8Array,
  chunks: readonly Uint8Array[],
): Uint8Array {
  const bodyLength = streamHeader.length + chunks.reduce((n, c) => n + 4 + c.length, 0);
  const total = signedHead.length + bodyLength + SIGNATURE_BYTES;
  if (total > MAX_ENVELOPE_BYTES) fail(EnvelopeErrorCode.Malformed, 'envelope larger than the relay limit');
  const out = new Uint8Array(total);
  out.set(signedHead, 0);
  let at = signedHead.length;
  out.set(streamHeader, at);
  at += streamHeader.length;
  for (const c of chunks) {
    out.set(u32be(c.length), at);
    out.set(c, at + 4);
    at += 4 + c.length;
  }
  const bodyHash = hashRange(sodium, out, signedHead.length, at);
  out.set(sodium.crypto_sign_detached(signedMessage(signedHead, bodyHash), signSecretKey), at);
  return out;
}

/** Whether the frame's signature verifies with `signPublicKey` (never throws). */
export function envelopeSignatureValid(
  sodium: Sodium,
  bytes: Uint8Array,
  frame: EnvelopeFrame,
  signPublicKey: Uint8Array,
): boolean {
  const signedHead = bytes.subarray(0, frame.bodyStart);
  const bodyHash = hashRange(sodium, bytes, frame.bodyStart, frame.bodyEnd);
  try {
    return sodium.crypto_sign_verify_detached(
      frame.signature,
      signedMessage(signedHead, bodyHash),
      signPublicKey,
    );
  } catch {
    return false;
  }
}
