import { CoreError, ErrorCode, type ContractError } from '../../../../shared/contract/errors';
import { RelayErrorCode, RelayLinkErrorCode } from '../../../../shared/sync/sync-error-codes';
import { RelayClientError } from '../relay';

/** A failure as the engine reads it: a stable code, a bounded message, and whether to retry. */
export function toError(e: unknown): ContractError & { retryable: boolean } {
  if (e instanceof RelayClientError) {
    return { code: e.code, message: e.message.slice(0, 500), retryable: e.retryable };
  }
  if (e instanceof CoreError) return { code: e.code, message: e.message.slice(0, 500), retryable: false };
  return { code: ErrorCode.Internal, message: 'sync failed', retryable: true };
}

/** Relay and network codes as the contract names them. */
export function contractError(e: unknown): CoreError {
  if (e instanceof CoreError) return e;
  const { code, message } = toError(e);
  if (code === RelayLinkErrorCode.Pinning) return new CoreError(ErrorCode.SyncPinning, message);
  if (code === RelayLinkErrorCode.Network || code === RelayLinkErrorCode.Timeout)
    return new CoreError(ErrorCode.SyncOffline, message);
  if (code === RelayErrorCode.DeviceRevoked) return new CoreError(ErrorCode.SyncRevoked, message);
  if (code === RelayErrorCode.DevicePending) return new CoreError(ErrorCode.SyncPending, message);
  return new CoreError(ErrorCode.SyncRefused, `${code}: ${message}`);
}
