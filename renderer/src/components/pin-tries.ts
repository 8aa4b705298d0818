/** The PIN state flags a token reports (PKCS#11 CKF_USER_PIN_COUNT_LOW / _FINAL_TRY / _LOCKED). */
export interface PinFlags {
  readonly pinCountLow: boolean;
  readonly pinFinalTry: boolean;
  readonly pinLocked: boolean;
}

/**
 * What the token's own flags say about the tries left, as a locale key under `sign.tries`, or
 * null when it says nothing. PKCS#11 gives no count, only these flags, and some tokens (SoftHSM
 * among them) never set them: then nothing is claimed. The most severe flag wins.
 */
export function pinTriesKey(flags: PinFlags | undefined): 'locked' | 'finalTry' | 'countLow' | null {
  if (!flags) return null;
  if (flags.pinLocked) return 'locked';
  if (flags.pinFinalTry) return 'finalTry';
  if (flags.pinCountLow) return 'countLow';
  return null;
}
