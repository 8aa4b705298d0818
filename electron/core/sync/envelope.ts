import { type Sodium } from '../vault';
import { ascii, ByteReader, concat, fromHex, toHex, u32be, u64be } from './bytes';
import {
  DEFAULT_PREKEY_POLICY,
  deviceIdFromSignPublicKey,
  ID_BYTES,
  isPrekeyFresh,
  type PrekeyPolicy,
  verifyPrekey,
} from './prekeys';

/**
 * End-to-end envelopes, version 1: pure cryptography over bytes, no I/O. The byte layout,
 * what is signed and why it gives forward secrecy are in docs/architecture.md,
 * "Envelope wire format (v1)". Every primitive is libsodium's; nothing here logs, and no
 * error message carries a key or plaintext.
 */

export interface DeviceKeys {
  /** 32 lowercase hex: the first 16 bytes of SHA-256(signPublicKey). */
  deviceId: string;
  signPublicKey: Uint8Array;
  /** Ed25519, 64 bytes. */
  signSecretKey: Uint8Array;
  boxPublicKey: Uint8Array;
  /** X25519, 32 bytes. Never used to open envelopes (see prekeys.ts). */
  boxSecretKey: Uint8Array;
}

export interface SignedPrekey {
  deviceId: string;
  /** 32 lowercase hex. */
  prekeyId: string;
  /** X25519, 32 bytes. */
  publicKey: Uint8Array;
  /** ms since epoch. */
  createdAt: number;
  /** The device's Ed25519 signature over prekeyMessage(). */
  signature: Uint8Array;
}

export interface PrekeySecret {
  prekeyId: string;
  publicKey: Uint8Array;
  secretKey: Uint8Array;
  createdAt: number;
}

export interface EnvelopeRecipient {
  deviceId: string;
  signPublicKey: Uint8Array;
  prekey: SignedPrekey;
}

export type EnvelopeKind = 'message' | 'document';

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
}

/** One recipient's copy of the content key. */
export interface EnvelopeKeyWrap {
  deviceId: string;
  prekeyId: string;
  /** 24 bytes (XChaCha20-Poly1305). */
  nonce: Uint8Array;
  /** 48 bytes: the 32-byte content key and its 16-byte tag. */
  wrappedKey: Uint8Array;
}

export interface EnvelopeHeader {
  version: 1;
  envelopeId: string;
  senderDeviceId: string;
  seq: number;
  createdAt: number;
  kind: EnvelopeKind;
  /** Recipient device ids, in header order. */
  recipients: readonly string[];
  /** Plaintext size in bytes. */
  payloadSize: number;
  /** Plaintext bytes per secretstream chunk (the last chunk may be shorter). */
  chunkSize: number;
  /** The envelope's ephemeral X25519 public key. */
  ephemeralPublicKey: Uint8Array;
  /** Per recipient (same order as `recipients`): which prekey, nonce and wrapped content key. */
  wraps: readonly EnvelopeKeyWrap[];
}

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

export type EnvelopeErrorCode =
  | 'E_ENVELOPE_MALFORMED'
  | 'E_ENVELOPE_VERSION'
  | 'E_ENVELOPE_SIGNATURE'
  | 'E_ENVELOPE_SENDER_UNKNOWN'
  | 'E_ENVELOPE_SENDER_REVOKED'
  | 'E_ENVELOPE_SENDER_MISMATCH'
  | 'E_ENVELOPE_NOT_FOR_ME'
  | 'E_ENVELOPE_PREKEY_UNKNOWN'
  /** Sealing only: a recipient prekey is older than rotate + grace, or dated in the future. */
  | 'E_ENVELOPE_PREKEY_STALE'
  | 'E_ENVELOPE_DECRYPT'
  | 'E_ENVELOPE_TRUNCATED';

export class EnvelopeError extends Error {
  readonly code: EnvelopeErrorCode;
  constructor(code: EnvelopeErrorCode, message: string) {
    super(message);
    this.name = 'EnvelopeError';
    this.code = code;
  }
}

/** The relay's item limit: no envelope is larger. */
export const MAX_ENVELOPE_BYTES = 256 * 1024 * 1024;
export const ENVELOPE_VERSION = 1;
/** Plaintext bytes per secretstream chunk when sealing. */
export const ENVELOPE_CHUNK_SIZE = 64 * 1024;
export const MAX_RECIPIENTS = 64;
/** Upper bound of the encoded header (64 recipients need about 6.9 KB). */
export const MAX_HEADER_BYTES = 16 * 1024;

export const ENVELOPE_CONTEXT = 'embassy/v1/envelope';
export const WRAP_KEY_CONTEXT = 'embassy/v1/wrap';
export const WRAP_AD_CONTEXT = 'embassy/v1/wrap-ad';
export const STREAM_AD_CONTEXT = 'embassy/v1/stream';

const MAGIC = ascii('EMBENV');
const PRELUDE_BYTES = MAGIC.length + 1;
const SIGNATURE_BYTES = 64;
const STREAM_HEADER_BYTES = 24;
const STREAM_ABYTES = 17;
const KEY_BYTES = 32;
const NONCE_BYTES = 24;
const WRAPPED_KEY_BYTES = KEY_BYTES + 16;
const WRAP_ENTRY_BYTES = ID_BYTES + ID_BYTES + NONCE_BYTES + WRAPPED_KEY_BYTES;
const MIN_CHUNK_SIZE = 4 * 1024;
const MAX_CHUNK_SIZE = 1024 * 1024;
const KIND_CODES: Record<EnvelopeKind, number> = { message: 1, document: 2 };
const ENVELOPE_ID = /^[A-Za-z0-9_-]{8,128}$/;
const HEX32 = /^[0-9a-f]{32}$/;
const ZERO = new Uint8Array([0]);
/** Incremental hashing step: libsodium.js copies each update into its WebAssembly heap. */
const HASH_STEP = 1024 * 1024;

function fail(code: EnvelopeErrorCode, message: string): never {
  throw new EnvelopeError(code, message);
}

// ---- parsing ---------------------------------------------------------------------------

/** An envelope's parts, located but not authenticated. Views into the input, no copies. */
export interface EnvelopeFrame {
  header: EnvelopeHeader;
  /** Offset where the body (secretstream header, then chunks) starts: bytes before it are signed directly. */
  bodyStart: number;
  /** Offset of the trailing signature (the body ends here). */
  bodyEnd: number;
  streamHeader: Uint8Array;
  /** Each chunk's ciphertext (without its 4-byte length prefix). */
  chunks: Uint8Array[];
  /** Offset of each chunk's 4-byte length prefix. */
  chunkOffsets: number[];
  signature: Uint8Array;
}

/** Prelude and header; works on a prefix of an envelope. Returns the header and where it ends. */
function parseHead(bytes: Uint8Array): { header: EnvelopeHeader; end: number } {
  if (!(bytes instanceof Uint8Array)) fail('E_ENVELOPE_MALFORMED', 'an envelope is bytes');
  if (bytes.length > MAX_ENVELOPE_BYTES) fail('E_ENVELOPE_MALFORMED', 'envelope larger than the relay limit');
  if (bytes.length < PRELUDE_BYTES) fail('E_ENVELOPE_MALFORMED', 'envelope too short');
  for (let i = 0; i < MAGIC.length; i++) {
    if (bytes[i] !== MAGIC[i]) fail('E_ENVELOPE_MALFORMED', 'not an envelope (magic)');
  }
  if (bytes[MAGIC.length] !== ENVELOPE_VERSION) fail('E_ENVELOPE_VERSION', 'unsupported envelope version');
  try {
    const r = new ByteReader(bytes, PRELUDE_BYTES);
    const headerLength = r.u32();
    if (headerLength > MAX_HEADER_BYTES) fail('E_ENVELOPE_MALFORMED', 'header too large');
    const headerStart = r.offset;
    r.take(headerLength);
    const h = new ByteReader(bytes, headerStart, headerStart + headerLength);
    const header = decodeHeader(h);
    if (h.remaining !== 0) fail('E_ENVELOPE_MALFORMED', 'trailing bytes in header');
    return { header, end: r.offset };
  } catch (e) {
    if (e instanceof EnvelopeError) throw e;
    return fail('E_ENVELOPE_MALFORMED', 'envelope header is truncated or out of range');
  }
}

function decodeHeader(h: ByteReader): EnvelopeHeader {
  const kindCode = h.u8();
  const kind = (Object.keys(KIND_CODES) as EnvelopeKind[]).find((k) => KIND_CODES[k] === kindCode);
  if (!kind) fail('E_ENVELOPE_MALFORMED', 'unknown envelope kind');
  const idLength = h.u8();
  const envelopeId = String.fromCharCode(...h.take(idLength));
  if (!ENVELOPE_ID.test(envelopeId)) fail('E_ENVELOPE_MALFORMED', 'invalid envelope id');
  const senderDeviceId = toHex(h.take(ID_BYTES));
  const seq = h.u64();
  if (seq < 1) fail('E_ENVELOPE_MALFORMED', 'sequence number must be >= 1');
  const createdAt = h.u64();
  const payloadSize = h.u64();
  if (payloadSize > MAX_ENVELOPE_BYTES) fail('E_ENVELOPE_MALFORMED', 'payload size out of range');
  const chunkSize = h.u32();
  if (chunkSize < MIN_CHUNK_SIZE || chunkSize > MAX_CHUNK_SIZE || (chunkSize & (chunkSize - 1)) !== 0) {
    fail('E_ENVELOPE_MALFORMED', 'chunk size out of range');
  }
  const ephemeralPublicKey = h.take(KEY_BYTES);
  const count = h.u8();
  if (count < 1 || count > MAX_RECIPIENTS) fail('E_ENVELOPE_MALFORMED', 'recipient count out of range');
  if (h.remaining !== count * WRAP_ENTRY_BYTES) fail('E_ENVELOPE_MALFORMED', 'header length mismatch');
  const wraps: EnvelopeKeyWrap[] = [];
  const seen = new Set<string>();
  for (let i = 0; i < count; i++) {
    const deviceId = toHex(h.take(ID_BYTES));
    if (seen.has(deviceId)) fail('E_ENVELOPE_MALFORMED', 'duplicate recipient');
    seen.add(deviceId);
    wraps.push({
      deviceId,
      prekeyId: toHex(h.take(ID_BYTES)),
      nonce: h.take(NONCE_BYTES),
      wrappedKey: h.take(WRAPPED_KEY_BYTES),
    });
  }
  return {
    version: 1,
    envelopeId,
    senderDeviceId,
    seq,
    createdAt,
    kind,
    recipients: wraps.map((w) => w.deviceId),
    payloadSize,
    chunkSize,
    ephemeralPublicKey,
    wraps,
  };
}

/**
 * Locate every part of an envelope, with strict bounds on every length; authenticates
 * nothing. Throws EnvelopeError (E_ENVELOPE_MALFORMED or E_ENVELOPE_VERSION).
 */
export function parseEnvelopeFrame(bytes: Uint8Array): EnvelopeFrame {
  const { header, end: bodyStart } = parseHead(bytes);
  const bodyEnd = bytes.length - SIGNATURE_BYTES;
  if (bodyEnd - bodyStart < STREAM_HEADER_BYTES) fail('E_ENVELOPE_MALFORMED', 'envelope body too short');
  const r = new ByteReader(bytes, bodyStart, bodyEnd);
  const streamHeader = r.take(STREAM_HEADER_BYTES);
  const chunks: Uint8Array[] = [];
  const chunkOffsets: number[] = [];
  const maxChunk = header.chunkSize + STREAM_ABYTES;
  while (r.remaining > 0) {
    if (r.remaining < 4) fail('E_ENVELOPE_MALFORMED', 'truncated chunk length');
    chunkOffsets.push(r.offset);
    const length = r.u32();
    if (length < STREAM_ABYTES || length > maxChunk || length > r.remaining) {
      fail('E_ENVELOPE_MALFORMED', 'chunk length out of range');
    }
    chunks.push(r.take(length));
  }
  return {
    header,
    bodyStart,
    bodyEnd,
    streamHeader,
    chunks,
    chunkOffsets,
    signature: bytes.subarray(bodyEnd),
  };
}

/**
 * The header only, parsed but NOT authenticated (for routing and the seen-set check before
 * a download completes). Needs only the envelope's first bytes. Throws EnvelopeError.
 */
export function peekEnvelopeHeader(bytes: Uint8Array): EnvelopeHeader {
  return parseHead(bytes).header;
}

// ---- key derivation --------------------------------------------------------------------

function wrapAssociatedData(
  envelopeId: string,
  senderDeviceId: string,
  recipientDeviceId: string,
  prekeyId: string,
): Uint8Array {
  return concat([
    ascii(WRAP_AD_CONTEXT),
    ZERO,
    ascii(envelopeId),
    ZERO,
    ascii(senderDeviceId),
    ZERO,
    ascii(recipientDeviceId),
    ZERO,
    ascii(prekeyId),
  ]);
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
  ids: { envelopeId: string; senderDeviceId: string; recipientDeviceId: string; prekeyId: string },
): Uint8Array {
  const shared = sodium.crypto_scalarmult(ourSecretKey, theirPublicKey);
  const input = concat([
    ascii(WRAP_KEY_CONTEXT),
    ZERO,
    shared,
    ephemeralPublicKey,
    prekeyPublicKey,
    ascii(ids.envelopeId),
    ZERO,
    ascii(ids.senderDeviceId),
    ZERO,
    ascii(ids.recipientDeviceId),
    ZERO,
    ascii(ids.prekeyId),
  ]);
  try {
    return sodium.crypto_generichash(KEY_BYTES, input, null);
  } finally {
    sodium.memzero(shared);
    sodium.memzero(input);
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
    wrapKey = deriveWrapKey(
      sodium,
      secretKey,
      header.ephemeralPublicKey,
      header.ephemeralPublicKey,
      publicKey,
      {
        envelopeId: header.envelopeId,
        senderDeviceId: header.senderDeviceId,
        recipientDeviceId: wrap.deviceId,
        prekeyId: wrap.prekeyId,
      },
    );
    const key = sodium.crypto_aead_xchacha20poly1305_ietf_decrypt(
      null,
      wrap.wrappedKey,
      wrapAssociatedData(header.envelopeId, header.senderDeviceId, wrap.deviceId, wrap.prekeyId),
      wrap.nonce,
      wrapKey,
    );
    if (key.length !== KEY_BYTES) {
      sodium.memzero(key);
      return fail('E_ENVELOPE_DECRYPT', 'content key has the wrong size');
    }
    return key;
  } catch (e) {
    if (e instanceof EnvelopeError) throw e;
    return fail('E_ENVELOPE_DECRYPT', 'the content key could not be unwrapped');
  } finally {
    if (wrapKey) sodium.memzero(wrapKey);
  }
}

/** Associated data of every secretstream chunk: binds the stream to this exact header. */
export function streamAssociatedData(sodium: Sodium, signedHead: Uint8Array): Uint8Array {
  return sodium.crypto_generichash(KEY_BYTES, concat([ascii(STREAM_AD_CONTEXT), ZERO, signedHead]), null);
}

// ---- signing ---------------------------------------------------------------------------

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
  signSecretKey: Uint8Array,
  signedHead: Uint8Array,
  streamHeader: Uint8Array,
  chunks: readonly Uint8Array[],
): Uint8Array {
  const bodyLength = streamHeader.length + chunks.reduce((n, c) => n + 4 + c.length, 0);
  const total = signedHead.length + bodyLength + SIGNATURE_BYTES;
  if (total > MAX_ENVELOPE_BYTES) fail('E_ENVELOPE_MALFORMED', 'envelope larger than the relay limit');
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

// ---- seal ------------------------------------------------------------------------------

function encodeHeader(h: Omit<EnvelopeHeader, 'recipients' | 'version'>): Uint8Array {
  const id = ascii(h.envelopeId);
  return concat([
    new Uint8Array([KIND_CODES[h.kind], id.length]),
    id,
    fromHex(h.senderDeviceId),
    u64be(h.seq),
    u64be(h.createdAt),
    u64be(h.payloadSize),
    u32be(h.chunkSize),
    h.ephemeralPublicKey,
    new Uint8Array([h.wraps.length]),
    ...h.wraps.flatMap((w) => [fromHex(w.deviceId), fromHex(w.prekeyId), w.nonce, w.wrappedKey]),
  ]);
}

function checkSealInput(sodium: Sodium, input: SealInput): void {
  const bad = (why: string) => fail('E_ENVELOPE_MALFORMED', `cannot seal: ${why}`);
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
    if (!HEX32.test(r.deviceId)) bad('invalid recipient device id');
    if (seen.has(r.deviceId)) bad('duplicate recipient');
    seen.add(r.deviceId);
  }
  // Every recipient prekey must be signed by that recipient's device key (whose id it is),
  // or we would encrypt to a key the relay made up.
  for (const r of input.recipients) {
    if (r.prekey.deviceId !== r.deviceId || !verifyPrekey(sodium, r.prekey, r.signPublicKey)) {
      fail('E_ENVELOPE_SIGNATURE', 'cannot seal: a recipient prekey is not signed by that recipient');
    }
  }
  const policy = input.prekeyPolicy ?? DEFAULT_PREKEY_POLICY;
  for (const r of input.recipients) {
    if (!isPrekeyFresh(r.prekey, input.createdAt, policy)) {
      fail('E_ENVELOPE_PREKEY_STALE', 'cannot seal: a recipient prekey is too old (or dated in the future)');
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
  const headBound = PRELUDE_BYTES + 4 + 1 + 1 + input.envelopeId.length + ID_BYTES + 8 + 8 + 8 + 4;
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
    fail('E_ENVELOPE_MALFORMED', 'cannot seal: payload too large for one envelope');

  const contentKey = sodium.crypto_secretstream_xchacha20poly1305_keygen();
  const ephemeral = sodium.crypto_box_keypair();
  try {
    const wraps: EnvelopeKeyWrap[] = input.recipients.map((r) => {
      const ids = {
        envelopeId: input.envelopeId,
        senderDeviceId: input.sender.deviceId,
        recipientDeviceId: r.deviceId,
        prekeyId: r.prekey.prekeyId,
      };
      let wrapKey: Uint8Array;
      try {
        wrapKey = deriveWrapKey(
          sodium,
          ephemeral.privateKey,
          r.prekey.publicKey,
          ephemeral.publicKey,
          r.prekey.publicKey,
          ids,
        );
      } catch {
        // libsodium refuses a low-order point: the recipient signed an unusable prekey.
        return fail('E_ENVELOPE_MALFORMED', 'cannot seal: a recipient prekey is not a usable X25519 key');
      }
      try {
        const nonce = sodium.randombytes_buf(NONCE_BYTES);
        const wrappedKey = sodium.crypto_aead_xchacha20poly1305_ietf_encrypt(
          contentKey,
          wrapAssociatedData(ids.envelopeId, ids.senderDeviceId, ids.recipientDeviceId, ids.prekeyId),
          null,
          nonce,
          wrapKey,
        );
        return { deviceId: r.deviceId, prekeyId: r.prekey.prekeyId, nonce, wrappedKey };
      } finally {
        sodium.memzero(wrapKey);
      }
    });
    const headerBytes = encodeHeader({
      envelopeId: input.envelopeId,
      senderDeviceId: input.sender.deviceId,
      seq: input.seq,
      createdAt: input.createdAt,
      kind: input.kind,
      payloadSize: payload.length,
      chunkSize,
      ephemeralPublicKey: ephemeral.publicKey,
      wraps,
    });
    const signedHead = concat([
      MAGIC,
      new Uint8Array([ENVELOPE_VERSION]),
      u32be(headerBytes.length),
      headerBytes,
    ]);
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

// ---- open ------------------------------------------------------------------------------

/**
 * Authenticate and decrypt an envelope addressed to `ctx.recipientDeviceId`. In order:
 * framing (MALFORMED / VERSION), the relay's claimed sender (SENDER_MISMATCH), the sender's
 * key in the directory (SENDER_UNKNOWN / SENDER_REVOKED), the signature over every byte
 * (SIGNATURE) — before anything is decrypted — then my key wrap (NOT_FOR_ME), my prekey
 * secret (PREKEY_UNKNOWN), the unwrap and the stream (DECRYPT / TRUNCATED) and the payload
 * size (MALFORMED). On any failure no plaintext is returned and what was decrypted is zeroed.
 * Replay is the caller's check (the vault's seen-set, sync-store.ts) on the returned, authenticated header.
 */
export function openEnvelope(sodium: Sodium, bytes: Uint8Array, ctx: OpenContext): OpenedEnvelope {
  const frame = parseEnvelopeFrame(bytes);
  const { header } = frame;

  if (ctx.claimedSender !== undefined && ctx.claimedSender !== header.senderDeviceId) {
    fail('E_ENVELOPE_SENDER_MISMATCH', 'the relay says another device sent this envelope');
  }
  const sender = ctx.senderKey(header.senderDeviceId);
  if (
    !sender ||
    !(sender.signPublicKey instanceof Uint8Array) ||
    sender.signPublicKey.length !== sodium.crypto_sign_PUBLICKEYBYTES ||
    deviceIdFromSignPublicKey(sodium, sender.signPublicKey) !== header.senderDeviceId
  ) {
    return fail('E_ENVELOPE_SENDER_UNKNOWN', 'the sender device is not in the directory');
  }
  if (sender.revoked !== false) fail('E_ENVELOPE_SENDER_REVOKED', 'the sender device is revoked');

  const signedHead = bytes.subarray(0, frame.bodyStart);
  const bodyHash = hashRange(sodium, bytes, frame.bodyStart, frame.bodyEnd);
  let signatureOk = false;
  try {
    signatureOk = sodium.crypto_sign_verify_detached(
      frame.signature,
      signedMessage(signedHead, bodyHash),
      sender.signPublicKey,
    );
  } catch {
    signatureOk = false;
  }
  if (!signatureOk) fail('E_ENVELOPE_SIGNATURE', 'the envelope signature does not verify');

  const wrap = header.wraps.find((w) => w.deviceId === ctx.recipientDeviceId);
  if (!wrap) return fail('E_ENVELOPE_NOT_FOR_ME', 'this envelope is not addressed to this device');
  const prekey = ctx.prekeySecret(wrap.prekeyId);
  if (
    !prekey ||
    prekey.prekeyId !== wrap.prekeyId ||
    !(prekey.secretKey instanceof Uint8Array) ||
    prekey.secretKey.length !== KEY_BYTES ||
    !(prekey.publicKey instanceof Uint8Array) ||
    prekey.publicKey.length !== KEY_BYTES
  ) {
    return fail('E_ENVELOPE_PREKEY_UNKNOWN', 'the prekey this envelope was sealed to is no longer held');
  }

  const contentKey = unwrapContentKey(sodium, header, wrap, prekey.secretKey, prekey.publicKey);
  try {
    return { header, payload: decryptStream(sodium, frame, signedHead, contentKey) };
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
      return fail('E_ENVELOPE_DECRYPT', 'the payload stream cannot be opened');
    }
    for (const chunk of frame.chunks) {
      if (final) fail('E_ENVELOPE_DECRYPT', 'data after the final chunk');
      let result: { message: Uint8Array; tag: number } | false;
      try {
        result = sodium.crypto_secretstream_xchacha20poly1305_pull(state, chunk, ad);
      } catch {
        result = false;
      }
      if (!result) return fail('E_ENVELOPE_DECRYPT', 'a payload chunk does not decrypt');
      const { message, tag } = result;
      try {
        if (tag === sodium.crypto_secretstream_xchacha20poly1305_TAG_FINAL) final = true;
        else if (tag !== sodium.crypto_secretstream_xchacha20poly1305_TAG_MESSAGE) {
          fail('E_ENVELOPE_DECRYPT', 'unexpected chunk tag');
        }
        if (message.length > out.length - written)
          fail('E_ENVELOPE_MALFORMED', 'payload larger than declared');
        out.set(message, written);
        written += message.length;
      } finally {
        sodium.memzero(message);
      }
    }
    if (!final) fail('E_ENVELOPE_TRUNCATED', 'the payload stream ends without its final chunk');
    if (written !== payloadSize) fail('E_ENVELOPE_MALFORMED', 'payload smaller than declared');
    return out;
  } catch (e) {
    sodium.memzero(out);
    throw e;
  }
}
