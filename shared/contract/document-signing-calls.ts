import { z } from 'zod';
import { ErrorShape } from './field-schemas';
import { DocumentDetail, RecordId } from './vault-calls';
import { PdfSignOptions, TokenSelector, VerifyReportSchema } from './signing-calls';

/**
 * Signing documents that live in the vault, and verifying what the officer sees: the UI's
 * side of signing (the `sign.files` / `verify.file` calls work on file paths, for the CLI).
 *
 * Batch signing is a job: `sign.documents` checks its input, starts one batch with one PIN
 * (one C_Login) and answers at once with a job id; `sign.progress` reports it; `sign.cancel`
 * stops it between documents. Every transport is request/response, so progress is polled.
 */

export const SignDocumentsInput = z
  .object({
    /**
     * The documents to sign, in this order: with PAdES (the default) each one's latest PDF
     * attachment; with CAdES each one's latest attachment of any kind, as a detached `.p7s`.
     */
    documentIds: z.array(RecordId).min(1).max(500),
    format: z.enum(['pades', 'cades']).optional(),
    token: TokenSelector,
    keyId: z
      .string()
      .regex(/^([0-9a-fA-F]{2}){1,64}$/)
      .optional(),
    /** Used for one C_Login and dropped: never stored, logged, echoed in errors or retried. */
    pin: z.string().min(1).max(64),
    reason: z.string().max(256).optional(),
    location: z.string().max(256).optional(),
    /** Draw a stamp (signer, time, reason) on the first page. */
    visible: z.boolean().optional(),
    /** The stamp's language (the interface's): its labels, in an embedded font with diacritics. */
    language: z.enum(['vi', 'en']).optional(),
    rsaScheme: z.enum(['pkcs1', 'pss']).optional(),
    ...PdfSignOptions,
  })
  .strict()
  .refine((v) => v.format !== 'cades' || (!v.visible && !v.field && !v.certify), {
    message: 'a stamp, a signature field or a certification needs a PDF (PAdES)',
  });

export const SignDocumentResult = z
  .object({
    documentId: RecordId,
    ok: z.boolean(),
    /** The signed PDF or the detached .p7s, stored as a new attachment of the document. */
    attachmentId: RecordId.optional(),
    error: ErrorShape.optional(),
  })
  .strict();

export const SignJobStatus = z
  .object({
    jobId: RecordId,
    state: z.enum(['running', 'done', 'failed', 'cancelled']),
    total: z.number().int().nonnegative(),
    done: z.number().int().nonnegative(),
    /** One per document finished so far, in order. */
    results: z.array(SignDocumentResult).max(500),
    /** Why the whole batch failed (wrong PIN, certificate refused, token removed…). */
    error: ErrorShape.optional(),
  })
  .strict();
export type SignJobStatus = z.infer<typeof SignJobStatus>;

/** Approve a document in review: the approver's token signs the current version (CAdES detached). */
export const DocumentsApproveInput = z
  .object({
    id: RecordId,
    token: TokenSelector,
    keyId: z
      .string()
      .regex(/^([0-9a-fA-F]{2}){1,64}$/)
      .optional(),
    /** Used for one C_Login and dropped: never stored, logged, echoed in errors or retried. */
    pin: z.string().min(1).max(64),
    rsaScheme: z.enum(['pkcs1', 'pss']).optional(),
  })
  .strict();

/** Bytes inline must fit a bridge frame: at most 2 MiB decoded, both parts together. */
export const MAX_INLINE_VERIFY_BYTES = 2 * 1024 * 1024;
const Base64 = z
  .string()
  .max(Math.ceil(MAX_INLINE_VERIFY_BYTES / 3) * 4)
  .regex(/^[A-Za-z0-9+/]*={0,2}$/);

/** An empty or signed signature field of a PDF, as the sign form lists them. */
export const SignatureFieldEntry = z
  .object({
    name: z.string().max(256),
    /** 1-based page of its widget; null when it is on no page. */
    page: z.number().int().positive().nullable(),
    signed: z.boolean(),
    /** Its widget has a box on the page (the stamp is drawn there). */
    visible: z.boolean(),
  })
  .strict();

export const documentSigningContract = {
  /** Start signing documents' PDFs with one PIN; answers the job id at once. */
  'sign.documents': { input: SignDocumentsInput, output: SignJobStatus },
  /**
   * Approve a document in review with a personal signature: the token signs a CAdES detached
   * signature over the canonical encoding of the current version (metadata, text and attachment
   * hashes); the document becomes approved and its history shows the approver, verified each
   * time it is shown. E_TRANSITION_REFUSED unless in review; token errors as for signing.
   */
  'documents.approve': { input: DocumentsApproveInput, output: DocumentDetail },
  /** Where a signing job is. */
  'sign.progress': { input: z.object({ jobId: RecordId }).strict(), output: SignJobStatus },
  /** Stop a signing job after the current document; documents already signed stay signed. */
  'sign.cancel': { input: z.object({ jobId: RecordId }).strict(), output: SignJobStatus },
  /**
   * Adds now the signature timestamps that documents signed while the TSA was away are waiting
   * for (also done after every sync round and at unlock): how many were stamped, how many wait.
   */
  'sign.timestamps': {
    input: z.object({}).strict(),
    output: z
      .object({ stamped: z.number().int().nonnegative(), pending: z.number().int().nonnegative() })
      .strict(),
  },
  /**
   * The signature fields of a PDF attachment (a form that arrived with places to sign), and
   * whether it can take a signature: certified with no changes allowed, or encrypted in a way
   * we cannot sign, is said before the PIN.
   */
  'sign.fields': {
    input: z.object({ attachmentId: RecordId }).strict(),
    output: z
      .object({
        fields: z.array(SignatureFieldEntry).max(500),
        certification: z.union([z.literal(1), z.literal(2), z.literal(3)]).nullable(),
        /** Why this PDF cannot be signed here, as an error code, or null. */
        refusal: z.string().max(64).nullable(),
      })
      .strict(),
  },
  /**
   * B-LT for a received PDF, on the officer's request: its signatures' chains and the CRLs at
   * hand (policy, configured files, its own DSS) in a DSS update, stored as a new attachment of
   * the same document (`name.lt.pdf`); the original stays.
   */
  'verify.attachmentValidationData': {
    input: z.object({ documentId: RecordId, id: RecordId }).strict(),
    output: z
      .object({
        attachmentId: RecordId,
        name: z.string().max(256),
        certs: z.number().int().nonnegative(),
        crls: z.number().int().nonnegative(),
      })
      .strict(),
  },
  /** Verify every signature of a PDF attachment in the vault. */
  'verify.attachment': { input: z.object({ id: RecordId }).strict(), output: VerifyReportSchema },
  /**
   * The verification report of a PDF attachment as a PDF to file, in `language` (verified again
   * now; `name` is only printed in it). Base64, at most 2 MiB.
   */
  'verify.attachmentReport': {
    input: z.object({ id: RecordId, name: z.string().max(256), language: z.enum(['vi', 'en']) }).strict(),
    output: z.object({ verdict: z.enum(['valid', 'invalid', 'indeterminate']), base64: Base64 }).strict(),
  },
  /** Verify a file the officer picked: a signed PDF, or content plus its detached .p7s. */
  'verify.bytes': {
    input: z
      .object({ base64: Base64, contentBase64: Base64.optional() })
      .strict()
      .refine(
        (v) => ((v.base64.length + (v.contentBase64?.length ?? 0)) / 4) * 3 <= MAX_INLINE_VERIFY_BYTES + 3,
        {
          message: 'too large to send inline',
        },
      ),
    output: VerifyReportSchema,
  },
} as const;
