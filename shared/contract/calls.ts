import { z } from 'zod';
import { LANGUAGES } from '../domain/language';
import type { CallName } from './call-names';
import { DriverId, Hex, ModulePath, NoInput } from './field-schemas';
import { vaultContract } from './vault-calls';
import { signingContract, TsaUrl } from './signing-calls';
import { documentSigningContract } from './document-signing-calls';
import { syncContract } from './sync-calls';
import { policyContract } from './policy-calls';
import { contactContract } from './contact-calls';
import { updateContract } from './update-calls';
import { auditContract } from './audit-calls';
import { exportContract } from './export-calls';

/**
 * The contract: every call the core answers, defined once. Each entry is the call's input and
 * output schema. Inputs are `strict` (an unknown field is an error, not ignored), strings are
 * bounded, and outputs are checked too, so a handler bug fails closed instead of leaking.
 */

/** Health of one part of the workstation, as the About screen and status bar show it. */
export const PartHealth = z
  .object({
    state: z.enum(['ok', 'not-set-up', 'locked', 'degraded', 'error']),
    /** Optional stable detail key for the UI (`health.detail.<key>`), never free text. */
    detail: z.string().max(64).optional(),
  })
  .strict();
export type PartHealth = z.infer<typeof PartHealth>;

export const Health = z
  .object({
    version: z.string().max(64),
    transport: z.enum(['ipc', 'bridge', 'cli', 'direct']),
    runtime: z
      .object({
        node: z.string().max(32),
        electron: z.string().max(32).nullable(),
        platform: z.string().max(32),
        arch: z.string().max(32),
      })
      .strict(),
    /** Seconds since the core started. */
    uptimeSeconds: z.number().nonnegative(),
    parts: z
      .object({
        vault: PartHealth,
        token: PartHealth,
        hq: PartHealth,
        updates: PartHealth,
      })
      .strict(),
  })
  .strict();
export type Health = z.infer<typeof Health>;

export const Settings = z
  .object({
    language: z.enum(LANGUAGES),
    /**
     * The token driver the officer chose in the first-run wizard, by its id in
     * `resources/pkcs11-modules.json`; the core finds its library file there.
     */
    pkcs11Driver: DriverId.optional(),
    /**
     * A driver's library file named on the command line (`embassy vault init --module`); it
     * wins over `pkcs11Driver`. CLI-only: over IPC or the bridge this field is refused
     * (E_FORBIDDEN_TRANSPORT). With neither, the known drivers are probed.
     */
    pkcs11Module: ModulePath.optional(),
    /** The RFC 3161 time-stamping authority signatures are timestamped by (B-T), when set. */
    tsaUrl: TsaUrl.optional(),
    /**
     * SHA-256 (hex) of the TSA's TLS certificate, checked instead of the system CAs (HQ's TSA on
     * the relay). The enrolled relay's own pin is used without it when the TSA is on the relay.
     */
    tsaPin: Hex(32).optional(),
  })
  .strict();
export type Settings = z.infer<typeof Settings>;

export const contract = {
  /** Version and health of each core part. Safe before unlock: reveals no content. */
  'app.health': { input: NoInput, output: Health },
  /** Workstation settings that are not secret (they are stored unencrypted). */
  'settings.get': { input: NoInput, output: Settings },
  /**
   * Change some settings; answers the settings as now stored. Setting one of `pkcs11Driver`
   * and `pkcs11Module` clears the other; an unknown driver id is E_INVALID_INPUT.
   */
  'settings.update': { input: Settings.partial().strict(), output: Settings },
  ...vaultContract,
  ...signingContract,
  ...documentSigningContract,
  ...syncContract,
  ...policyContract,
  ...contactContract,
  ...updateContract,
  ...exportContract,
  ...auditContract,
} as const satisfies Record<CallName, { input: z.ZodType; output: z.ZodType }>;

export type Contract = typeof contract;
export type CallInput<N extends CallName> = z.input<Contract[N]['input']>;
export type CallOutput<N extends CallName> = z.output<Contract[N]['output']>;

// Compile-time proof that CALL_NAMES lists exactly the contract's keys.
type Exact<A, B> = [A] extends [B] ? ([B] extends [A] ? true : false) : false;
const namesMatch: Exact<keyof Contract, CallName> = true;
void namesMatch;
