import type { RelayErrorCode } from '../../shared/sync/relay-protocol';

/** A refusal with an HTTP status and a stable code; its message is safe to show the caller. */
export class RelayError extends Error {
  override readonly name = 'RelayError';
  constructor(
    readonly status: number,
    readonly code: RelayErrorCode,
    message: string,
    /** Extra response headers (for example the current `Upload-Offset` on a mismatch). */
    readonly headers: Readonly<Record<string, string>> = {},
  ) {
    super(message);
  }
}
