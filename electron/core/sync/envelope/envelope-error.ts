import type { EnvelopeErrorCode } from '../../../../shared/sync/sync-error-codes';

export type { EnvelopeErrorCode };

/** A refusal of the envelope layer, with its stable code. No message carries a key or plaintext. */
export class EnvelopeError extends Error {
  readonly code: EnvelopeErrorCode;
  constructor(code: EnvelopeErrorCode, message: string) {
    super(message);
    this.name = 'EnvelopeError';
    this.code = code;
  }
}

export function fail(code: EnvelopeErrorCode, message: string): never {
  throw new EnvelopeError(code, message);
}
