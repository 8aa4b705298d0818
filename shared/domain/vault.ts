/**
 * States and profile kinds of the encrypted local cache (the vault), as the UI shows them.
 */

/** `absent`: no vault on this workstation yet; `locked`: exists, key not in memory. */
export const VAULT_STATES = ['absent', 'locked', 'unlocked'] as const;
export type VaultState = (typeof VAULT_STATES)[number];

/**
 * How the vault key is unlocked. `token` is the norm; `passphrase` exists only for machines
 * without a token and the UI must mark it as the weaker profile.
 */
export const VAULT_PROFILE_KINDS = ['token', 'passphrase'] as const;
export type VaultProfileKind = (typeof VAULT_PROFILE_KINDS)[number];

/** Idle auto-lock default: 10 minutes. */
export const DEFAULT_IDLE_TIMEOUT_SECONDS = 600;
/** Bounds for the idle timeout the officer or policy may set: 30 s to 8 h. */
export const MIN_IDLE_TIMEOUT_SECONDS = 30;
export const MAX_IDLE_TIMEOUT_SECONDS = 8 * 3600;

/** The literal the officer must send to confirm an emergency wipe. */
export const WIPE_CONFIRMATION = 'WIPE';
