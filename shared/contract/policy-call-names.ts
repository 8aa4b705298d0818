/** The policy calls' names, zod-free (the preload bundles this list). */
export const POLICY_CALL_NAMES = ['policy.get', 'policy.import'] as const;

export type PolicyCallName = (typeof POLICY_CALL_NAMES)[number];
