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
  /** The capability exists in the contract but is not configured on this workstation. */
  NotSetUp: 'E_NOT_SET_UP',
  /** The transport to the core is down (bridge socket closed, IPC unavailable). */
  TransportClosed: 'E_TRANSPORT',
  /** The handler failed for a reason the caller cannot fix; details stay in the core. */
  Internal: 'E_INTERNAL',
} as const;

export type ErrorCode = (typeof ErrorCode)[keyof typeof ErrorCode];

export const ERROR_CODES: readonly ErrorCode[] = Object.values(ErrorCode);

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
