import { z } from 'zod';
import { DOCUMENT_STATUSES } from '../domain/document';
import { TRANSITION_CAUSES } from '../domain/document-workflow';
import { IsoDateTime } from './vault-calls-fields';

/** A document's versions with what each changed, and its history (status, archiving, approval). */

/** The document fields a version records changes of (`documents.update` can set each). */
export const DOCUMENT_FIELDS = ['subject', 'kind', 'date', 'classification', 'from', 'to', 'body'] as const;
export type DocumentField = (typeof DOCUMENT_FIELDS)[number];

/** One field a version changed: its value before and after, as text (parties joined by "; "). */
export const FieldChange = z
  .object({
    field: z.enum(DOCUMENT_FIELDS),
    from: z.string().max(2_000_000),
    to: z.string().max(2_000_000),
  })
  .strict();
export type FieldChange = z.infer<typeof FieldChange>;

export const DocumentVersion = z
  .object({
    version: z.number().int().positive(),
    createdAt: IsoDateTime,
    /** Why this version exists: `created` (version 1) or `edited`; older vaults may hold other words. */
    note: z.string().max(500),
    /**
     * Who made it: the certificate holder of the token that opens the vault, else this
     * workstation's name in HQ's directory; empty when neither was known (the UI says "this
     * workstation").
     */
    author: z.string().max(500),
    /** What it changed against the version before (empty for version 1). */
    changes: z.array(FieldChange).max(DOCUMENT_FIELDS.length),
    body: z.string().max(2_000_000),
  })
  .strict();
export type DocumentVersion = z.infer<typeof DocumentVersion>;

/** The approver's signature over one version, checked when the document is shown. */
export const ApprovalInfo = z
  .object({
    /** The signing certificate's holder (subject common name), read from the signature. */
    signer: z.string().max(500),
    /** `valid`: the signature verifies over this version's canonical encoding, its certificate chains to a trust anchor. */
    verdict: z.enum(['valid', 'invalid', 'indeterminate']),
    /** Why not valid (an error code of the verifier). */
    reason: z.string().max(500).optional(),
  })
  .strict();
export type ApprovalInfo = z.infer<typeof ApprovalInfo>;

/** One entry of a document's history, oldest first. */
export const DocumentEvent = z
  .object({
    at: IsoDateTime,
    /** Who (as for versions). */
    actor: z.string().max(500),
    kind: z.enum(['status', 'archived', 'restored']),
    from: z.enum(DOCUMENT_STATUSES).optional(),
    to: z.enum(DOCUMENT_STATUSES).optional(),
    /** What moved it: the officer, the signing job, the outbox, a receipt. */
    cause: z.enum(TRANSITION_CAUSES).optional(),
    /** The version a status change concerns (the one approved). */
    version: z.number().int().positive().optional(),
    /** An approval: the approver's signature, verified. */
    approval: ApprovalInfo.optional(),
  })
  .strict();
export type DocumentEvent = z.infer<typeof DocumentEvent>;
