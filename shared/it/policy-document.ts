import { z } from 'zod';
import { IT_DOCUMENT_TYPES, UtcTime } from './it-document';

/**
 * The signed policy's payload (docs/protocols/it-signed-v1.md#policy): what IT sets on every
 * workstation. Strict: a field this version does not know is refused, never ignored, so a
 * policy cannot carry a rule a workstation silently skips.
 */

const Sha256Hex = z.string().regex(/^[0-9a-f]{64}$/);
const HttpsUrl = z
  .string()
  .max(2048)
  .url()
  .refine((u) => u.startsWith('https://'), 'https only');
/** A certificate or CRL, DER in standard base64 (bounded: 64 KiB decoded). */
const DerB64 = z
  .string()
  .min(4)
  .max(87_384)
  .regex(/^[A-Za-z0-9+/]+={0,2}$/);

/** One allowed token driver: an id of `resources/pkcs11-modules.json`, or one exact library. */
export const AllowedDriver = z.union([
  z.object({ id: z.string().min(1).max(64) }).strict(),
  z.object({ path: z.string().min(1).max(1024), sha256: Sha256Hex }).strict(),
]);
export type AllowedDriver = z.infer<typeof AllowedDriver>;

export const PolicyPayload = z
  .object({
    type: z.literal(IT_DOCUMENT_TYPES.policy),
    version: z.number().int().min(1).max(Number.MAX_SAFE_INTEGER),
    expires: UtcTime,
    hq: z.object({ url: HttpsUrl, certSha256: Sha256Hex }).strict(),
    signing: z
      .object({
        trustAnchors: z.array(DerB64).max(64),
        crls: z.array(DerB64).max(64),
        /**
         * Certificate policies (OIDs) a signer's path must carry one of; absent or empty: any.
         * Optional, so policies signed before it existed stay valid.
         */
        requiredPolicies: z
          .array(z.string().regex(/^[0-2](\.(0|[1-9]\d{0,9})){1,30}$/))
          .max(16)
          .optional(),
      })
      .strict(),
    pkcs11: z.object({ allowed: z.array(AllowedDriver).min(1).max(32) }).strict(),
    idleLockMinutes: z.number().int().min(1).max(480),
    passphraseProfiles: z.boolean(),
    /** HQ's X25519 recovery key (base64, 32 bytes); null: no escrow. */
    escrowKey: z
      .string()
      .length(44)
      .regex(/^[A-Za-z0-9+/]{43}=$/)
      .nullable(),
    tsaUrl: z.string().max(2048).url().nullable(),
    updates: z.object({ channel: z.string().regex(/^[a-z][a-z0-9-]{0,31}$/), url: HttpsUrl }).strict(),
    auditUploadMinutes: z.number().int().min(1).max(10_080),
    /**
     * HQ's X25519 audit key (base64, 32 bytes): every sync round seals the audit log's new
     * entries to it. Optional, so policies signed before it existed stay valid; without it the
     * log stays in the vault (never sealed to a key the relay could choose).
     */
    auditKey: z
      .string()
      .length(44)
      .regex(/^[A-Za-z0-9+/]{43}=$/)
      .optional(),
    minimumAppVersion: z.string().regex(/^\d{1,4}\.\d{1,4}\.\d{1,4}$/),
  })
  .strict();
export type PolicyPayload = z.infer<typeof PolicyPayload>;
