import { z } from 'zod';
import {
  AttachmentChunk,
  AttachmentInfo,
  AttachmentsReadInput,
  AttachmentsUploadBeginInput,
  AttachmentsUploadIdInput,
  AttachmentUploadState,
  DocumentDetail,
  DocumentsAddInput,
  DocumentsArchiveInput,
  DocumentsListInput,
  DocumentsUpdateInput,
  DocumentsListResult,
  DocumentSummary,
  MessageFileInfo,
  MessageInfo,
  MessagesAddInput,
  MessagesFilesAddInput,
  MessagesListInput,
  MessagesListResult,
  MessagesMarkReadInput,
  MessagesUpdateDraftInput,
  MessagesDeleteDraftInput,
  MessagesDeleteDraftResult,
  MessagesMarkReadResult,
  DocumentsMarkReadInput,
  DocumentsMarkReadResult,
  MessagesThreadsInput,
  MessagesThreadsResult,
  RecordId,
  SearchInput,
  SearchResult,
} from '../../../shared/contract/vault-calls';
import { ERROR_CODES } from '../../../shared/contract/errors';
import { Bytes } from '../../../shared/contract/field-schemas';
import { CLASSIFICATIONS } from '../../../shared/domain/classification';
import { DOCUMENT_STATUSES, MESSAGE_STATES } from '../../../shared/domain/document';
import { TRANSITION_CAUSES } from '../../../shared/domain/document-workflow';
import { PassphraseWrapperRecord } from './key-file';
import { SYNC_WORKER_OPS } from '../sync/store';

/**
 * The message protocol between the vault service (caller's thread) and the vault worker (the
 * one thread that touches the database). One table: each operation's input and output schema.
 * The worker validates every request against it before running anything, the client validates
 * every answer; a key travels only inside `open` / `wrapPassphrase`, as a transferred buffer.
 */

const Unlock = z.discriminatedUnion('kind', [
  /** A vault key the caller unwrapped (token profile, or create): transferred, then zeroed here. */
  z.object({ kind: z.literal('key'), key: Bytes }).strict(),
  /** Passphrase profile: Argon2id runs here, in the worker, so the caller never waits on it. */
  z
    .object({
      kind: z.literal('passphrase'),
      passphrase: Bytes,
      wrapper: PassphraseWrapperRecord,
      vaultId: z.string(),
      kcv: Bytes,
    })
    .strict(),
]);

export const BulkMessage = z
  .object({
    from: z.string().max(300),
    to: z.array(z.string().max(300)).max(200),
    body: z.string().max(1_000_000),
    state: z.enum(MESSAGE_STATES),
    read: z.boolean(),
    classification: z.enum(CLASSIFICATIONS).default('unclassified'),
    at: z.string().max(40),
  })
  .strict();

export const BulkThread = z
  .object({
    subject: z.string().min(1).max(1000),
    /** Link to a document of the same batch (its index) or an existing one (its id). */
    documentIndex: z.number().int().nonnegative().optional(),
    documentId: RecordId.optional(),
    messages: z.array(BulkMessage).max(10_000),
  })
  .strict();

export const BulkImportInput = z
  .object({
    documents: z.array(DocumentsAddInput).max(10_000),
    threads: z.array(BulkThread).max(10_000),
  })
  .strict();
export type BulkImportInput = z.input<typeof BulkImportInput>;

/** Who does it, as the core knows them (the token certificate's holder); else the worker's fallback. */
const Actor = z.string().max(500).optional();

/** An approval as the vault stores it: the history entry it belongs to, what was signed, the signature. */
export const StoredApprovalSchema = z
  .object({ event: z.number().int().nonnegative(), content: z.string(), signature: Bytes })
  .strict();

export const DocumentDetailWithApprovals = DocumentDetail.extend({
  approvals: z.array(StoredApprovalSchema),
});

export const AttachmentSource = z.discriminatedUnion('kind', [
  z.object({ kind: z.literal('path'), path: z.string().min(1).max(4096) }).strict(),
  z.object({ kind: z.literal('bytes'), bytes: Bytes }).strict(),
]);

export const WORKER_OPS = {
  /** Open (or create) the database with a key; answers the schema version after migrations. */
  open: {
    input: z.object({ dbPath: z.string(), create: z.boolean(), unlock: Unlock }).strict(),
    output: z.object({ schemaVersion: z.number().int() }).strict(),
  },
  /** Wrap a vault key under a passphrase (Argon2id here, off the caller's thread). */
  wrapPassphrase: {
    input: z.object({ key: Bytes, passphrase: Bytes, vaultId: z.string() }).strict(),
    output: PassphraseWrapperRecord,
  },
  /** Close the database (the key goes with the connection). */
  close: { input: z.object({}).strict(), output: z.object({}).strict() },
  integrityCheck: { input: z.object({}).strict(), output: z.object({ result: z.string() }).strict() },
  'documents.list': { input: DocumentsListInput, output: DocumentsListResult },
  /** The detail with each approval's signed encoding and signature, for the core to verify. */
  'documents.get': { input: z.object({ id: RecordId }).strict(), output: DocumentDetailWithApprovals },
  'documents.add': { input: DocumentsAddInput.extend({ author: Actor }), output: DocumentSummary },
  'documents.update': {
    input: DocumentsUpdateInput.extend({ actor: Actor }),
    output: DocumentDetailWithApprovals,
  },
  /**
   * A document moved on in its workflow: by the officer, the signing job, the outbox or a
   * receipt (document-workflow-records.ts `transition`, the one function all go through).
   */
  'documents.transition': {
    input: z
      .object({
        id: RecordId,
        to: z.enum(DOCUMENT_STATUSES),
        cause: z.enum(TRANSITION_CAUSES),
        actor: Actor,
        approval: z
          .object({ content: z.string().max(4_000_000), signature: Bytes })
          .strict()
          .optional(),
      })
      .strict(),
    output: DocumentDetailWithApprovals,
  },
  /** The current version's canonical encoding, which an approver signs. */
  'documents.approvalContent': {
    input: z.object({ id: RecordId }).strict(),
    output: z.object({ version: z.number().int().positive(), content: z.string() }).strict(),
  },
  'documents.archive': { input: DocumentsArchiveInput.extend({ actor: Actor }), output: DocumentSummary },
  'attachments.add': {
    input: z
      .object({
        documentId: RecordId,
        source: AttachmentSource,
        name: z.string().min(1).max(255),
        mediaType: z.string().max(127).optional(),
      })
      .strict(),
    output: AttachmentInfo,
  },
  'attachments.read': {
    input: AttachmentsReadInput,
    output: AttachmentChunk.omit({ base64: true }).extend({ bytes: Bytes }),
  },
  'attachments.upload.begin': { input: AttachmentsUploadBeginInput, output: AttachmentUploadState },
  'attachments.upload.append': {
    input: z.object({ uploadId: RecordId, offset: z.number().int().nonnegative(), bytes: Bytes }).strict(),
    output: AttachmentUploadState,
  },
  'attachments.upload.finish': { input: AttachmentsUploadIdInput, output: AttachmentInfo },
  'attachments.upload.cancel': {
    input: AttachmentsUploadIdInput,
    output: z.object({ cancelled: z.literal(true) }).strict(),
  },
  'messages.threads': { input: MessagesThreadsInput, output: MessagesThreadsResult },
  'messages.list': { input: MessagesListInput, output: MessagesListResult },
  'messages.add': { input: MessagesAddInput, output: MessageInfo },
  'messages.markRead': { input: MessagesMarkReadInput, output: MessagesMarkReadResult },
  'messages.updateDraft': { input: MessagesUpdateDraftInput, output: MessageInfo },
  'messages.deleteDraft': { input: MessagesDeleteDraftInput, output: MessagesDeleteDraftResult },
  'messages.files.add': {
    input: MessagesFilesAddInput.omit({ base64: true }).extend({ bytes: Bytes }),
    output: MessageFileInfo,
  },
  'messages.files.read': {
    input: AttachmentsReadInput,
    output: AttachmentChunk.omit({ base64: true }).extend({ bytes: Bytes }),
  },
  /** A file of a stored message, with the message and its marking (what an export records). */
  'messages.files.get': {
    input: z.object({ id: RecordId }).strict(),
    output: z
      .object({ file: MessageFileInfo, messageId: RecordId, classification: z.enum(CLASSIFICATIONS) })
      .strict(),
  },
  'documents.markRead': { input: DocumentsMarkReadInput, output: DocumentsMarkReadResult },
  search: { input: SearchInput, output: SearchResult },
  /** Many documents, threads and messages in one transaction (sample data, imports, benches). */
  'bulk.import': {
    input: BulkImportInput,
    output: z
      .object({
        documentIds: z.array(RecordId),
        threadIds: z.array(RecordId),
        messageIds: z.array(RecordId),
      })
      .strict(),
  },
  /** Counts, for the sample-data loader and tests. */
  counts: {
    input: z.object({}).strict(),
    output: z
      .object({
        documents: z.number().int(),
        messages: z.number().int(),
        attachments: z.number().int(),
      })
      .strict(),
  },
  /** Sync's operations (device keys, directory, outbox, inbox): their table is sync's (sync/store/). */
  ...SYNC_WORKER_OPS,
} as const;

export type WorkerOp = keyof typeof WORKER_OPS;
export type WorkerInput<O extends WorkerOp> = z.input<(typeof WORKER_OPS)[O]['input']>;
export type WorkerParsedInput<O extends WorkerOp> = z.output<(typeof WORKER_OPS)[O]['input']>;
export type WorkerOutput<O extends WorkerOp> = z.output<(typeof WORKER_OPS)[O]['output']>;

export function isWorkerOp(value: unknown): value is WorkerOp {
  return typeof value === 'string' && Object.hasOwn(WORKER_OPS, value);
}

export const WorkerRequest = z
  .object({ id: z.number().int(), op: z.string().max(64), input: z.unknown() })
  .strict();

export const WorkerError = z
  .object({ code: z.enum(ERROR_CODES as [string, ...string[]]), message: z.string().max(500) })
  .strict();

export const WorkerResponse = z.discriminatedUnion('ok', [
  z.object({ id: z.number().int(), ok: z.literal(true), value: z.unknown() }).strict(),
  z.object({ id: z.number().int(), ok: z.literal(false), error: WorkerError }).strict(),
]);
export type WorkerResponse = z.infer<typeof WorkerResponse>;
