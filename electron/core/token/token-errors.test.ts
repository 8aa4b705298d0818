import { describe, expect, it } from 'vitest';
import { ERROR_CODES } from '../../../shared/contract/errors';
import {
  CKF_USER_PIN_COUNT_LOW,
  CKF_USER_PIN_FINAL_TRY,
  CKF_USER_PIN_LOCKED,
  CKR,
  TOKEN_MESSAGES,
  TokenError,
  ckrName,
  pinTriesHint,
  tokenErrorCodeFor,
  tokenErrorFromCkr,
} from './token-errors';

describe('CKR → TokenError mapping', () => {
  const cases: [keyof typeof CKR, string][] = [
    ['PIN_INCORRECT', 'E_TOKEN_PIN_INCORRECT'],
    ['PIN_LOCKED', 'E_TOKEN_PIN_LOCKED'],
    ['PIN_EXPIRED', 'E_TOKEN_PIN_EXPIRED'],
    ['PIN_LEN_RANGE', 'E_TOKEN_PIN_INVALID'],
    ['PIN_INVALID', 'E_TOKEN_PIN_INVALID'],
    ['TOKEN_NOT_PRESENT', 'E_TOKEN_NOT_PRESENT'],
    ['DEVICE_REMOVED', 'E_TOKEN_REMOVED'],
    ['SESSION_CLOSED', 'E_TOKEN_SESSION_CLOSED'],
    ['SESSION_HANDLE_INVALID', 'E_TOKEN_SESSION_CLOSED'],
    ['MECHANISM_INVALID', 'E_TOKEN_MECHANISM_UNSUPPORTED'],
    ['MECHANISM_PARAM_INVALID', 'E_TOKEN_MECHANISM_UNSUPPORTED'],
    ['KEY_HANDLE_INVALID', 'E_TOKEN_KEY_NOT_FOUND'],
    ['OBJECT_HANDLE_INVALID', 'E_TOKEN_KEY_NOT_FOUND'],
    ['USER_NOT_LOGGED_IN', 'E_TOKEN_NOT_LOGGED_IN'],
    ['USER_ALREADY_LOGGED_IN', 'E_TOKEN_BUSY'],
    ['GENERAL_ERROR', 'E_TOKEN_DEVICE_ERROR'],
    ['DEVICE_ERROR', 'E_TOKEN_DEVICE_ERROR'],
  ];
  it.each(cases)('CKR_%s → %s', (name, code) => {
    expect(tokenErrorCodeFor(CKR[name])).toBe(code);
    const e = tokenErrorFromCkr(CKR[name]);
    expect(e).toBeInstanceOf(TokenError);
    expect(e.code).toBe(code);
    expect(e.ckr).toBe(`CKR_${name}`);
    expect(e.message).toContain(`CKR_${name}`);
  });

  it('an unknown return value is a device error (fail closed), named by its hex', () => {
    expect(tokenErrorCodeFor(0x12345)).toBe('E_TOKEN_DEVICE_ERROR');
    expect(ckrName(0x12345)).toBe('CKR_0x00012345');
  });

  it('every token code is a contract code with both languages', () => {
    for (const [code, text] of Object.entries(TOKEN_MESSAGES)) {
      expect(ERROR_CODES).toContain(code);
      expect(text.en.length).toBeGreaterThan(3);
      expect(text.vi.length).toBeGreaterThan(3);
    }
  });

  it('a general error while the token has left the slot list reads as removed', () => {
    expect(tokenErrorFromCkr(CKR.GENERAL_ERROR, { removed: true }).code).toBe('E_TOKEN_REMOVED');
    expect(tokenErrorFromCkr(CKR.OBJECT_HANDLE_INVALID, { removed: true }).code).toBe('E_TOKEN_REMOVED');
  });

  it('reports PIN tries from the token flags (SoftHSM never sets them, so this is unit-only)', () => {
    expect(pinTriesHint(0)).toBeUndefined();
    expect(pinTriesHint(CKF_USER_PIN_COUNT_LOW)).toBe('low');
    expect(pinTriesHint(CKF_USER_PIN_COUNT_LOW | CKF_USER_PIN_FINAL_TRY)).toBe('final-try');
    expect(pinTriesHint(CKF_USER_PIN_LOCKED | CKF_USER_PIN_COUNT_LOW)).toBe('locked');
    const low = tokenErrorFromCkr(CKR.PIN_INCORRECT, { tokenFlags: CKF_USER_PIN_FINAL_TRY });
    expect(low.code).toBe('E_TOKEN_PIN_INCORRECT');
    expect(low.triesHint).toBe('final-try');
    expect(low.messages.en).toContain('one try is left');
    expect(low.messages.vi).toContain('một lần thử');
  });

  it('a wrong PIN that locks the token (flags say locked) is reported as locked', () => {
    const e = tokenErrorFromCkr(CKR.PIN_INCORRECT, { tokenFlags: CKF_USER_PIN_LOCKED });
    expect(e.code).toBe('E_TOKEN_PIN_LOCKED');
    expect(tokenErrorFromCkr(CKR.PIN_LOCKED).messages.vi).toContain('khóa');
  });
});
