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
  /** A signature did not verify (enrolment proof, token signature, prekey or challenge answer). */
  BadSignature: 'E_BAD_SIGNATURE',
  /**
   * The enrolment's certificate chain does not hold: a link does not verify or is not issued
   * by the next certificate, an issuer is not a CA, a certificate is outside its validity
   * period, or the officer's key is too weak.
   */
  CertificateInvalid: 'E_CERTIFICATE_INVALID',
  /** A prekey id was already published by this device with another key, time or signature. */
  PrekeyConflict: 'E_PREKEY_CONFLICT',
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
const BASE64 = /^(?:[A-Za-z0-9+/]{4})*(?:[A-Za-z0-9+/]{2}==|[A-Za-z0-9+/]{3}=|[A-Za-z0-9+/]{4})$/;

/** Standard padded base64 of 1..`maxBytes` bytes. */
function base64UpTo(maxBytes: number) {
  return z
    .string()
    .min(4)
    .max(Math.ceil(maxBytes / 3) * 4)
    .regex(BASE64, 'base64');
}

/** The largest enrolment request (the {@link EnrolmentCertification} JSON): 48 KiB. */
export const MAX_ENROLMENT_REQUEST_BYTES = 48 * 1024;
/** Standard padded base64 of 1..MAX_ENROLMENT_REQUEST_BYTES bytes. */
export const EnrolmentRequestBlob = base64UpTo(MAX_ENROLMENT_REQUEST_BYTES);

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

// ---- enrolment certification -----------------------------------------------------------

/** Certificates in an enrolment: the officer's token certificate, intermediates, maybe the root. */
export const MAX_ENROLMENT_CERTIFICATES = 5;
/** One DER certificate at most (base64 in the JSON). */
export const MAX_CERTIFICATE_BYTES = 16 * 1024;

/** True when `text` has no lone UTF-16 surrogate (so its UTF-8 encoding is defined). */
function wellFormed(text: string): boolean {
  for (let i = 0; i < text.length; i++) {
    const c = text.charCodeAt(i);
    if (c >= 0xd800 && c <= 0xdbff) {
      const next = text.charCodeAt(i + 1);
      if (!(next >= 0xdc00 && next <= 0xdfff)) return false;
      i++;
    } else if (c >= 0xdc00 && c <= 0xdfff) return false;
  }
  return true;
}

/** True when `text` has a C0 or C1 control character or a line/paragraph separator. */
function hasControl(text: string): boolean {
  for (let i = 0; i < text.length; i++) {
    const c = text.charCodeAt(i);
    if (c < 0x20 || (c >= 0x7f && c <= 0x9f) || c === 0x2028 || c === 0x2029) return true;
  }
  return false;
}

/** Display text: well-formed Unicode without control characters (it is shown and printed). */
function displayText(min: number, max: number) {
  return z
    .string()
    .min(min)
    .max(max)
    .refine((t) => !hasControl(t), 'no control characters')
    .refine(wellFormed, 'well-formed Unicode');
}

export const OfficerName = displayText(1, 128);
export const OfficerDepartment = displayText(0, 128);

/** How the token signed {@link tokenEnrolmentMessage}. ECDSA signatures are DER-encoded. */
export const TokenSignatureAlgorithm = z.enum(['rsa-pkcs1-sha256', 'rsa-pss-sha256', 'ecdsa-p256-sha256']);
export type TokenSignatureAlgorithm = z.infer<typeof TokenSignatureAlgorithm>;

/**
 * The enrolment request (`EnrollRequest.request`) is standard base64 of the UTF-8 JSON of this
 * object: the officer's token certifies the device keys. `tokenSignature` is the token key's
 * signature over {@link tokenEnrolmentMessage}(signPublicKey, boxPublicKey, officer.name,
 * officer.department): RSASSA-PKCS1-v1_5 with SHA-256, RSASSA-PSS with SHA-256, MGF1-SHA-256
 * and a 32-byte salt, or ECDSA P-256 with SHA-256 as a DER `Ecdsa-Sig-Value`.
 * `certificates[0]` is the token's certificate (DER, base64), then its issuers in order.
 */
export const EnrolmentCertification = z
  .object({
    version: z.literal(1),
    officer: z.object({ name: OfficerName, department: OfficerDepartment }).strict(),
    certificates: z.array(base64UpTo(MAX_CERTIFICATE_BYTES)).min(1).max(MAX_ENROLMENT_CERTIFICATES),
    algorithm: TokenSignatureAlgorithm,
    /** At most 1 KiB: an RSA-8192 signature is 1,024 bytes. */
    tokenSignature: base64UpTo(1024),
  })
  .strict();
export type EnrolmentCertification = z.infer<typeof EnrolmentCertification>;

/**
 * `POST /v1/enroll`: a device asks to join. `proof` is the device's Ed25519 signature over
 * {@link enrolmentMessage}, proving it holds the signing key it enrols. `request` is base64 of
 * the UTF-8 JSON of an {@link EnrolmentCertification}: the relay checks the certificate chain
 * and the token signature before it records the device (pending, or approved at once when the
 * chain ends at a CA the relay trusts).
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

// ---- prekeys and the directory ----------------------------------------------------------

/** A prekey id, chosen by the device: 32 lowercase hex characters. */
export const PrekeyId = z.string().regex(/^[0-9a-f]{32}$/, 'a prekey id (32 lowercase hex characters)');
/** Milliseconds since the epoch, as an exact integer. */
export const EpochMs = z.number().int().nonnegative().max(Number.MAX_SAFE_INTEGER);

/** An X25519 prekey signed by its device's Ed25519 key over {@link prekeyMessage}. */
export const SignedPrekey = z
  .object({
    prekeyId: PrekeyId,
    publicKey: X25519PublicKey,
    createdAt: EpochMs,
    signature: Ed25519Signature,
  })
  .strict();
export type SignedPrekey = z.infer<typeof SignedPrekey>;

/** Prekeys in one `PUT /v1/prekeys`. */
export const MAX_PREKEYS_PER_REQUEST = 8;
/** How far in the future a prekey's `createdAt` may be (clock skew): 5 minutes. */
export const MAX_PREKEY_CLOCK_SKEW_MS = 5 * 60_000;

/**
 * `PUT /v1/prekeys` (authenticated): publish signed prekeys. The device's current prekey (the
 * one in the directory) is its newest by `createdAt`. Publishing the same prekey again is
 * idempotent; another key, time or signature under a published id is `E_PREKEY_CONFLICT`.
 */
export const PublishPrekeysRequest = z
  .object({ prekeys: z.array(SignedPrekey).min(1).max(MAX_PREKEYS_PER_REQUEST) })
  .strict();
export type PublishPrekeysRequest = z.infer<typeof PublishPrekeysRequest>;
export const PublishPrekeysResponse = z.object({ current: PrekeyId }).strict();
export type PublishPrekeysResponse = z.infer<typeof PublishPrekeysResponse>;

/**
 * An officer's address in the directory: the token certificate's first rfc822Name (e-mail)
 * subject alternative name, lowercased; without one, the subject CN lowercased with each run
 * of white space turned into one '.'. Never empty, no white space or control characters.
 */
export const OfficerAddress = z
  .string()
  .min(1)
  .max(320)
  .regex(/^\S+$/, 'an officer address (no white space)')
  .refine((t) => !hasControl(t), 'no control characters')
  .refine(wellFormed, 'well-formed Unicode');

export const DirectoryDevice = z
  .object({
    deviceId: DeviceId,
    signPublicKey: Ed25519PublicKey,
    boxPublicKey: X25519PublicKey,
    /** Revoked devices stay listed, so that others stop encrypting to them and can warn. */
    status: z.enum(['approved', 'revoked']),
    /** SHA-256 (lowercase hex) of the token certificate (DER) that certified the device. */
    certificateFingerprint: Sha256Hex,
    /** The device's current signed prekey; absent until it publishes one. */
    prekey: SignedPrekey.optional(),
  })
  .strict();
export type DirectoryDevice = z.infer<typeof DirectoryDevice>;

export const DirectoryOfficer = z
  .object({
    address: OfficerAddress,
    name: OfficerName,
    department: OfficerDepartment,
    devices: z.array(DirectoryDevice).min(1),
  })
  .strict();
export type DirectoryOfficer = z.infer<typeof DirectoryOfficer>;

/**
 * The HQ-signed device directory. `serial` grows strictly with every change of a device or
 * prekey at the relay: a client keeps the highest serial it has accepted and refuses an older
 * directory (a relay replaying an old one could hide a revocation). Officers are sorted by
 * address, devices by id. Pending devices are not listed.
 */
export const Directory = z
  .object({
    version: z.literal(1),
    serial: z.number().int().nonnegative().max(Number.MAX_SAFE_INTEGER),
    issuedAt: EpochMs,
    officers: z.array(DirectoryOfficer),
  })
  .strict();
export type Directory = z.infer<typeof Directory>;

/** The largest directory the relay serves and a client accepts: 16 MiB of JSON. */
export const MAX_DIRECTORY_BYTES = 16 * 1024 * 1024;

/**
 * `GET /v1/directory` (authenticated): `directory` is base64 of the directory's UTF-8 JSON
 * bytes, `signature` HQ's Ed25519 signature over {@link directoryMessage} of those bytes (the
 * key in `GET /health`, which clients pin at enrolment).
 */
export const DirectoryResponse = z
  .object({ directory: base64UpTo(MAX_DIRECTORY_BYTES), signature: Ed25519Signature })
  .strict();
export type DirectoryResponse = z.infer<typeof DirectoryResponse>;

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
export const TOKEN_ENROL_CONTEXT = 'embassy-hq/v1/token-enroll';
export const PREKEY_CONTEXT = 'embassy/v1/prekey';
export const DIRECTORY_CONTEXT = 'embassy-hq/v1/directory';

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

/**
 * UTF-8 of well-formed text (shared/ has no TextEncoder). A lone surrogate is refused rather
 * than replaced, so two different strings never sign as the same bytes.
 */
export function utf8Encode(text: string): Uint8Array {
  const out: number[] = [];
  for (let i = 0; i < text.length; i++) {
    let c = text.charCodeAt(i);
    if (c >= 0xd800 && c <= 0xdbff) {
      const next = text.charCodeAt(i + 1);
      if (!(next >= 0xdc00 && next <= 0xdfff)) throw new Error('text is not well-formed Unicode');
      c = 0x10000 + ((c - 0xd800) << 10) + (next - 0xdc00);
      i++;
    } else if (c >= 0xdc00 && c <= 0xdfff) throw new Error('text is not well-formed Unicode');
    if (c < 0x80) out.push(c);
    else if (c < 0x800) out.push(0xc0 | (c >> 6), 0x80 | (c & 0x3f));
    else if (c < 0x10000) out.push(0xe0 | (c >> 12), 0x80 | ((c >> 6) & 0x3f), 0x80 | (c & 0x3f));
    else out.push(0xf0 | (c >> 18), 0x80 | ((c >> 12) & 0x3f), 0x80 | ((c >> 6) & 0x3f), 0x80 | (c & 0x3f));
  }
  return Uint8Array.from(out);
}

/** 4-byte big-endian length, then the bytes: no field can run into the next. */
function lengthPrefixed(bytes: Uint8Array): Uint8Array {
  const n = bytes.length;
  return concat([new Uint8Array([(n >>> 24) & 0xff, (n >>> 16) & 0xff, (n >>> 8) & 0xff, n & 0xff]), bytes]);
}

/** An exact non-negative integer (≤ 2^53 − 1) as 8 bytes, big-endian. */
function uint64be(value: number): Uint8Array {
  if (!Number.isSafeInteger(value) || value < 0) throw new Error('expected a non-negative safe integer');
  const high = Math.floor(value / 0x1_0000_0000);
  const low = value % 0x1_0000_0000;
  const out = new Uint8Array(8);
  for (let i = 0; i < 4; i++) {
    out[3 - i] = (high >>> (8 * i)) & 0xff;
    out[7 - i] = (low >>> (8 * i)) & 0xff;
  }
  return out;
}

function key32(key: Uint8Array, what: string): Uint8Array {
  if (key.length !== 32) throw new Error(`${what} must be 32 bytes`);
  return key;
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

/**
 * What the officer's token signs to certify a device (see {@link EnrolmentCertification}):
 * `embassy-hq/v1/token-enroll` ‖ 0 ‖ signPublicKey (32) ‖ boxPublicKey (32) ‖ 0 ‖
 * len(name) ‖ UTF-8 name ‖ len(department) ‖ UTF-8 department, each length 4 bytes big-endian.
 * The token's own hash-and-sign (SHA-256) is applied to these bytes, not a digest of them.
 */
export function tokenEnrolmentMessage(
  signPublicKey: Uint8Array,
  boxPublicKey: Uint8Array,
  officerName: string,
  department: string,
): Uint8Array {
  return concat([
    ascii(TOKEN_ENROL_CONTEXT),
    ZERO,
    key32(signPublicKey, 'signPublicKey'),
    key32(boxPublicKey, 'boxPublicKey'),
    ZERO,
    lengthPrefixed(utf8Encode(officerName)),
    lengthPrefixed(utf8Encode(department)),
  ]);
}

/**
 * What a device signs (Ed25519) to publish a prekey: `embassy/v1/prekey` ‖ 0 ‖ deviceId (ASCII
 * hex) ‖ 0 ‖ prekeyId (ASCII hex) ‖ 0 ‖ publicKey (32) ‖ createdAt (8 bytes big-endian, ms).
 */
export function prekeyMessage(
  deviceId: string,
  prekeyId: string,
  publicKey: Uint8Array,
  createdAt: number,
): Uint8Array {
  return concat([
    ascii(PREKEY_CONTEXT),
    ZERO,
    ascii(deviceId),
    ZERO,
    ascii(prekeyId),
    ZERO,
    key32(publicKey, 'publicKey'),
    uint64be(createdAt),
  ]);
}

/** What HQ signs (Ed25519) for the directory: `embassy-hq/v1/directory` ‖ 0 ‖ directory bytes. */
export function directoryMessage(directoryBytes: Uint8Array): Uint8Array {
  return concat([ascii(DIRECTORY_CONTEXT), ZERO, directoryBytes]);
}
