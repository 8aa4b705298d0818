import { ByteReader } from '../../../../shared/encoding/byte-reader';
import { concat, u32be, u64be } from '../../../../shared/encoding/bytes';
import { fromHex, toHex } from '../../../../shared/encoding/hex';
import { ascii } from '../../../../shared/encoding/text';
import { EnvelopeErrorCode } from '../../../../shared/sync/sync-error-codes';
import { EnvelopeError, fail } from './envelope-error';
import {
  DIRECTORY_HEAD_BYTES,
  ENVELOPE_ID,
  ENVELOPE_VERSIONS,
  ID_BYTES,
  KEY_BYTES,
  KIND_CODES,
  MAGIC,
  MAX_CHUNK_SIZE,
  MAX_ENVELOPE_BYTES,
  MAX_HEADER_BYTES,
  MAX_RECIPIENTS,
  MIN_CHUNK_SIZE,
  NONCE_BYTES,
  PRELUDE_BYTES,
  SIGNATURE_BYTES,
  STREAM_ABYTES,
  STREAM_HEADER_BYTES,
  WRAP_ENTRY_BYTES,
  WRAPPED_KEY_BYTES,
  type EnvelopeHeader,
  type EnvelopeKeyWrap,
  type EnvelopeKind,
} from './envelope-layout';

/**
 * Framing of an envelope: the header's encoding, and locating every part of an envelope with
 * strict bounds on every length. Authenticates nothing (envelope-signature.ts does).
 */

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
  if (!(bytes instanceof Uint8Array)) fail(EnvelopeErrorCode.Malformed, 'an envelope is bytes');
  if (bytes.length > MAX_ENVELOPE_BYTES)
    fail(EnvelopeErrorCode.Malformed, 'envelope larger than the relay limit');
  if (bytes.length < PRELUDE_BYTES) fail(EnvelopeErrorCode.Malformed, 'envelope too short');
  for (let i = 0; i < MAGIC.length; i++) {
    if (bytes[i] !== MAGIC[i]) fail(EnvelopeErrorCode.Malformed, 'not an envelope (magic)');
  }
  const version = bytes[MAGIC.length] as number;
  if (!ENVELOPE_VERSIONS.includes(version)) fail(EnvelopeErrorCode.Version, 'unsupported envelope version');
  try {
    const r = new ByteReader(bytes, PRELUDE_BYTES);
    const headerLength = r.u32();
    if (headerLength > MAX_HEADER_BYTES) fail(EnvelopeErrorCode.Malformed, 'header too large');
    const headerStart = r.offset;
    r.take(headerLength);
    const h = new ByteReader(bytes, headerStart, headerStart + headerLength);
    const header = decodeHeader(h, version as 1 | 2);
    if (h.remaining !== 0) fail(EnvelopeErrorCode.Malformed, 'trailing bytes in header');
    return { header, end: r.offset };
  } catch (e) {
    if (e instanceof EnvelopeError) throw e;
    return fail(EnvelopeErrorCode.Malformed, 'envelope header is truncated or out of range');
  }
}

function decodeHeader(h: ByteReader, version: 1 | 2): EnvelopeHeader {
  const kindCode = h.u8();
  const kind = (Object.keys(KIND_CODES) as EnvelopeKind[]).find((k) => KIND_CODES[k] === kindCode);
  if (!kind) fail(EnvelopeErrorCode.Malformed, 'unknown envelope kind');
  const idLength = h.u8();
  const envelopeId = String.fromCharCode(...h.take(idLength));
  if (!ENVELOPE_ID.test(envelopeId)) fail(EnvelopeErrorCode.Malformed, 'invalid envelope id');
  const senderDeviceId = toHex(h.take(ID_BYTES));
  const seq = h.u64();
  if (seq < 1) fail(EnvelopeErrorCode.Malformed, 'sequence number must be >= 1');
  const createdAt = h.u64();
  const payloadSize = h.u64();
  if (payloadSize > MAX_ENVELOPE_BYTES) fail(EnvelopeErrorCode.Malformed, 'payload size out of range');
  const chunkSize = h.u32();
  if (chunkSize < MIN_CHUNK_SIZE || chunkSize > MAX_CHUNK_SIZE || (chunkSize & (chunkSize - 1)) !== 0) {
    fail(EnvelopeErrorCode.Malformed, 'chunk size out of range');
  }
  const ephemeralPublicKey = h.take(KEY_BYTES);
  let directoryHead: EnvelopeHeader['directoryHead'];
  if (version === 2) {
    const serial = h.u64();
    directoryHead = { serial, hash: toHex(h.take(DIRECTORY_HEAD_BYTES - 8)) };
  }
  const count = h.u8();
  if (count < 1 || count > MAX_RECIPIENTS) fail(EnvelopeErrorCode.Malformed, 'recipient count out of range');
  if (h.remaining !== count * WRAP_ENTRY_BYTES) fail(EnvelopeErrorCode.Malformed, 'header length mismatch');
  const wraps: EnvelopeKeyWrap[] = [];
  const seen = new Set<string>();
  for (let i = 0; i < count; i++) {
    const deviceId = toHex(h.take(ID_BYTES));
    if (seen.has(deviceId)) fail(EnvelopeErrorCode.Malformed, 'duplicate recipient');
    seen.add(deviceId);
    wraps.push({
      deviceId,
      prekeyId: toHex(h.take(ID_BYTES)),
      nonce: h.take(NONCE_BYTES),
      wrappedKey: h.take(WRAPPED_KEY_BYTES),
    });
  }
  return {
    version,
    ...(directoryHead ? { directoryHead } : {}),
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
 * The header's bytes (without the prelude and its length): version 2 when it carries a
 * directory head, else version 1 (see {@link encodeSignedHead}).
 */
export function encodeHeader(h: Omit<EnvelopeHeader, 'recipients' | 'version'>): Uint8Array {
  const id = ascii(h.envelopeId);
  const head = h.directoryHead;
  if (head && (!/^[0-9a-f]{64}$/.test(head.hash) || !Number.isSafeInteger(head.serial) || head.serial < 0)) {
    fail(EnvelopeErrorCode.Malformed, 'cannot seal: malformed directory head');
  }
  return concat([
    new Uint8Array([KIND_CODES[h.kind], id.length]),
    id,
    fromHex(h.senderDeviceId),
    u64be(h.seq),
    u64be(h.createdAt),
    u64be(h.payloadSize),
    u32be(h.chunkSize),
    h.ephemeralPublicKey,
    ...(head ? [u64be(head.serial), fromHex(head.hash)] : []),
    new Uint8Array([h.wraps.length]),
    ...h.wraps.flatMap((w) => [fromHex(w.deviceId), fromHex(w.prekeyId), w.nonce, w.wrappedKey]),
  ]);
}

/** The signed head: magic, version, the header's length and the header. */
export function encodeSignedHead(headerBytes: Uint8Array, version: 1 | 2): Uint8Array {
  return concat([MAGIC, new Uint8Array([version]), u32be(headerBytes.length), headerBytes]);
}

/**
 * Locate every part of an envelope, with strict bounds on every length; authenticates
 * nothing. Throws EnvelopeError (E_ENVELOPE_MALFORMED or E_ENVELOPE_VERSION).
 */
export function parseEnvelopeFrame(bytes: Uint8Array): EnvelopeFrame {
  const { header, end: bodyStart } = parseHead(bytes);
  const bodyEnd = bytes.length - SIGNATURE_BYTES;
  if (bodyEnd - bodyStart < STREAM_HEADER_BYTES) fail(EnvelopeErrorCode.Malformed, 'envelope body too short');
  const r = new ByteReader(bytes, bodyStart, bodyEnd);
  const streamHeader = r.take(STREAM_HEADER_BYTES);
  const chunks: Uint8Array[] = [];
  const chunkOffsets: number[] = [];
  const maxChunk = header.chunkSize + STREAM_ABYTES;
  while (r.remaining > 0) {
    if (r.remaining < 4) fail(EnvelopeErrorCode.Malformed, 'truncated chunk length');
    chunkOffsets.push(r.offset);
    const length = r.u32();
    if (length < STREAM_ABYTES || length > maxChunk || length > r.remaining) {
      fail(EnvelopeErrorCode.Malformed, 'chunk length out of range');
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
