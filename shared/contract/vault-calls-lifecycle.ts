import { z } from 'zod';
import {
  MAX_IDLE_TIMEOUT_SECONDS,
  MIN_IDLE_TIMEOUT_SECONDS,
  VAULT_PROFILE_KINDS,
  VAULT_STATES,
  WIPE_CONFIRMATION,
} from '../domain/vault';
import { DriverId, ModulePath } from './field-schemas';
import { HexKeyId, IsoDateTime, NoInput, Secret } from './vault-calls-fields';

/** The vault's life cycle: status, create, unlock, lock, officer input, idle delay, wipe, sample data. */

/** The token a token profile is bound to, as recorded in the key file. */
export const VaultTokenInfo = z
  .object({
    label: z.string().max(64),
    serial: z.string().max(64),
    /** The certificate holder (subject common name) of the wrapping key. */
    holder: z.string().max(300),
    /** SHA-256 of the certificate (hex), to tell two certificates of one holder apart. */
    certFingerprint: z.string().max(128),
  })
  .strict();
export type VaultTokenInfo = z.infer<typeof VaultTokenInfo>;

export const VaultStatus = z
  .object({
    state: z.enum(VAULT_STATES),
    /** How it unlocks; null when absent. `passphrase` must be shown as the weaker profile. */
    profile: z.enum(VAULT_PROFILE_KINDS).nullable(),
    /** Token profiles: whose token the vault belongs to. */
    token: VaultTokenInfo.nullable(),
    /** True when a copy of the vault key is sealed to the HQ recovery key (policy escrow). */
    escrow: z.boolean(),
    /**
     * Auto-lock after this many seconds without officer input (`vault.touch`); background
     * calls (sync, status polls) never postpone it.
     */
    idleTimeoutSeconds: z.number().int().positive(),
    /** Seconds left before the idle auto-lock; null unless unlocked with an idle lock (the CLI has none). */
    secondsUntilAutoLock: z.number().nonnegative().nullable(),
    /** When the vault was created (ISO), null when absent. */
    createdAt: IsoDateTime.nullable(),
  })
  .strict();
export type VaultStatus = z.infer<typeof VaultStatus>;

/**
 * Create a token-bound vault: the token must be present and its PIN right. The driver is named
 * by exactly one of `driver` (an id from `resources/pkcs11-modules.json`: the renderer's way)
 * or `modulePath` (a library file: the command line's `--module`, refused over IPC and the
 * bridge with E_FORBIDDEN_TRANSPORT).
 */
export const VaultCreateToken = z
  .object({
    profile: z.literal('token'),
    /** A known driver's id (e.g. `softhsm2`, `opensc`); its installed library is used. */
    driver: DriverId.optional(),
    /** CLI only: the PKCS#11 module file (e.g. /usr/lib/softhsm/libsofthsm2.so). */
    modulePath: ModulePath.optional(),
    tokenLabel: z.string().min(1).max(64),
    /** CKA_ID of the key pair to bind to (hex); default: the token's only suitable key. */
    keyId: HexKeyId.optional(),
    pin: Secret,
  })
  .strict()
  .refine((v) => (v.driver === undefined) !== (v.modulePath === undefined), {
    message: 'exactly one of driver and modulePath',
    path: ['driver'],
  });

/** Create a passphrase profile (only for machines without a token). */
export const VaultCreatePassphrase = z
  .object({
    profile: z.literal('passphrase'),
    /** At least 12 characters: it is the only thing between a thief and the data. */
    passphrase: z.string().min(12).max(1024),
  })
  .strict();

export const VaultCreateInput = z.discriminatedUnion('profile', [VaultCreateToken, VaultCreatePassphrase]);
export type VaultCreateInput = z.infer<typeof VaultCreateInput>;

/** Unlock with the token PIN (token profile) or the passphrase (passphrase profile). */
export const VaultUnlockInput = z.union([
  z.object({ pin: Secret }).strict(),
  z.object({ passphrase: Secret }).strict(),
]);
export type VaultUnlockInput = z.infer<typeof VaultUnlockInput>;

/** Emergency wipe: the officer must type the confirmation literal. */
export const VaultWipeInput = z.object({ confirm: z.literal(WIPE_CONFIRMATION) }).strict();

export const VaultWipeResult = z
  .object({
    wiped: z.literal(true),
    /** How long the crypto-shred took (the key is unrecoverable at the end of it). */
    elapsedMs: z.number().nonnegative(),
    /**
     * Whether HQ was told first (it then revoked this device): `told`; `not-told` when offline,
     * refused, locked (the device key could not sign) or too slow; `not-enrolled`.
     */
    hq: z.enum(['told', 'not-told', 'not-enrolled']),
  })
  .strict();

export const VaultConfigureInput = z
  .object({
    idleTimeoutSeconds: z.number().int().min(MIN_IDLE_TIMEOUT_SECONDS).max(MAX_IDLE_TIMEOUT_SECONDS),
  })
  .strict();

export const SampleDataResult = z
  .object({
    documents: z.number().int().nonnegative(),
    messages: z.number().int().nonnegative(),
    attachments: z.number().int().nonnegative(),
  })
  .strict();

/** The vault's life-cycle calls (part of `vaultContract`). */
export const vaultLifecycleCalls = {
  /** State, profile and idle countdown. Safe while locked: reveals no content. Does not count as activity. */
  'vault.status': { input: NoInput, output: VaultStatus },
  /** Create the vault (fails with E_VAULT_EXISTS if one exists). Leaves it unlocked. */
  'vault.create': { input: VaultCreateInput, output: VaultStatus },
  /** Unlock. Wrong PIN/passphrase: E_WRONG_SECRET (never retried); another token: E_VAULT_OTHER_TOKEN. */
  'vault.unlock': { input: VaultUnlockInput, output: VaultStatus },
  /** Lock now: closes the database and zeroes the key. */
  'vault.lock': { input: NoInput, output: VaultStatus },
  /**
   * Officer input (sent only from real input events): restarts the idle countdown. The only
   * call that does; every other call, including every content call, leaves it running.
   */
  'vault.touch': { input: NoInput, output: VaultStatus },
  /** Set the idle auto-lock delay (settings now, policy later). */
  'vault.configure': { input: VaultConfigureInput, output: VaultStatus },
  /** Emergency crypto-shred: every wrapped key destroyed, then the files. Under a second. */
  'vault.wipe': { input: VaultWipeInput, output: VaultWipeResult },
  /** Fill a new vault with a realistic bilingual sample set (notes verbales, cables…). */
  'vault.loadSampleData': { input: NoInput, output: SampleDataResult },
} as const;
