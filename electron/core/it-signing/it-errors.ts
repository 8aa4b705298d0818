import { CoreError, type ErrorCode } from '../../../shared/contract/errors';

/** Why an IT-signed document was refused; each reason is its own stable contract code. */
export type ItRefusal =
  | typeof ErrorCode.ItMalformed
  | typeof ErrorCode.ItBadSignature
  | typeof ErrorCode.ItThreshold
  | typeof ErrorCode.ItUnknownRoot
  | typeof ErrorCode.ItExpired
  | typeof ErrorCode.ItRollback
  | typeof ErrorCode.ItNoRoot;

/** A refused document: the code says why, the message adds counts and versions, never keys. */
export class ItError extends CoreError {
  declare readonly code: ItRefusal;

  constructor(code: ItRefusal, message: string) {
    super(code, message);
    this.name = 'ItError';
  }
}
