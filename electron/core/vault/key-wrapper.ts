import type { VaultKey } from './vault-key';
import type { WrapperRecord } from './key-file';

declare const brand: unique symbol;
type Brand<T, B extends string> = T & { readonly [brand]: B };

/** The vault key wrapped by the officer's token (a key-file record, never usable as a key). */
export type TokenWrappedVaultKey = Brand<Extract<WrapperRecord, { kind: 'token' }>, 'TokenWrapped'>;
/** The vault key wrapped under an Argon2id-derived key. */
export type PassphraseWrappedVaultKey = Brand<
  Extract<WrapperRecord, { kind: 'passphrase' }>,
  'PassphraseWrapped'
>;
/** The vault key sealed to the HQ recovery key (escrow). */
export type EscrowWrappedVaultKey = Brand<Extract<WrapperRecord, { kind: 'escrow' }>, 'EscrowWrapped'>;

/** What every wrap is bound to (its associated data). */
export interface WrapContext {
  readonly vaultId: string;
}

/**
 * One way to protect the vault key. `S` is what the officer supplies (passphrase bytes, token
 * PIN); wrapping may need it too (a token that may only sign must sign the challenge). `wrap`
 * never keeps the key; `unwrap` returns a fresh copy the caller must zero or transfer. A
 * wrong secret rejects with E_WRONG_SECRET; nothing ever falls back to a weaker path.
 */
export interface KeyWrapper<W, S> {
  wrap(key: VaultKey, secret: S, ctx: WrapContext): Promise<W>;
  unwrap(wrapped: W, secret: S, ctx: WrapContext): Promise<VaultKey>;
}

/** Brands a token wrapper read from a validated key file. */
export function asTokenWrapped(record: Extract<WrapperRecord, { kind: 'token' }>): TokenWrappedVaultKey {
  return record as TokenWrappedVaultKey;
}

/** Brands a passphrase wrapper read from a validated key file. */
export function asPassphraseWrapped(
  record: Extract<WrapperRecord, { kind: 'passphrase' }>,
): PassphraseWrappedVaultKey {
  return record as PassphraseWrappedVaultKey;
}
