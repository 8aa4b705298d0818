/**
 * Every error code sync can produce, as one closed union ({@link SyncErrorCode}), in five
 * families by where the code is born. Each is also in the contract's error list
 * (shared/contract/errors.ts), so the UI has a translation for every code a sync call, an
 * outbox item or a refused envelope can carry. Never rename a code: add a new one.
 */

/** What a sync call of the contract ends with. */
export const SyncCallErrorCode = {
  /** This workstation has not enrolled with HQ yet. */
  SyncNotEnrolled: 'E_SYNC_NOT_ENROLLED',
  /** Enrolment is waiting for HQ's approval. */
  SyncPending: 'E_SYNC_PENDING',
  /** HQ revoked this workstation: it can no longer send or receive. */
  SyncRevoked: 'E_SYNC_REVOKED',
  /** HQ cannot be reached now (the outbox keeps what was sent). */
  SyncOffline: 'E_SYNC_OFFLINE',
  /** The relay's certificate is not the pinned HQ fingerprint: nothing was sent. */
  SyncPinning: 'E_SYNC_PINNING',
  /** HQ refused the request (details in the message). */
  SyncRefused: 'E_SYNC_REFUSED',
  /** A recipient has no usable device (unknown, revoked, or without current keys). */
  SyncRecipientUnavailable: 'E_SYNC_RECIPIENT_UNAVAILABLE',
  /** HQ's directory signature did not verify. */
  SyncDirectoryInvalid: 'E_SYNC_DIRECTORY_INVALID',
  /** HQ served a directory older than the one held (a rollback): refused, the held one kept. */
  SyncDirectoryRollback: 'E_SYNC_DIRECTORY_ROLLBACK',
  /**
   * HQ served a directory whose chain does not pass through the one held (a fork: another
   * history than the one this workstation was shown): refused, the held one kept.
   */
  SyncDirectoryForked: 'E_SYNC_DIRECTORY_FORKED',
  /**
   * A device in HQ's directory is not proven by its officer's token: the certification does not
   * sign its keys, does not chain to a pinned anchor, is revoked or names another address.
   */
  SyncDeviceUncertified: 'E_SYNC_DEVICE_UNCERTIFIED',
  /** The safety number the officer compared is no longer the pair's: nothing was marked. */
  SyncSafetyNumberChanged: 'E_SYNC_SAFETY_NUMBER_CHANGED',
} as const;
export type SyncCallErrorCode = (typeof SyncCallErrorCode)[keyof typeof SyncCallErrorCode];

/** Why the envelope layer refused to seal or open (electron/core/sync/envelope/). */
export const EnvelopeErrorCode = {
  Malformed: 'E_ENVELOPE_MALFORMED',
  Version: 'E_ENVELOPE_VERSION',
  Signature: 'E_ENVELOPE_SIGNATURE',
  SenderUnknown: 'E_ENVELOPE_SENDER_UNKNOWN',
  SenderRevoked: 'E_ENVELOPE_SENDER_REVOKED',
  SenderMismatch: 'E_ENVELOPE_SENDER_MISMATCH',
  NotForMe: 'E_ENVELOPE_NOT_FOR_ME',
  PrekeyUnknown: 'E_ENVELOPE_PREKEY_UNKNOWN',
  /** Sealing only: a recipient prekey is older than rotate + grace, or dated in the future. */
  PrekeyStale: 'E_ENVELOPE_PREKEY_STALE',
  Decrypt: 'E_ENVELOPE_DECRYPT',
  Truncated: 'E_ENVELOPE_TRUNCATED',
} as const;
export type EnvelopeErrorCode = (typeof EnvelopeErrorCode)[keyof typeof EnvelopeErrorCode];

/** Stable error codes of the relay (its answers' `{ error: { code } }`, shared/sync/relay-protocol). */
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
  /** Too many requests from this address or for this device; retry after `Retry-After` seconds. */
  RateLimited: 'E_RATE_LIMITED',
  /** A fault inside the relay; details stay in its log. */
  Internal: 'E_INTERNAL',
} as const;
export type RelayErrorCode = (typeof RelayErrorCode)[keyof typeof RelayErrorCode];

const RELAY_ERROR_CODES: readonly string[] = Object.values(RelayErrorCode);

/** Whether `value` is one of the relay's codes: a client reads any other code as a protocol fault. */
export function isRelayErrorCode(value: unknown): value is RelayErrorCode {
  return typeof value === 'string' && RELAY_ERROR_CODES.includes(value);
}

/** Why the receiver refused a downloaded item before or after opening it (besides the envelope's own codes). */
export const InboxErrorCode = {
  /** The bytes do not hash to the digest the relay listed. */
  DigestMismatch: RelayErrorCode.DigestMismatch,
  /** This sender's sequence number or envelope id was stored before under another relay item. */
  Replay: 'E_ENVELOPE_REPLAY',
  /** A receipt for a document this workstation never sent. */
  ReceiptUnknownDocument: 'E_RECEIPT_UNKNOWN_DOCUMENT',
  /** A receipt from an officer the document was not sent to. */
  ReceiptNotRecipient: 'E_RECEIPT_NOT_RECIPIENT',
  /** A receipt whose digest is not that of what was sent. */
  ReceiptDigestMismatch: 'E_RECEIPT_DIGEST_MISMATCH',
  /** A second receipt from the same officer for the same send. */
  ReceiptDuplicate: 'E_RECEIPT_DUPLICATE',
} as const;
export type InboxErrorCode = (typeof InboxErrorCode)[keyof typeof InboxErrorCode];

/** A refused item's code, as `sync.receive` answers and the refusal log records it. */
export type ReceiveRejectionCode = EnvelopeErrorCode | InboxErrorCode;

/** The relay client's own codes: the link failed before the relay could answer, or answered nonsense. */
export const RelayLinkErrorCode = {
  /** The connection failed or was cut (retryable). */
  Network: 'E_NETWORK',
  /** The relay did not answer in time (retryable). */
  Timeout: 'E_TIMEOUT',
  /** The relay's certificate is not the pinned one: no request byte was sent. */
  Pinning: 'E_PINNING',
  /** The answer does not match the protocol. */
  Protocol: 'E_PROTOCOL',
  /** The caller stopped the operation (lock, shutdown). */
  Aborted: 'E_ABORTED',
  /** The relay refused the push socket. */
  PushRefused: 'E_PUSH_REFUSED',
} as const;
export type RelayLinkErrorCode = (typeof RelayLinkErrorCode)[keyof typeof RelayLinkErrorCode];

/** Every sync error code: the closed union. */
export type SyncErrorCode =
  SyncCallErrorCode | EnvelopeErrorCode | InboxErrorCode | RelayErrorCode | RelayLinkErrorCode;

export const SYNC_ERROR_CODES: readonly SyncErrorCode[] = [
  ...new Set<SyncErrorCode>([
    ...Object.values(SyncCallErrorCode),
    ...Object.values(EnvelopeErrorCode),
    ...Object.values(InboxErrorCode),
    ...Object.values(RelayErrorCode),
    ...Object.values(RelayLinkErrorCode),
  ]),
];

export function isSyncErrorCode(value: unknown): value is SyncErrorCode {
  return typeof value === 'string' && (SYNC_ERROR_CODES as readonly string[]).includes(value);
}

/** Every code `sync.receive` may answer for a refused item. */
export const RECEIVE_REJECTION_CODES: readonly ReceiveRejectionCode[] = [
  ...Object.values(EnvelopeErrorCode),
  ...Object.values(InboxErrorCode),
];
