import { EnvelopeErrorCode } from '../../../../shared/sync/sync-error-codes';
import type { Sodium } from '../../vault';
import type { PrekeySecret } from '../device-keys';
import { deviceIdFromSignPublicKey } from '../prekeys';
import { fail } from './envelope-error';
import { parseEnvelopeFrame, type EnvelopeFrame } from './envelope-frame';
import { KEY_BYTES, STREAM_ABYTES, type EnvelopeHeader } from './envelope-layout';
import { envelopeSignatureValid } from './envelope-signature';
import { streamAssociatedData, unwrapContentKey } from './key-wrap';

export interface OpenContext {
  recipientDeviceId: string;
  /** My private prekeys still held. */
  prekeySecret(prekeyId: string): PrekeySecret | undefined;
  /** From the HQ-signed directory. */
  senderKey(deviceId: string): { signPublicKey: Uint8Array; revoked: boolean } | undefined;
  /** The sender device id the relay says sent it: must match the signed header. */
  claimedSender?: string;
}

export interface OpenedEnvelope {
  header: EnvelopeHeader;
  payload: Uint8Array;
}

/**
 * Authenticate and decrypt an envelope addressed to `ctx.recipientDeviceId`. In order:
 * framing (MALFORMED / VERSION), the relay's claimed sender (SENDER_MISMATCH), the sender's
 * key in the directory (SENDER_UNKNOWN / SENDER_REVOKED), the signature over every byte
 * (SIGNATURE) — before anything is decrypted — then my key wrap (NOT_FOR_ME), my prekey
 * secret (PREKEY_UNKNOWN), the unwrap and the stream (DECRYPT / TRUNCATED) and the payload
 * size (MALFORMED). On any failure no plaintext is returned and what was decrypted is zeroed.
 * Replay is the caller's check (the vault's seen-set, store/inbox.ts) on the returned,
 * authenticated header.
 */
export function openEnvelope(sodium: Sodium, bytes: Uint8Array, ctx: OpenContext): OpenedEnvelope {
  const frame = parseEnvelopeFrame(bytes);
  const { header } = frame;

  if (ctx.claimedSender !== undefined && ctx.claimedSender !== header.senderDeviceId) {
    fail(EnvelopeErrorCode.SenderMismatch, 'the relay says another device sent this envelope');
  }
  const sender = ctx.senderKey(header.senderDeviceId);
  if (
    !sender ||
    !(sender.signPublicKey instanceof Uint8Array) ||
    sender.signPublicKey.length !== sodium.crypto_sign_PUBLICKEYBYTES ||
    deviceIdFromSignPublicKey(sodium, sender.signPublicKey) !== header.senderDeviceId
  ) {
    return fail(EnvelopeErrorCode.SenderUnknown, 'the sender device is not in the directory');
  }
  if (sender.revoked !== false) fail(EnvelopeErrorCode.SenderRevoked, 'the sender device is revoked');

  if (!envelopeSignatureValid(sodium, bytes, frame, sender.signPublicKey)) {
    fail(EnvelopeErrorCode.Signature, 'the envelope signature does not verify');
  }

  const wrap = header.wraps.find((w) => w.deviceId === ctx.recipientDeviceId);
  if (!wrap) return fail(EnvelopeErrorCode.NotForMe, 'this envelope is not addressed to this device');
  const prekey = ctx.prekeySecret(wrap.prekeyId);
  if (
    !prekey ||
    prekey.prekeyId !== wrap.prekeyId ||
    !(prekey.secretKey instanceof Uint8Array) ||
    prekey.secretKey.length !== KEY_BYTES ||
    !(prekey.publicKey instanceof Uint8Array) ||
    prekey.publicKey.length !== KEY_BYTES
  ) {
    return fail(EnvelopeErrorCode.PrekeyUnknown, 'the prekey this envelope was sealed to is no longer held');
  }

  const contentKey = unwrapContentKey(sodium, header, wrap, prekey.secretKey, prekey.publicKey);
  try {
    return { header, payload: decryptStream(sodium, frame, bytes.subarray(0, frame.bodyStart), contentKey) };
  } finally {
    sodium.memzero(contentKey);
  }
}

function decryptStream(
  sodium: Sodium,
  frame: EnvelopeFrame,
  signedHead: Uint8Array,
  contentKey: Uint8Array,
): Uint8Array {
  const { payloadSize } = frame.header;
  const ad = streamAssociatedData(sodium, signedHead);
  // Never allocate more than the chunks can hold, whatever the (signed) header says; a size
  // that does not match what the stream yields is refused after the stream checks below.
  const capacity = frame.chunks.reduce((n, c) => n + c.length - STREAM_ABYTES, 0);
  const out = new Uint8Array(Math.min(payloadSize, capacity));
  let written = 0;
  let final = false;
  try {
    let state: ReturnType<Sodium['crypto_secretstream_xchacha20poly1305_init_pull']>;
    try {
      state = sodium.crypto_secretstream_xchacha20poly1305_init_pull(frame.streamHeader, contentKey);
    } catch {
      return fail(EnvelopeErrorCode.Decrypt, 'the payload stream cannot be opened');
    }
    for (const chunk of frame.chunks) {
      if (final) fail(EnvelopeErrorCode.Decrypt, 'data after the final chunk');
      let result: { message: Uint8Array; tag: number } | false;
      try {
        result = sodium.crypto_secretstream_xchacha20poly1305_pull(state, chunk, ad);
      } catch {
        result = false;
      }
      if (!result) return fail(EnvelopeErrorCode.Decrypt, 'a payload chunk does not decrypt');
      const { message, tag } = result;
      try {
        if (tag === sodium.crypto_secretstream_xchacha20poly1305_TAG_FINAL) final = true;
        else if (tag !== sodium.crypto_secretstream_xchacha20poly1305_TAG_MESSAGE) {
          fail(EnvelopeErrorCode.Decrypt, 'unexpected chunk tag');
        }
        if (message.length > out.length - written)
          fail(EnvelopeErrorCode.Malformed, 'payload larger than declared');
        out.set(message, written);
        written += message.length;
      } finally {
        sodium.memzero(message);
      }
    }
    if (!final) fail(EnvelopeErrorCode.Truncated, 'the payload stream ends without its final chunk');
    if (written !== payloadSize) fail(EnvelopeErrorCode.Malformed, 'payload smaller than declared');
    return out;
  } catch (e) {
    sodium.memzero(out);
    throw e;
  }
}
