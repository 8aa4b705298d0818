/**
 * The relay client's errors: one class with a stable `code` and whether trying again can help.
 * Every failure of the client reaches its caller as a {@link RelayClientError}.
 */

export type RelayClientErrorCode =
  'E_NETWORK' | 'E_TIMEOUT' | 'E_PINNING' | 'E_PROTOCOL' | 'E_ABORTED' | (string & Record<never, never>);

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
  return new RelayClientError('E_NETWORK', known ? `${code}` : message, { retryable: true });
}

/** Retryable HTTP answers: timeouts, rate limits, busy uploads and the relay's own faults. */
export function retryableStatus(status: number, code: string): boolean {
  return status === 408 || status === 429 || status >= 500 || code === 'E_UPLOAD_BUSY';
}

export function aborted(): RelayClientError {
  return new RelayClientError('E_ABORTED', 'the operation was aborted');
}
