import { z } from 'zod';
import { CLASSIFICATIONS } from '../domain/classification';
import { DIRECTIONS, DOCUMENT_SORT_FIELDS, DOCUMENT_STATUSES } from '../domain/document';
import { AttachmentInfo } from './vault-calls-attachments';
import { IsoDateTime, Party, RecordId } from './vault-calls-fields';
import { MessageInfo, MessagesMarkReadInput, MessagesMarkReadResult } from './vault-calls-messages';

/** Documents: the registry list, one document with its versions, a new document, read state. */

/** One row of the document list (no body: the list is virtualised over 100,000 rows). */
export const DocumentSummary = z
  .object({
    id: RecordId,
    registryNumber: z.string().max(64),
    /** Registry date (ISO date or date-time). */
    date: IsoDateTime,
    direction: z.enum(DIRECTIONS),
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
    updatedAt: IsoDateTime,
  })
  .strict();
export type DocumentSummary = z.infer<typeof DocumentSummary>;

export const DocumentsListInput = z
  .object({
    direction: z.enum(DIRECTIONS).optional(),
    status: z.enum(DOCUMENT_STATUSES).optional(),
    classification: z.enum(CLASSIFICATIONS).optional(),
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

export const DocumentVersion = z
  .object({
    version: z.number().int().positive(),
    createdAt: IsoDateTime,
    /** Why this version exists ("draft", "after review"…). */
    note: z.string().max(500),
    body: z.string().max(2_000_000),
  })
  .strict();

export const DocumentDetail = z
  .object({
    document: DocumentSummary,
    /** Oldest first; the last one is current. */
    versions: z.array(DocumentVersion),
    attachments: z.array(AttachmentInfo),
    /** Messages of the threads linked to this document, oldest first (at most 500). */
    messages: z.array(MessageInfo),
  })
  .strict();
export type DocumentDetail = z.infer<typeof DocumentDetail>;

export const DocumentsAddInput = z
  .object({
    /** Default: assigned by the vault (`<year>/<sequence>`). */
    registryNumber: z.string().trim().min(1).max(64).optional(),
    /** Default: now. */
    date: IsoDateTime.optional(),
    direction: z.enum(DIRECTIONS).default('internal'),
    classification: z.enum(CLASSIFICATIONS).default('unclassified'),
    status: z.enum(DOCUMENT_STATUSES).default('draft'),
    subject: z.string().trim().min(1).max(1000),
    from: z.string().max(300).default(''),
    to: z.array(Party).max(200).default([]),
    /** The text of version 1. */
    body: z.string().max(2_000_000).optional(),
  })
  .strict();

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
