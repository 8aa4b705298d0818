import { ID_HEX } from '../../../../shared/sync/device-id';
import { EnvelopeErrorCode } from '../../../../shared/sync/sync-error-codes';
import type { Sodium } from '../../vault';
import type { DeviceKeys, DevicePrekey } from '../device-keys';
import {
  DEFAULT_PREKEY_POLICY,
  deviceIdFromSignPublicKey,
  isPrekeyFresh,
  type PrekeyPolicy,
  verifyPrekey,
} from '../prekeys';
import { fail } from './envelope-error';
import { encodeHeader, encodeSignedHead } from './envelope-frame';
import {
  ENVELOPE_CHUNK_SIZE,
  ENVELOPE_ID,
  ID_BYTES,
  KEY_BYTES,
  KIND_CODES,
  MAX_ENVELOPE_BYTES,
  MAX_RECIPIENTS,
  PRELUDE_BYTES,
  SIGNATURE_BYTES,
  STREAM_ABYTES,
  STREAM_HEADER_BYTES,
  WRAP_ENTRY_BYTES,
  DIRECTORY_HEAD_BYTES,
  type EnvelopeDirectoryHead,
  type EnvelopeKeyWrap,
  type EnvelopeKind,
} from './envelope-layout';
import { assembleEnvelope } from './envelope-signature';
import { streamAssociatedData, wrapContentKey } from './key-wrap';

export interface EnvelopeRecipient {
  deviceId: string;
  signPublicKey: Uint8Array;
  prekey: DevicePrekey;
}

export interface SealInput {
  sender: DeviceKeys;
  /** [A-Za-z0-9_-]{8,128}, unique per sender (the relay's idempotency key). */
  envelopeId: string;
  /** Per-sender monotonic, >= 1. */
  seq: number;
  /** ms since epoch; also the "now" against which recipient prekeys must be fresh. */
  createdAt: number;
  kind: EnvelopeKind;
  /** 1..64 distinct devices. */
  recipients: readonly EnvelopeRecipient[];
  payload: Uint8Array;
  /** Recipient prekeys older than rotateEveryMs + graceMs are refused. Default DEFAULT_PREKEY_POLICY. */
  prekeyPolicy?: PrekeyPolicy;
  /**
   * The directory version the sender holds: sealed as version 2 with it in the signed header,
   * so the recipient can compare it with its own (split-view detection); absent: version 1.
   */
  directoryHead?: EnvelopeDirectoryHead;
}

function checkSealInput(sodium: Sodium, input: SealInput): void {
  const bad = (why: string) => fail(EnvelopeErrorCode.Malformed, `cannot seal: ${why}`);
  const { sender } = input;
  if (
    !(sender.signPublicKey instanceof Uint8Array) ||
    sender.signPublicKey.length !== sodium.crypto_sign_PUBLICKEYBYTES ||
    !(sender.signSecretKey instanceof Uint8Array) ||
    sender.signSecretKey.length !== sodium.crypto_sign_SECRETKEYBYTES ||
    deviceIdFromSignPublicKey(sodium, sender.signPublicKey) !== sender.deviceId
  ) {
    bad('sender keys do not match the sender device id');
  }
  if (typeof input.envelopeId !== 'string' || !ENVELOPE_ID.test(input.envelopeId)) bad('invalid envelope id');
  if (!Number.isSafeInteger(input.seq) || input.seq < 1) bad('seq must be an integer >= 1');
  if (!Number.isSafeInteger(input.createdAt) || input.createdAt < 0) bad('createdAt must be ms since epoch');
  if (!Object.hasOwn(KIND_CODES, input.kind)) bad('unknown kind');
  if (!(input.payload instanceof Uint8Array)) bad('payload must be bytes');
  if (input.recipients.length < 1 || input.recipients.length > MAX_RECIPIENTS) bad('1 to 64 recipients');
  const seen = new Set<string>();
  for (const r of input.recipients) {
    if (!ID_HEX.test(r.deviceId)) bad('invalid recipient device id');
    if (seen.has(r.deviceId)) bad('duplicate recipient');
    seen.add(r.deviceId);
  }
  // Every recipient prekey must be signed by that recipient's device key (whose id it is),
  // or we would encrypt to a key the relay made up.
  for (const r of input.recipients) {
    if (r.prekey.deviceId !== r.deviceId || !verifyPrekey(sodium, r.prekey, r.signPublicKey)) {
      fail(EnvelopeErrorCode.Signature, 'cannot seal: a recipient prekey is not signed by that recipient');
    }
  }
  const policy = input.prekeyPolicy ?? DEFAULT_PREKEY_POLICY;
  for (const r of input.recipients) {
    if (!isPrekeyFresh(r.prekey, input.createdAt, policy)) {
      fail(
        EnvelopeErrorCode.PrekeyStale,
        'cannot seal: a recipient prekey is too old (or dated in the future)',
      );
    }
  }
}

/**
 * Encrypt `input.payload` for every recipient and sign it as `input.sender`. Throws
 * EnvelopeError: E_ENVELOPE_SIGNATURE for a recipient prekey that does not verify,
 * E_ENVELOPE_PREKEY_STALE for one that is too old, E_ENVELOPE_MALFORMED for bad input.
 */
export function sealEnvelope(sodium: Sodium, input: SealInput): Uint8Array {
  checkSealInput(sodium, input);
  const { payload } = input;
  const chunkSize = ENVELOPE_CHUNK_SIZE;
  const chunkCount = Math.max(1, Math.ceil(payload.length / chunkSize));
  // Check the final size before any work: the header is at most MAX_HEADER_BYTES.
  const headBound =
    PRELUDE_BYTES +
    4 +
    1 +
    1 +
    input.envelopeId.length +
    ID_BYTES +
    8 +
    8 +
    8 +
    4 +
    (input.directoryHead ? DIRECTORY_HEAD_BYTES : 0);
  const size =
    headBound +
    KEY_BYTES +
    1 +
    input.recipients.length * WRAP_ENTRY_BYTES +
    STREAM_HEADER_BYTES +
    chunkCount * (4 + STREAM_ABYTES) +
    payload.length +
    SIGNATURE_BYTES;
  if (size > MAX_ENVELOPE_BYTES)
    fail(EnvelopeErrorCode.Malformed, 'cannot seal: payload too large for one envelope');

  const contentKey = sodium.crypto_secretstream_xchacha20poly1305_keygen();
  const ephemeral = sodium.crypto_box_keypair();
  try {
    const wraps: EnvelopeKeyWrap[] = input.recipients.map((r) =>
      wrapContentKey(sodium, contentKey, ephemeral, r.prekey.publicKey, {
        envelopeId: input.envelopeId,
        senderDeviceId: input.sender.deviceId,
        recipientDeviceId: r.deviceId,
        prekeyId: r.prekey.prekeyId,
      }),
    );
    const signedHead = encodeSignedHead(
      encodeHeader({
        envelopeId: input.envelopeId,
        senderDeviceId: input.sender.deviceId,
        seq: input.seq,
        createdAt: input.createdAt,
        kind: input.kind,
        payloadSize: payload.length,
        chunkSize,
        ephemeralPublicKey: ephemeral.publicKey,
        wraps,
        ...(input.directoryHead ? { directoryHead: input.directoryHead } : {}),
      }),
      input.directoryHead ? 2 : 1,
    );
    const ad = streamAssociatedData(sodium, signedHead);
    const { state, header: streamHeader } =
      sodium.crypto_secretstream_xchacha20poly1305_init_push(contentKey);
    const chunks: Uint8Array[] = [];
    for (let i = 0; i < chunkCount; i++) {
      const last = i === chunkCount - 1;
      chunks.push(
        sodium.crypto_secretstream_xchacha20poly1305_push(
          state,
          payload.subarray(i * chunkSize, Math.min(payload.length, (i + 1) * chunkSize)),
          ad,
          last
            ? sodium.crypto_secretstream_xchacha20poly1305_TAG_FINAL
            : sodium.crypto_secretstream_xchacha20poly1305_TAG_MESSAGE,
        ),
      );
    }
    return assembleEnvelope(sodium, input.sender.signSecretKey, signedHead, streamHeader, chunks);
  } finally {
    sodium.memzero(contentKey);
    sodium.memzero(ephemeral.privateKey);
  }
}
