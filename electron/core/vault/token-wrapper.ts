import type { KeyWrapper, TokenWrappedVaultKey } from './key-wrapper';

/** What the officer supplies to use the token: which module and token, which key, the PIN. */
export interface TokenUnlockSecret {
  readonly modulePath: string;
  readonly tokenLabel: string;
  /** CKA_ID (hex) of the key pair; default: the token's only suitable key. */
  readonly keyId?: string;
  /** Used for this one operation and dropped; never stored, never retried. */
  readonly pin: string;
}

/**
 * The token binding of the vault key (implemented on the token layer). `unwrap` must refuse a
 * token that is not the one recorded in the wrapper (serial and certificate) with
 * E_VAULT_OTHER_TOKEN naming the vault's token, a wrong PIN with E_WRONG_SECRET, a missing
 * token with E_VAULT_TOKEN_ABSENT.
 */
export interface TokenKeyWrapper extends KeyWrapper<TokenWrappedVaultKey, TokenUnlockSecret> {
  /** Starts watching for the token's removal while unlocked; `onRemoved` locks the vault. */
  watchRemoval?(wrapped: TokenWrappedVaultKey, onRemoved: () => void): void;
  stopWatching?(): void;
}
