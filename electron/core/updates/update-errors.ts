import { CoreError, type ErrorCode } from '../../../shared/contract/errors';
import type { ItRefusal } from '../it-signing';

/** Why an update was refused; the manifest's signature, expiry and replay reuse the IT codes. */
export type UpdateRefusal =
  | ItRefusal
  | typeof ErrorCode.UpdateNotConfigured
  | typeof ErrorCode.UpdateNoManifest
  | typeof ErrorCode.UpdateWrongChannel
  | typeof ErrorCode.UpdateDowngrade
  | typeof ErrorCode.UpdateMismatch
  | typeof ErrorCode.UpdateBadFile
  | typeof ErrorCode.UpdateNotOffered
  | typeof ErrorCode.UpdateNotReady
  | typeof ErrorCode.UpdateUnavailable;

/** A refused update: the code says why; the message adds versions and file names, never paths. */
export class UpdateError extends CoreError {
  declare readonly code: UpdateRefusal;

  constructor(code: UpdateRefusal, message: string) {
    super(code, message);
    this.name = 'UpdateError';
  }
}
