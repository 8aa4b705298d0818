import {
  isRelayErrorCode,
  RelayErrorCode,
  RelayLinkErrorCode,
} from '../../../../shared/sync/sync-error-codes';

/**
 * The relay client's errors: one class with a stable `code` and whether trying again can help.
 * Every failure of the client reaches its caller as a {@link RelayClientError}.
 */

/**
 * Every code a {@link RelayClientError} carries, a closed list: the relay's own codes (its
 * answers' `{ error: { code } }`) and the client's link codes (the link failed before the relay
 * could answer, or the answer is not the protocol). Both are in shared/sync/sync-error-codes.ts.
 */
export type RelayClientErrorCode = RelayErrorCode | RelayLinkErrorCode;

/**
 * What a relay's code outside {@link RelayErrorCode} is read as: the answer is not the protocol
 * this client speaks. That holds for a code from a newer relay and for a relay passing its answer
 * off as the client's own finding (`E_PINNING`, `E_NETWORK`): the link codes are the client's
 * alone. The relay's code stays in the message for the log.
 */
export const UNKNOWN_RELAY_CODE: RelayClientErrorCode = RelayLinkErrorCode.Protocol;

/** A relay's answer code as the client carries it ({@link UNKNOWN_RELAY_CODE} outside the list). */
export function relayCode(code: string): RelayClientErrorCode {
  return isRelayErrorCode(code) ? code : UNKNOWN_RELAY_CODE;
}

export class RelayClientError extends Error {
  override readonly name = 'RelayClientError';
  readonly code: RelayClientErrorCode;
  readonly status?: number;
  readonly retryable: boolean;
  constructor(
    code: RelayClientErrorCode,
    message: string,
    options: { status?: number; retryable?: boolean } = {},
  ) {
    super(message);
    this.code = code;
    if (options.status !== undefined) this.status = options.status;
    this.retryable = options.retryable ?? false;
  }
}

const RETRYABLE_NETWORK = new Set([
  'ECONNRESET',
  'ECONNREFUSED',
  'ECONNABORTED',
  'EPIPE',
  'ETIMEDOUT',
  'EHOSTUNREACH',
  'ENETUNREACH',
  'ENETDOWN',
  'EAI_AGAIN',
  'ERR_STREAM_PREMATURE_CLOSE',
]);

/** A transport failure as a RelayClientError (a RelayClientError passes through). */
export function networkError(e: unknown): RelayClientError {
  if (e instanceof RelayClientError) return e;
  const code = (e as { code?: unknown } | undefined)?.code;
  const message = e instanceof Error ? e.message : 'network failure';
  // Anything else from the socket layer is a failed exchange too: retry is the safe reading.
  const known = typeof code === 'string' && RETRYABLE_NETWORK.has(code);
  return new RelayClientError(RelayLinkErrorCode.Network, known ? `${code}` : message, { retryable: true });
}

/** Retryable HTTP answers: timeouts, rate limits, busy uploads and the relay's own faults. */
export function retryableStatus(status: number, code: RelayClientErrorCode): boolean {
  return status === 408 || status === 429 || status >= 500 || code === RelayErrorCode.UploadBusy;
}

export function aborted(): RelayClientError {
  return new RelayClientError(RelayLinkErrorCode.Aborted, 'the operation was aborted');
}
