import { z } from 'zod';

/**
 * `POST /v1/audit` (docs/protocols/relay-api-v1.md#audit): one batch of the device's audit log,
 * sealed (libsodium sealed box) to HQ's audit key from IT's signed policy. The relay cannot
 * open it; it stores it under the authenticated device and HQ checks the log offline
 * (`embassy hq audit verify`). `first` and `count` are the device's claim, kept for listing
 * only: HQ trusts what the sealed batch says, checked against the chain.
 */
export const MAX_AUDIT_BATCH_BYTES = 60 * 1024;

export const AuditUploadRequest = z
  .object({
    first: z.number().int().min(1).max(Number.MAX_SAFE_INTEGER),
    count: z.number().int().min(0).max(1024),
    sealed: z
      .string()
      .max(Math.ceil(MAX_AUDIT_BATCH_BYTES / 3) * 4)
      .regex(/^[A-Za-z0-9+/]+={0,2}$/),
  })
  .strict();
export type AuditUploadRequest = z.infer<typeof AuditUploadRequest>;

export const AuditUploadResponse = z.object({ stored: z.literal(true) }).strict();
export type AuditUploadResponse = z.infer<typeof AuditUploadResponse>;
