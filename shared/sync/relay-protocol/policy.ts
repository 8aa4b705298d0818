import { z } from 'zod';

/**
 * `GET /v1/policy` (docs/protocols/relay-api-v1.md#policy): the IT-signed policy file HQ
 * published, as text. The relay is only a mirror: it neither signs nor is trusted to check
 * it; every device verifies IT's signatures (docs/protocols/it-signed-v1.md) before applying.
 */
export const MAX_POLICY_BYTES = 4 * 1024 * 1024;

export const PolicyResponse = z.object({ policy: z.string().min(2).max(MAX_POLICY_BYTES) }).strict();
export type PolicyResponse = z.infer<typeof PolicyResponse>;

/** Where the relay keeps the published file, in its data folder. */
export const POLICY_FILE_NAME = 'it-policy.json';
