import { z } from 'zod';
import { CLASSIFICATIONS } from '../domain/classification';
import { DIRECTIONS, DOCUMENT_SORT_FIELDS, DOCUMENT_STATUSES } from '../domain/document';
import { DOCUMENT_KINDS } from '../domain/document-kinds';
import { AttachmentInfo } from './vault-calls-attachments';
import { DocumentEvent, DocumentVersion } from './vault-calls-document-history';
import { IsoDateTime, Party, RecordId } from './vault-calls-fields';
import { MessageInfo, MessagesMarkReadInput, MessagesMarkReadResult } from './vault-calls-messages';

/**
 * Documents: the registers' list, one document with its versions and history, a new document,
 * edits (a new version each), the workflow's status changes, archiving, read state.
 */

export {
  ApprovalInfo,
  DocumentEvent,
  DocumentVersion,
  FieldChange,
  DOCUMENT_FIELDS,
} from './vault-calls-document-history';
export type { DocumentField } from './vault-calls-document-history';

/** One row of the document list (no body: the list is virtualised over 100,000 rows). */
export const DocumentSummary = z
  .object({
    id: RecordId,
    /** "số/ký hiệu": `12/2026/NV` (number in its register and year, year, kind's code). */
    registryNumber: z.string().max(64),
    /** Registry date (ISO date or date-time). */
    date: IsoDateTime,
    /** The register it is in: incoming, outgoing or internal. */
    direction: z.enum(DIRECTIONS),
    kind: z.enum(DOCUMENT_KINDS),
    classification: z.enum(CLASSIFICATIONS),
    status: z.enum(DOCUMENT_STATUSES),
    subject: z.string().max(1000),
    /** The author the document itself states (for a received one: a claim, shown as metadata). */
    from: z.string().max(300),
    to: z.array(z.string().max(300)).max(200),
    /**
     * Received documents only: who sent it, "Name <address>" as the sender device's token
     * certification proves it. The UI shows this, not `from`, as the sender.
     */
    receivedFrom: z.string().max(500).optional(),
    attachmentCount: z.number().int().nonnegative(),
    unreadMessages: z.number().int().nonnegative(),
    /** Received from HQ and not opened yet (kept in the vault). */
    unread: z.boolean(),
    /** Archived: out of the default list until restored. */
    archived: z.boolean(),
    /** The current version's number. */
    version: z.number().int().positive(),
    updatedAt: IsoDateTime,
  })
  .strict();
export type DocumentSummary = z.infer<typeof DocumentSummary>;

export const DocumentsListInput = z
  .object({
    direction: z.enum(DIRECTIONS).optional(),
    status: z.enum(DOCUMENT_STATUSES).optional(),
    classification: z.enum(CLASSIFICATIONS).optional(),
    kind: z.enum(DOCUMENT_KINDS).optional(),
    /** false (default): documents in use; true: the archived ones only. */
    archived: z.boolean().default(false),
    sort: z.enum(DOCUMENT_SORT_FIELDS).default('date'),
    order: z.enum(['asc', 'desc']).default('desc'),
    offset: z.number().int().nonnegative().max(10_000_000).default(0),
    limit: z.number().int().min(1).max(500).default(100),
  })
  .strict();

export const DocumentsListResult = z
  .object({
    /** Rows matching the filters (for the virtual list's height). */
    total: z.number().int().nonnegative(),
    offset: z.number().int().nonnegative(),
    items: z.array(DocumentSummary),
  })
  .strict();
export type DocumentsListResult = z.infer<typeof DocumentsListResult>;

export const DocumentDetail = z
  .object({
    document: DocumentSummary,
    /** Oldest first; the last one is current. */
    versions: z.array(DocumentVersion),
    /** Status changes, archiving and approvals, oldest first. */
    history: z.array(DocumentEvent),
    attachments: z.array(AttachmentInfo),
    /** Messages of the threads linked to this document, oldest first (at most 500). */
    messages: z.array(MessageInfo),
  })
  .strict();
export type DocumentDetail = z.infer<typeof DocumentDetail>;

export const DocumentsAddInput = z
  .object({
    /**
     * Default: the next number of its register (direction) and year, `12/2026/NV`, allocated in
     * the vault's transaction. Given: a number from outside (a received document's own).
     */
    registryNumber: z.string().trim().min(1).max(64).optional(),
    /** Default: now. */
    date: IsoDateTime.optional(),
    direction: z.enum(DIRECTIONS).default('internal'),
    kind: z.enum(DOCUMENT_KINDS).default('other'),
    classification: z.enum(CLASSIFICATIONS).default('unclassified'),
    /** Default: where its direction starts (draft; received). Must be one of its direction's. */
    status: z.enum(DOCUMENT_STATUSES).optional(),
    subject: z.string().trim().min(1).max(1000),
    from: z.string().max(300).default(''),
    to: z.array(Party).max(200).default([]),
    /** The text of version 1. */
    body: z.string().max(2_000_000).optional(),
  })
  .strict();

/** Changes to a document's metadata or text: each call that changes something is a new version. */
export const DocumentsUpdateInput = z
  .object({
    id: RecordId,
    /** The version the officer edited: a newer one in the vault refuses the edit (E_DOCUMENT_CHANGED). */
    baseVersion: z.number().int().positive(),
    subject: z.string().trim().min(1).max(1000).optional(),
    kind: z.enum(DOCUMENT_KINDS).optional(),
    date: IsoDateTime.optional(),
    classification: z.enum(CLASSIFICATIONS).optional(),
    from: z.string().max(300).optional(),
    to: z.array(Party).max(200).optional(),
    body: z.string().max(2_000_000).optional(),
  })
  .strict();

/** A status change the officer makes (approval has its own call: it is a signature). */
export const DocumentsTransitionInput = z.object({ id: RecordId, to: z.enum(DOCUMENT_STATUSES) }).strict();

/** Archive a document (out of the default list) or restore it (undo). */
export const DocumentsArchiveInput = z.object({ id: RecordId, archived: z.boolean() }).strict();

/** Received documents marked read (opened) or unread again: the same shape as for messages. */
export const DocumentsMarkReadInput = MessagesMarkReadInput;
export const DocumentsMarkReadResult = MessagesMarkReadResult;

/** Register a received document in the incoming register; its receipt goes back to the sender. */
export const RegisterReceivedInput = z
  .object({
    id: RecordId,
    /** Default: the next number of the year's incoming register (`<n>/<year>/ĐẾN`). */
    registrationNumber: z.string().trim().min(1).max(64).optional(),
  })
  .strict();

export const RegisterReceivedResult = z
  .object({
    status: z.literal('registered'),
    registrationNumber: z.string().max(64),
    registeredAt: z.number().int().nonnegative(),
    /** `queued`: the signed receipt is in the outbox; `none`: no known sender (entered by hand). */
    receipt: z.enum(['queued', 'already-sent', 'none']),
  })
  .strict();

/** Who acknowledged a sent document (proven by their device's signature), and a received one's registration. */
export const DocumentReceipts = z
  .object({
    acknowledgements: z.array(
      z
        .object({
          address: z.string().max(254),
          name: z.string().max(300),
          registrationNumber: z.string().max(64),
          /** When the recipient registered it (their clock, as their receipt says). */
          registeredAt: z.number().int().nonnegative(),
          /** When the receipt arrived here. */
          receivedAt: z.number().int().nonnegative(),
        })
        .strict(),
    ),
    registration: z
      .object({ number: z.string().max(64), at: z.number().int().nonnegative() })
      .strict()
      .optional(),
  })
  .strict();

/** The document calls (part of `vaultContract`). */
export const documentCalls = {
  /** One page of the document list, filtered and sorted, with the total count. */
  'documents.list': { input: DocumentsListInput, output: DocumentsListResult },
  /** One document with its versions, attachments and linked messages. E_NOT_FOUND if none. */
  'documents.get': { input: z.object({ id: RecordId }).strict(), output: DocumentDetail },
  /** Register a new document (version 1 holds the body). */
  'documents.add': { input: DocumentsAddInput, output: DocumentSummary },
  /**
   * Change metadata or text: a new version recording who, when and which fields changed.
   * E_DOCUMENT_NOT_EDITABLE once approved (back to draft first), E_DOCUMENT_CHANGED when `baseVersion`
   * is not the current one. Nothing changed: no new version, the document as it is.
   */
  'documents.update': { input: DocumentsUpdateInput, output: DocumentDetail },
  /**
   * Move the document to another status of its workflow (shared/domain/document-workflow.ts),
   * recorded in its history with who and when. E_TRANSITION_REFUSED when the workflow does not
   * allow it (and for `approved`: that is `documents.approve`, a signature).
   */
  'documents.transition': { input: DocumentsTransitionInput, output: DocumentDetail },
  /** Archive (hide from the default list) or restore, recorded in the history. */
  'documents.archive': { input: DocumentsArchiveInput, output: DocumentSummary },
  /** Mark received documents read (opened) or unread again. */
  'documents.markRead': { input: DocumentsMarkReadInput, output: DocumentsMarkReadResult },
  /**
   * Register a received document: status `registered`, and a receipt signed by this device
   * queued for the device that sent it. Registering again answers the first registration.
   */
  'documents.register': { input: RegisterReceivedInput, output: RegisterReceivedResult },
  /** A document's acknowledgements of receipt (sent) or registration (received). */
  'documents.receipts': { input: z.object({ id: RecordId }).strict(), output: DocumentReceipts },
} as const;
