import { z } from 'zod';
import { PolicyPayload } from '../it/policy-document';
import { NoInput } from './field-schemas';
import type { PolicyCallName } from './policy-call-names';

/**
 * IT's signed policy, as the workstation holds it (docs/protocols/it-signed-v1.md#policy).
 * Import takes the file's text, so the same call serves a USB stick picked in the UI, the CLI
 * and the sync engine; nothing in the text is trusted before its signatures are checked.
 */

/** The settings a policy in force decides, which the UI shows as "set by IT" and locks. */
export const MANAGED_SETTINGS = ['idleLock', 'pkcs11Module', 'passphraseProfiles', 'escrow', 'tsa'] as const;
export type ManagedSetting = (typeof MANAGED_SETTINGS)[number];

export const PolicyStatus = z
  .object({
    /** `none`: no policy yet; `in-force`; `expired`: still applied, IT must send a newer one. */
    state: z.enum(['none', 'in-force', 'expired']),
    /** The version of IT's root in force (pinned, or reached by rotations); null: none pinned. */
    rootVersion: z.number().int().positive().nullable(),
    policy: PolicyPayload.nullable(),
    /** ms since epoch when the policy in force was applied here. */
    appliedAt: z.number().int().nonnegative().nullable(),
    managed: z.array(z.enum(MANAGED_SETTINGS)).max(MANAGED_SETTINGS.length),
  })
  .strict();
export type PolicyStatus = z.infer<typeof PolicyStatus>;

/** One signed document, or a JSON array of them: root rotations in order, then the policy. */
export const PolicyImportInput = z
  .object({
    document: z
      .string()
      .min(2)
      .max(4 * 1024 * 1024),
  })
  .strict();

export const PolicyImportResult = PolicyStatus.extend({
  /** True when the file held the policy already in force (a re-import or a sync): nothing changed. */
  unchanged: z.boolean(),
}).strict();

export const policyContract = {
  /** The policy in force and which settings it decides. Safe before unlock: policy is not secret. */
  'policy.get': { input: NoInput, output: PolicyStatus },
  /** Verify and apply IT-signed documents atomically; on any refusal the old policy stays. */
  'policy.import': { input: PolicyImportInput, output: PolicyImportResult },
} as const satisfies Record<PolicyCallName, { input: z.ZodType; output: z.ZodType }>;
