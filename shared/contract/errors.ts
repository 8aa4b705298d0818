import { SYNC_ERROR_CODES, SyncCallErrorCode, type SyncErrorCode } from '../sync/sync-error-codes';

/**
 * Stable error codes that cross process boundaries. The UI translates them (renderer i18n
 * `errors.<CODE>`); the CLI maps them to exit codes. Never rename a code: add a new one.
 */
export const ErrorCode = {
  /** The call name is not in the contract. */
  UnknownCall: 'E_UNKNOWN_CALL',
  /** The payload failed the call's input schema (wrong type, extra field, too long…). */
  InvalidInput: 'E_INVALID_INPUT',
  /** A transport frame that is not a well-formed request (not JSON, no id, wrong shape). */
  BadRequest: 'E_BAD_REQUEST',
  /** A transport frame larger than the transport accepts. */
  PayloadTooLarge: 'E_PAYLOAD_TOO_LARGE',
  /** The caller did not present the transport's credential (bridge token). */
  Unauthorized: 'E_UNAUTHORIZED',
  /** The IPC sender is not the application's own top-level frame. */
  ForbiddenSender: 'E_FORBIDDEN_SENDER',
  /**
   * The call (or this form of it) is not open to the transport it came through: calls that
   * name a filesystem path or a library are for the command line only (shared/contract/call-access.ts).
   */
  ForbiddenTransport: 'E_FORBIDDEN_TRANSPORT',
  /** The capability exists in the contract but is not configured on this workstation. */
  NotSetUp: 'E_NOT_SET_UP',
  /** The transport to the core is down (bridge socket closed, IPC unavailable). */
  TransportClosed: 'E_TRANSPORT',
  /** The handler failed for a reason the caller cannot fix; details stay in the core. */
  Internal: 'E_INTERNAL',
  /** No vault on this workstation yet (create one first). */
  VaultAbsent: 'E_VAULT_ABSENT',
  /** The vault is locked: unlock with the token PIN or passphrase first. */
  VaultLocked: 'E_VAULT_LOCKED',
  /** A vault (or its leftover files) already exists here; wipe it before creating another. */
  VaultExists: 'E_VAULT_EXISTS',
  /** Wrong PIN or passphrase. Never retried automatically (tokens lock after a few tries). */
  WrongSecret: 'E_WRONG_SECRET',
  /** The vault belongs to another token; the message names its label, serial and holder. */
  VaultOtherToken: 'E_VAULT_OTHER_TOKEN',
  /** The vault's database or key file is damaged or truncated; the files were left untouched. */
  VaultCorrupt: 'E_VAULT_CORRUPT',
  /** The disk is full: the write was refused and everything committed before is intact. */
  DiskFull: 'E_DISK_FULL',
  /** The record (document, attachment, message, thread) does not exist. */
  NotFound: 'E_NOT_FOUND',
  /**
   * The document cannot move to that status from the one it has (shared/domain/document-workflow.ts),
   * or an approval came without its signature.
   */
  TransitionRefused: 'E_TRANSITION_REFUSED',
  /** The document is approved or later: move it back to draft before changing it. */
  DocumentNotEditable: 'E_DOCUMENT_NOT_EDITABLE',
  /** The document changed since the officer opened it (a newer version): reload, then edit. */
  DocumentChanged: 'E_DOCUMENT_CHANGED',
  /** The file is larger than the vault accepts (attachments: 200 MiB). */
  TooLarge: 'E_TOO_LARGE',
  // Token (PKCS#11). Each maps one or more CKR_ codes; see electron/core/token/token-errors.ts.
  /** The PIN was wrong. The token counts the attempt; nothing retries it. */
  TokenPinIncorrect: 'E_TOKEN_PIN_INCORRECT',
  /** The PIN is blocked after too many wrong attempts; IT must unblock it. */
  TokenPinLocked: 'E_TOKEN_PIN_LOCKED',
  /** The PIN has expired and must be changed with the token's own tool. */
  TokenPinExpired: 'E_TOKEN_PIN_EXPIRED',
  /** The PIN has the wrong length or characters for this token. */
  TokenPinInvalid: 'E_TOKEN_PIN_INVALID',
  /** No token is inserted (or none with the asked label or serial). */
  TokenNotPresent: 'E_TOKEN_NOT_PRESENT',
  /** The token was removed during the operation. */
  TokenRemoved: 'E_TOKEN_REMOVED',
  /** The token session ended (token reset, removed and reinserted, or logged out). */
  TokenSessionClosed: 'E_TOKEN_SESSION_CLOSED',
  /** The token cannot do the asked algorithm. */
  TokenMechanismUnsupported: 'E_TOKEN_MECHANISM_UNSUPPORTED',
  /** No key or certificate with the asked id on the token. */
  TokenKeyNotFound: 'E_TOKEN_KEY_NOT_FOUND',
  /** The operation needs a PIN login first. */
  TokenNotLoggedIn: 'E_TOKEN_NOT_LOGGED_IN',
  /** Another operation holds the token's login (one PIN login per token at a time). */
  TokenBusy: 'E_TOKEN_BUSY',
  /** The token or its driver failed (general error, device error). */
  TokenDeviceError: 'E_TOKEN_DEVICE_ERROR',
  /** The PKCS#11 driver (module) could not be found or loaded. */
  TokenModuleUnavailable: 'E_TOKEN_MODULE_UNAVAILABLE',
  /** The token process stopped or did not answer. */
  TokenHostFailed: 'E_TOKEN_HOST_FAILED',
  // Signing and verification.
  /** The signing certificate is expired or not yet valid. */
  SignCertNotValidNow: 'E_SIGN_CERT_NOT_VALID_NOW',
  /** The signing certificate is not meant for signatures (key usage). */
  SignCertKeyUsage: 'E_SIGN_CERT_KEY_USAGE',
  /** The signing certificate does not chain to a configured trust anchor. */
  SignCertUntrusted: 'E_SIGN_CERT_UNTRUSTED',
  /** The file cannot be signed as asked (unreadable, encrypted or damaged PDF, wrong format). */
  SignUnsupportedFile: 'E_SIGN_UNSUPPORTED_FILE',
  /** The PDF has no empty signature field with the name asked for. */
  SignFieldNotFound: 'E_SIGN_FIELD_NOT_FOUND',
  /** The PDF is encrypted in a way we cannot sign (a user password, or RC4 / AES-128). */
  SignPdfEncrypted: 'E_SIGN_PDF_ENCRYPTED',
  /** The PDF's permissions (set by its author) do not allow signing. */
  SignPdfPermissions: 'E_SIGN_PDF_PERMISSIONS',
  /** The PDF is certified with no changes allowed: another signature would break it. */
  SignCertifiedNoChanges: 'E_SIGN_CERTIFIED_NO_CHANGES',
  /** Certification asked for a PDF that is already signed (it must be the first signature). */
  SignCertifyNotFirst: 'E_SIGN_CERTIFY_NOT_FIRST',
  /**
   * Reading this PDF took longer than the PDF sandbox's time limit: its process was stopped.
   * Only this file is affected.
   */
  PdfTimeout: 'E_PDF_TIMEOUT',
  /**
   * The PDF sandbox failed on this file (its process crashed, ran out of memory, or the reader
   * gave up). Only this file is affected; the sandbox restarts for the next one.
   */
  PdfParserFailed: 'E_PDF_PARSER_FAILED',
  /** The operation was cancelled by the officer. */
  Cancelled: 'E_CANCELLED',
  /** A file could not be read or written. */
  FileAccess: 'E_FILE_ACCESS',
  /**
   * A Secret or Top secret item was to be sent or exported without the officer's confirmation
   * naming its marking (`confirmedMarking`): nothing left the vault.
   */
  MarkingUnconfirmed: 'E_MARKING_UNCONFIRMED',
  /** The time-stamping authority could not be reached or refused (a timestamp that was asked for). */
  TsaUnavailable: 'E_TSA_UNAVAILABLE',
  // IT-signed documents (docs/protocols/it-signed-v1.md) and the policy they carry.
  /** The file is not an IT-signed document of the expected kind (not JSON, wrong shape or type). */
  ItMalformed: 'E_IT_MALFORMED',
  /** A signature by one of IT's keys does not match the document: it was changed after signing. */
  ItBadSignature: 'E_IT_BAD_SIGNATURE',
  /** Fewer valid signatures than the root's threshold for this kind of document. */
  ItThreshold: 'E_IT_THRESHOLD',
  /** Signed only by keys the workstation's root does not know (another root). */
  ItUnknownRoot: 'E_IT_UNKNOWN_ROOT',
  /** The document (or the root it is checked against) has expired. */
  ItExpired: 'E_IT_EXPIRED',
  /** Older than (or a different document with the same version as) the one in force. */
  ItRollback: 'E_IT_ROLLBACK',
  /** This build has no pinned IT root, so nothing IT-signed can be accepted. */
  ItNoRoot: 'E_IT_NO_ROOT',
  /** IT's policy does not allow this token driver; it was not loaded. */
  PolicyDriverNotAllowed: 'E_POLICY_DRIVER_NOT_ALLOWED',
  /** The setting is set by IT's policy and cannot be changed here. */
  PolicySetByIt: 'E_POLICY_SET_BY_IT',
  /** IT's policy does not allow this (for example a passphrase vault without a token). */
  PolicyForbids: 'E_POLICY_FORBIDS',
  // Signed updates (docs/protocols/release-manifest-v1.md); the manifest's own signature,
  // expiry and replay refusals are the E_IT_* codes above.
  /** No update source: no policy names an update URL and no folder was given. */
  UpdateNotConfigured: 'E_UPDATE_NOT_CONFIGURED',
  /** The update source has no signed release manifest, or it could not be fetched. */
  UpdateNoManifest: 'E_UPDATE_NO_MANIFEST',
  /** The signed release is for another channel than the one IT's policy sets. */
  UpdateWrongChannel: 'E_UPDATE_WRONG_CHANNEL',
  /** The signed release is not newer than the installed version: never installed (no downgrade). */
  UpdateDowngrade: 'E_UPDATE_DOWNGRADE',
  /** The update server's metadata (version, file name, size or hash) differs from the signed release. */
  UpdateMismatch: 'E_UPDATE_MISMATCH',
  /** The downloaded file is not the one IT signed (hash or size). Nothing was installed. */
  UpdateBadFile: 'E_UPDATE_BAD_FILE',
  /** IT's release is not for this workstation yet (staged rollout or its mission's target version). */
  UpdateNotOffered: 'E_UPDATE_NOT_OFFERED',
  /** No verified update is waiting to be installed. */
  UpdateNotReady: 'E_UPDATE_NOT_READY',
  /** The update server could not be reached or answered with an error. */
  UpdateUnavailable: 'E_UPDATE_UNAVAILABLE',
  // Sync with headquarters (the codes are defined with the other sync codes).
  ...SyncCallErrorCode,
} as const;

/**
 * Every stable code: those above, and every sync code (shared/sync/sync-error-codes.ts: the
 * relay's, the relay link's, the envelope layer's and the receiver's), which reach the UI as an
 * outbox item's or a round's last error.
 */
export type ErrorCode = (typeof ErrorCode)[keyof typeof ErrorCode] | SyncErrorCode;

export const ERROR_CODES: readonly ErrorCode[] = [
  ...new Set<ErrorCode>([...Object.values(ErrorCode), ...SYNC_ERROR_CODES]),
];

export function isErrorCode(value: unknown): value is ErrorCode {
  return typeof value === 'string' && (ERROR_CODES as readonly string[]).includes(value);
}

/** The error half of a call result: a stable code and an English message for logs and developers. */
export interface ContractError {
  readonly code: ErrorCode;
  readonly message: string;
}

/**
 * Thrown inside the core to end a call with a specific code. Anything else thrown by a handler
 * becomes E_INTERNAL with a generic message, so internals (paths, keys, plaintext) never leak.
 */
export class CoreError extends Error {
  readonly code: ErrorCode;

  constructor(code: ErrorCode, message: string) {
    super(message);
    this.name = 'CoreError';
    this.code = code;
  }
}
