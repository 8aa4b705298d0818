import { describe, expect, it } from 'vitest';
import { ERROR_CODES, ErrorCode, isErrorCode } from '../contract/errors';
import {
  EnvelopeErrorCode,
  InboxErrorCode,
  isSyncErrorCode,
  RECEIVE_REJECTION_CODES,
  RelayErrorCode,
  RelayLinkErrorCode,
  SYNC_ERROR_CODES,
  SyncCallErrorCode,
} from './sync-error-codes';

describe('sync error codes', () => {
  it('are one closed list, each in the contract error list', () => {
    const families = [
      SyncCallErrorCode,
      EnvelopeErrorCode,
      InboxErrorCode,
      RelayErrorCode,
      RelayLinkErrorCode,
    ];
    const all = new Set(families.flatMap((f) => Object.values(f) as string[]));
    expect(new Set(SYNC_ERROR_CODES)).toEqual(all);
    for (const code of SYNC_ERROR_CODES) {
      expect(ERROR_CODES, code).toContain(code);
      expect(isErrorCode(code)).toBe(true);
      expect(isSyncErrorCode(code)).toBe(true);
      expect(code).toMatch(/^E_[A-Z_]{1,40}$/);
    }
    expect(isSyncErrorCode('E_FROM_THE_FUTURE')).toBe(false);
    expect(new Set(ERROR_CODES).size).toBe(ERROR_CODES.length);
  });

  it('keeps the contract names of the sync call codes', () => {
    expect(ErrorCode.SyncNotEnrolled).toBe('E_SYNC_NOT_ENROLLED');
    expect(ErrorCode.SyncDirectoryInvalid).toBe('E_SYNC_DIRECTORY_INVALID');
  });

  it('declares the replay code the receiver answers (once a bare string)', () => {
    expect(RECEIVE_REJECTION_CODES).toContain('E_ENVELOPE_REPLAY');
    expect(RECEIVE_REJECTION_CODES).toContain('E_DIGEST_MISMATCH');
    expect(RECEIVE_REJECTION_CODES).toContain('E_ENVELOPE_SENDER_UNKNOWN');
  });
});
