import { z } from 'zod';
import { MAX_ATTACHMENT_BYTES } from '../domain/document';
import { IsoDateTime, RecordId } from './vault-calls-fields';

/** Attachments of documents: added from a file or bytes, uploaded in pieces, read in chunks. */

export const AttachmentInfo = z
  .object({
    id: RecordId,
    documentId: RecordId,
    name: z.string().max(255),
    mediaType: z.string().max(127),
    size: z.number().int().nonnegative(),
    /** SHA-256 of the content (hex). */
    sha256: z.string().max(64),
    /** True when its text (PDF) is in the search index. */
    textIndexed: z.boolean(),
    createdAt: IsoDateTime,
  })
  .strict();
export type AttachmentInfo = z.infer<typeof AttachmentInfo>;

/** Bytes sent inline must fit a bridge frame (4 MiB) after base64: at most 2 MiB. */
export const MAX_INLINE_ATTACHMENT_BYTES = 2 * 1024 * 1024;
/** The largest chunk `attachments.read` returns at once. */
export const MAX_ATTACHMENT_READ_BYTES = 1024 * 1024;

export const AttachmentsAddInput = z
  .object({
    documentId: RecordId,
    source: z.discriminatedUnion('kind', [
      /** A local file, streamed into the vault in chunks (up to 200 MiB). */
      z.object({ kind: z.literal('path'), path: z.string().min(1).max(4096) }).strict(),
      /** Small content sent inline, base64 (at most 2 MiB decoded). */
      z
        .object({
          kind: z.literal('bytes'),
          base64: z
            .string()
            .max(Math.ceil(MAX_INLINE_ATTACHMENT_BYTES / 3) * 4)
            .regex(/^[A-Za-z0-9+/]*={0,2}$/),
        })
        .strict(),
    ]),
    /** Display name; default: the file's base name (required for bytes). */
    name: z.string().trim().min(1).max(255).optional(),
    /** Default: from the name's extension (PDF sniffed from content). */
    mediaType: z.string().max(127).optional(),
  })
  .strict();

/**
 * A file of any size from the interface, in pieces: `begin` names it, each `append` brings
 * the next UPLOAD_PIECE_BYTES (only the last piece may be shorter), `finish` turns the staged
 * pieces into the attachment in one transaction, `cancel` drops them. Pieces are staged in the
 * encrypted vault (never a temp file); uploads left unfinished are dropped at the next unlock.
 */
export const UPLOAD_PIECE_BYTES = 256 * 1024;

export const AttachmentsUploadBeginInput = z
  .object({
    documentId: RecordId,
    name: z.string().trim().min(1).max(255),
    size: z.number().int().nonnegative().max(MAX_ATTACHMENT_BYTES),
    mediaType: z.string().max(127).optional(),
  })
  .strict();

export const AttachmentsUploadAppendInput = z
  .object({
    uploadId: RecordId,
    /** Where this piece starts: the bytes received so far (a repeated piece is answered, not stored twice). */
    offset: z.number().int().nonnegative().max(MAX_ATTACHMENT_BYTES),
    base64: z
      .string()
      .min(1)
      .max(Math.ceil(UPLOAD_PIECE_BYTES / 3) * 4)
      .regex(/^[A-Za-z0-9+/]*={0,2}$/),
  })
  .strict();

export const AttachmentsUploadIdInput = z.object({ uploadId: RecordId }).strict();

export const AttachmentUploadState = z
  .object({
    uploadId: RecordId,
    received: z.number().int().nonnegative(),
    size: z.number().int().nonnegative(),
  })
  .strict();
export type AttachmentUploadState = z.infer<typeof AttachmentUploadState>;

export const AttachmentsReadInput = z
  .object({
    id: RecordId,
    offset: z.number().int().nonnegative().max(MAX_ATTACHMENT_BYTES).default(0),
    length: z.number().int().min(1).max(MAX_ATTACHMENT_READ_BYTES).default(MAX_ATTACHMENT_READ_BYTES),
  })
  .strict();

export const AttachmentChunk = z
  .object({
    id: RecordId,
    offset: z.number().int().nonnegative(),
    /** The bytes at [offset, offset + decoded length), base64. */
    base64: z.string(),
    /** The whole attachment's size. */
    size: z.number().int().nonnegative(),
    /** True when this chunk reaches the end. */
    eof: z.boolean(),
  })
  .strict();
export type AttachmentChunk = z.infer<typeof AttachmentChunk>;

/** The attachment calls (part of `vaultContract`). */
export const attachmentCalls = {
  /** Attach a file or bytes to a document; PDFs get their text indexed for search. */
  'attachments.add': { input: AttachmentsAddInput, output: AttachmentInfo },
  /** A chunk of an attachment's bytes (the PDF preview reads in 1 MiB pieces). */
  'attachments.read': { input: AttachmentsReadInput, output: AttachmentChunk },
  /** Start a piece-by-piece upload (any size up to 200 MiB) to a document. */
  'attachments.upload.begin': { input: AttachmentsUploadBeginInput, output: AttachmentUploadState },
  /** The next piece. E_INVALID_INPUT for a piece out of place or of the wrong size. */
  'attachments.upload.append': { input: AttachmentsUploadAppendInput, output: AttachmentUploadState },
  /** All pieces in: the attachment (PDF text indexed as with attachments.add). */
  'attachments.upload.finish': { input: AttachmentsUploadIdInput, output: AttachmentInfo },
  /** Drop an upload and its staged pieces. */
  'attachments.upload.cancel': {
    input: AttachmentsUploadIdInput,
    output: z.object({ cancelled: z.literal(true) }).strict(),
  },
} as const;
