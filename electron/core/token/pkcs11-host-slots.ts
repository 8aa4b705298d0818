import pkcs11js from 'pkcs11js';
import { ErrorCode } from '../../../shared/contract/errors';
import { trim, wrap, type P11 } from './pkcs11-host-calls';
import { TokenError } from './token-errors';
import type { TokenInfo, TokenRef } from './token-protocol';

export interface SlotEntry {
  readonly slot: Buffer;
  readonly info: TokenInfo;
}

/**
 * The slots with a token present, each with what the token says of itself. Tokens are found
 * by label and serial, never by slot id (slot ids change between runs).
 */
export function readSlots(p11: P11): SlotEntry[] {
  const list = wrap(() => p11.C_GetSlotList(true));
  const out: SlotEntry[] = [];
  for (const slot of list) {
    let t: pkcs11js.TokenInfo;
    try {
      t = p11.C_GetTokenInfo(slot);
    } catch {
      continue; // pulled between the two calls
    }
    const f = t.flags;
    out.push({
      slot,
      info: {
        label: trim(t.label),
        serial: trim(t.serialNumber),
        manufacturer: trim(t.manufacturerID),
        model: trim(t.model),
        flags: {
          loginRequired: (f & pkcs11js.CKF_LOGIN_REQUIRED) !== 0,
          userPinInitialized: (f & pkcs11js.CKF_USER_PIN_INITIALIZED) !== 0,
          protectedAuthenticationPath: (f & pkcs11js.CKF_PROTECTED_AUTHENTICATION_PATH) !== 0,
          pinCountLow: (f & pkcs11js.CKF_USER_PIN_COUNT_LOW) !== 0,
          pinFinalTry: (f & pkcs11js.CKF_USER_PIN_FINAL_TRY) !== 0,
          pinLocked: (f & pkcs11js.CKF_USER_PIN_LOCKED) !== 0,
          pinToBeChanged: (f & pkcs11js.CKF_USER_PIN_TO_BE_CHANGED) !== 0,
        },
      },
    });
  }
  return out;
}

/** The first token matching the label and serial given (E_TOKEN_NOT_PRESENT if none). */
export function findSlot(p11: P11, ref: TokenRef): SlotEntry {
  const found = readSlots(p11).find(
    (s) =>
      (ref.label === undefined || s.info.label === ref.label) &&
      (ref.serial === undefined || s.info.serial === ref.serial),
  );
  if (!found) throw new TokenError(ErrorCode.TokenNotPresent);
  return found;
}

/** Whether the token with this serial has left the slot list (or the list cannot be read). */
export function tokenGone(p11: P11, serial: string): boolean {
  try {
    return !readSlots(p11).some((s) => s.info.serial === serial);
  } catch {
    return true;
  }
}
