import { ascii } from '../../../../shared/encoding/text';
import { DEVICE_ID_BYTES } from '../../../../shared/sync/device-id';

/**
 * The sizes and fixed values of the envelope format, versions 1 and 2, and the shapes of its header
 * (docs/protocols/envelope-v1.md). Changing any value here changes the
 * wire format.
 */

export type EnvelopeKind = 'message' | 'document' | 'receipt';

/** One recipient's copy of the content key. */
export interface EnvelopeKeyWrap {
  deviceId: string;
  prekeyId: string;
  /** 24 bytes (XChaCha20-Poly1305). */
  nonce: Uint8Array;
  /** 48 bytes: the 32-byte content key and its 16-byte tag. */
  wrappedKey: Uint8Array;
}

/** HQ's directory version the sender held when sealing (directory-v2.md#the-chain). */
export interface EnvelopeDirectoryHead {
  serial: number;
  /** The version's chain link, 64 lowercase hex characters. */
  hash: string;
}

export interface EnvelopeHeader {
  /** 1: no directory head; 2: the header carries the sender's directory head. */
  version: 1 | 2;
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
  /** Version 2 only: the sender's directory head, signed with the rest of the header. */
  directoryHead?: EnvelopeDirectoryHead;
}

/** The relay's item limit: no envelope is larger. */
export const MAX_ENVELOPE_BYTES = 256 * 1024 * 1024;
/** The version sealed when the sender holds a chained directory; 1 otherwise (and still opened). */
export const ENVELOPE_VERSION = 2;
/** Envelope versions a recipient opens. */
export const ENVELOPE_VERSIONS: readonly number[] = [1, 2];
/** Version 2's directory head: serial (u64) and link (32 bytes). */
export const DIRECTORY_HEAD_BYTES = 8 + 32;
/** Plaintext bytes per secretstream chunk when sealing. */
export const ENVELOPE_CHUNK_SIZE = 64 * 1024;
export const MAX_RECIPIENTS = 64;
/** Upper bound of the encoded header (64 recipients need about 6.9 KB). */
export const MAX_HEADER_BYTES = 16 * 1024;

export const MAGIC = ascii('EMBENV');
export const PRELUDE_BYTES = MAGIC.length + 1;
export const SIGNATURE_BYTES = 64;
export const STREAM_HEADER_BYTES = 24;
export const STREAM_ABYTES = 17;
export const KEY_BYTES = 32;
export const NONCE_BYTES = 24;
export const WRAPPED_KEY_BYTES = KEY_BYTES + 16;
export const ID_BYTES = DEVICE_ID_BYTES;
export const WRAP_ENTRY_BYTES = ID_BYTES + ID_BYTES + NONCE_BYTES + WRAPPED_KEY_BYTES;
export const MIN_CHUNK_SIZE = 4 * 1024;
export const MAX_CHUNK_SIZE = 1024 * 1024;
export const KIND_CODES: Record<EnvelopeKind, number> = { message: 1, document: 2, receipt: 3 };
export const ENVELOPE_ID = /^[A-Za-z0-9_-]{8,128}$/;
export const ZERO = new Uint8Array([0]);
