import { z } from 'zod';

/**
 * The wire protocol between a workstation and the HQ relay (`hq/`), version 1.
 *
 * The relay is a store-and-forward mailbox of ciphertext: it never sees a key that could open
 * what it stores. Everything here is pure TypeScript (zod only) so the relay, the core's sync
 * engine and tests share one definition of every body. Every JSON body is a `.strict()`
 * schema: an unknown field is an error, never ignored, so a client and a relay that disagree
 * about the protocol fail loudly instead of silently dropping data.
 *
 * Encodings: keys, nonces and signatures are standard base64 (RFC 4648 §4, padded); digests
 * and device ids are lowercase hex.
 */

/** Stable error codes of the relay. Never rename one: add a new one. */
export const RelayErrorCode = {
  /** The body is not JSON, or a header or query parameter is malformed. */
  BadRequest: 'E_BAD_REQUEST',
  /** The JSON body does not match the route's schema (wrong type, extra field, bad encoding). */
  InvalidInput: 'E_INVALID_INPUT',
  /** The body (or chunk) is larger than the route accepts; it was not read to its end. */
  PayloadTooLarge: 'E_PAYLOAD_TOO_LARGE',
  /** The Content-Type is not the one the route takes. */
  UnsupportedMediaType: 'E_UNSUPPORTED_MEDIA_TYPE',
  /** No such route, item or device (for this caller). */
  NotFound: 'E_NOT_FOUND',
  /** The route exists but not with this method. */
  MethodNotAllowed: 'E_METHOD_NOT_ALLOWED',
  /** No valid session token (absent, unknown or expired). */
  Unauthenticated: 'E_UNAUTHENTICATED',
  /** A signature did not verify (enrolment proof or challenge answer). */
  BadSignature: 'E_BAD_SIGNATURE',
  /** The challenge nonce is unknown, already used, expired or for another device. */
  ChallengeInvalid: 'E_CHALLENGE_INVALID',
  /** The device is not enrolled at this relay. */
  DeviceUnknown: 'E_DEVICE_UNKNOWN',
  /** The device is enrolled but not approved by an HQ administrator yet. */
  DevicePending: 'E_DEVICE_PENDING',
  /** The device was revoked: the relay refuses it for good. */
  DeviceRevoked: 'E_DEVICE_REVOKED',
  /** A device with this signing key is enrolled with different keys or request. */
  DeviceConflict: 'E_DEVICE_CONFLICT',
  /** The recipient device is unknown, pending or revoked. */
  RecipientUnavailable: 'E_RECIPIENT_UNAVAILABLE',
  /** This envelope id was already used by this sender with another recipient, size or digest. */
  EnvelopeConflict: 'E_ENVELOPE_CONFLICT',
  /** `Upload-Offset` is not the item's current offset; HEAD the item and send the rest. */
  OffsetMismatch: 'E_OFFSET_MISMATCH',
  /** Another upload of the same item is in progress. */
  UploadBusy: 'E_UPLOAD_BUSY',
  /** The item is already complete: nothing more to send. */
  UploadComplete: 'E_UPLOAD_COMPLETE',
  /** All bytes arrived but their SHA-256 is not the declared one; the item restarts at 0. */
  DigestMismatch: 'E_DIGEST_MISMATCH',
  /** The recipient's mailbox (or the item) would exceed the relay's quota. */
  QuotaExceeded: 'E_QUOTA_EXCEEDED',
  /** The Range header cannot be served for this item. */
  RangeNotSatisfiable: 'E_RANGE_NOT_SATISFIABLE',
  /** The item was acknowledged and its bytes deleted. */
  Gone: 'E_GONE',
  /** Too many outstanding challenges or connections; retry later. */
  Busy: 'E_BUSY',
  /** A fault inside the relay; details stay in its log. */
  Internal: 'E_INTERNAL',
} as const;
export type RelayErrorCode = (typeof RelayErrorCode)[keyof typeof RelayErrorCode];

/** Every 4xx/5xx answer of the relay has this body. */
export const RelayErrorBody = z
  .object({
    error: z.object({ code: z.string(), message: z.string() }).strict(),
  })
  .strict();
export type RelayErrorBody = z.infer<typeof RelayErrorBody>;

// ---- encodings -------------------------------------------------------------------------

/** Standard padded base64 of exactly `bytes` bytes. */
function base64OfLength(bytes: number) {
  const chars = Math.ceil(bytes / 3) * 4;
  const pad = (3 - (bytes % 3)) % 3;
  const body = chars - pad;
  return z
    .string()
    .length(chars)
    .regex(new RegExp(`^[A-Za-z0-9+/]{${body}}${'='.repeat(pad)}$`), `base64 of ${bytes} bytes`);
}

/** A device id: lowercase hex of the first 16 bytes of SHA-256 over its Ed25519 public key. */
export const DeviceId = z.string().regex(/^[0-9a-f]{32}$/, 'a device id (32 lowercase hex characters)');
export const DEVICE_ID_BYTES = 16;
/** A mailbox item id, chosen by the relay. */
export const ItemId = z.string().regex(/^[0-9a-f]{32}$/, 'an item id (32 lowercase hex characters)');
/** An envelope id, chosen by the sender; unique per sender, which makes uploads idempotent. */
export const EnvelopeId = z.string().regex(/^[A-Za-z0-9_-]{8,128}$/, 'an envelope id ([A-Za-z0-9_-]{8,128})');
export const Sha256Hex = z.string().regex(/^[0-9a-f]{64}$/, 'a SHA-256 digest (64 lowercase hex characters)');
export const Ed25519PublicKey = base64OfLength(32);
export const X25519PublicKey = base64OfLength(32);
export const Ed25519Signature = base64OfLength(64);
export const Nonce = base64OfLength(32);
/** The largest opaque enrolment request (token signature and certificate chain): 48 KiB. */
export const MAX_ENROLMENT_REQUEST_BYTES = 48 * 1024;
/** Standard padded base64 of 1..MAX_ENROLMENT_REQUEST_BYTES bytes. */
export const EnrolmentRequestBlob = z
  .string()
  .min(4)
  .max(Math.ceil(MAX_ENROLMENT_REQUEST_BYTES / 3) * 4)
  .regex(/^(?:[A-Za-z0-9+/]{4})*(?:[A-Za-z0-9+/]{2}==|[A-Za-z0-9+/]{3}=|[A-Za-z0-9+/]{4})$/, 'base64');

// ---- routes ----------------------------------------------------------------------------

/** `GET /health` (no authentication). */
export const HealthResponse = z
  .object({
    status: z.literal('ok'),
    protocol: z.literal(1),
    /** HQ's Ed25519 public key (base64): it will sign the device directory. */
    hqSignPublicKey: Ed25519PublicKey,
  })
  .strict();
export type HealthResponse = z.infer<typeof HealthResponse>;

/**
 * `POST /v1/enroll`: a device asks to join. `proof` is the device's Ed25519 signature over
 * {@link enrolmentMessage}, proving it holds the signing key it enrols. `request` is opaque to
 * the relay today (the officer's token signature and certificate chain, checked at approval).
 */
export const EnrollRequest = z
  .object({
    signPublicKey: Ed25519PublicKey,
    boxPublicKey: X25519PublicKey,
    request: EnrolmentRequestBlob,
    proof: Ed25519Signature,
  })
  .strict();
export type EnrollRequest = z.infer<typeof EnrollRequest>;

export const DeviceStatus = z.enum(['pending', 'approved', 'revoked']);
export type DeviceStatus = z.infer<typeof DeviceStatus>;

export const EnrollResponse = z.object({ deviceId: DeviceId, status: DeviceStatus }).strict();
export type EnrollResponse = z.infer<typeof EnrollResponse>;

/** `POST /v1/auth/challenge`: a one-time nonce for an approved device. */
export const ChallengeRequest = z.object({ deviceId: DeviceId }).strict();
export type ChallengeRequest = z.infer<typeof ChallengeRequest>;
export const ChallengeResponse = z
  .object({ nonce: Nonce, expiresAt: z.number().int().nonnegative() })
  .strict();
export type ChallengeResponse = z.infer<typeof ChallengeResponse>;

/** `POST /v1/auth/session`: the signature over {@link authSessionMessage} buys a bearer token. */
export const SessionRequest = z
  .object({ deviceId: DeviceId, nonce: Nonce, signature: Ed25519Signature })
  .strict();
export type SessionRequest = z.infer<typeof SessionRequest>;
export const SessionResponse = z
  .object({ token: z.string().regex(/^[A-Za-z0-9_-]{43}$/), expiresAt: z.number().int().nonnegative() })
  .strict();
export type SessionResponse = z.infer<typeof SessionResponse>;

/** `POST /v1/mail`: announce an upload (idempotent per sender and envelope id). */
export const CreateMailRequest = z
  .object({
    recipient: DeviceId,
    envelopeId: EnvelopeId,
    size: z.number().int().min(1).max(Number.MAX_SAFE_INTEGER),
    sha256: Sha256Hex,
  })
  .strict();
export type CreateMailRequest = z.infer<typeof CreateMailRequest>;

export const MailState = z.enum(['uploading', 'complete', 'acked']);
export type MailState = z.infer<typeof MailState>;

/** The sender's view of an upload (`POST /v1/mail`, and `PATCH` when it completes). */
export const MailUploadStatus = z
  .object({ id: ItemId, offset: z.number().int().nonnegative(), size: z.number().int(), state: MailState })
  .strict();
export type MailUploadStatus = z.infer<typeof MailUploadStatus>;

/** One entry of `GET /v1/inbox?after=CURSOR`. */
export const InboxItem = z
  .object({
    id: ItemId,
    sender: DeviceId,
    envelopeId: EnvelopeId,
    size: z.number().int().positive(),
    sha256: Sha256Hex,
    /** Position in the recipient's mailbox: pass the last one seen as `after`. */
    cursor: z.number().int().positive(),
    createdAt: z.number().int().nonnegative(),
  })
  .strict();
export type InboxItem = z.infer<typeof InboxItem>;
export const InboxResponse = z
  .object({ items: z.array(InboxItem), cursor: z.number().int().nonnegative(), more: z.boolean() })
  .strict();
export type InboxResponse = z.infer<typeof InboxResponse>;

/** `POST /v1/inbox/:id/ack` takes an empty body or `{}`. */
export const AckRequest = z.object({}).strict();
export const AckResponse = z.object({ id: ItemId, state: z.literal('acked') }).strict();
export type AckResponse = z.infer<typeof AckResponse>;

/** A message on the `/v1/push` WebSocket (relay → device only). */
export const PushMessage = z.discriminatedUnion('type', [
  z.object({ type: z.literal('hello'), deviceId: DeviceId }).strict(),
  /** New mail is complete in the device's mailbox; list the inbox after your cursor. */
  z.object({ type: z.literal('mail'), cursor: z.number().int().positive() }).strict(),
]);
export type PushMessage = z.infer<typeof PushMessage>;

// ---- headers and signed messages ------------------------------------------------------

/** tus-like upload headers (`HEAD` answers with both; `PATCH` sends `Upload-Offset`). */
export const UPLOAD_OFFSET_HEADER = 'upload-offset';
export const UPLOAD_LENGTH_HEADER = 'upload-length';
/** Content types a `PATCH` chunk may carry. */
export const CHUNK_CONTENT_TYPES = ['application/offset+octet-stream', 'application/octet-stream'] as const;

/** Domain-separation labels: a signature made for one purpose never verifies for another. */
export const ENROL_CONTEXT = 'embassy-hq/v1/enroll';
export const AUTH_SESSION_CONTEXT = 'embassy-hq/v1/auth-session';

/** ASCII to bytes (shared/ has no TextEncoder); refuses anything else so no encoding is ambiguous. */
function ascii(text: string): Uint8Array {
  const out = new Uint8Array(text.length);
  for (let i = 0; i < text.length; i++) {
    const c = text.charCodeAt(i);
    if (c > 0x7e || c < 0x20) throw new Error('signed message fields must be printable ASCII');
    out[i] = c;
  }
  return out;
}

function concat(parts: readonly Uint8Array[]): Uint8Array {
  const out = new Uint8Array(parts.reduce((n, p) => n + p.length, 0));
  let at = 0;
  for (const p of parts) {
    out.set(p, at);
    at += p.length;
  }
  return out;
}

const ZERO = new Uint8Array([0]);

/**
 * What a device signs to enrol: context ‖ 0 ‖ signPublicKey ‖ boxPublicKey ‖ request. Binds
 * the box key and the request to the signing key, so nobody can enrol someone else's keys.
 */
export function enrolmentMessage(
  signPublicKey: Uint8Array,
  boxPublicKey: Uint8Array,
  request: Uint8Array,
): Uint8Array {
  return concat([ascii(ENROL_CONTEXT), ZERO, signPublicKey, boxPublicKey, request]);
}

/**
 * What a device signs to open a session: context ‖ 0 ‖ deviceId ‖ 0 ‖ HQ certificate
 * fingerprint (hex, as the device pinned it) ‖ 0 ‖ nonce. The fingerprint binds the answer to
 * the TLS endpoint the device believes it talks to: a relay behind another certificate cannot
 * forward the challenge and reuse the answer.
 */
export function authSessionMessage(
  deviceId: string,
  hqFingerprintHex: string,
  nonce: Uint8Array,
): Uint8Array {
  return concat([
    ascii(AUTH_SESSION_CONTEXT),
    ZERO,
    ascii(deviceId),
    ZERO,
    ascii(hqFingerprintHex),
    ZERO,
    nonce,
  ]);
}
