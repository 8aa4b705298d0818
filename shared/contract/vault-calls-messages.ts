import { z } from 'zod';
import { CLASSIFICATIONS } from '../domain/classification';
import { MAX_MESSAGE_FILES, MESSAGE_STATES } from '../domain/document';
import {
  AttachmentChunk,
  AttachmentsReadInput,
  MAX_INLINE_ATTACHMENT_BYTES,
} from './vault-calls-attachments';
import { IsoDateTime, Party, RecordId } from './vault-calls-fields';

/** Message threads and their messages: lists, local drafts, read state, files. */

/** A file a message carries (sent, received, or staged for a message being written). */
export const MessageFileInfo = z
  .object({
    id: RecordId,
    name: z.string().max(255),
    mediaType: z.string().max(127),
    size: z.number().int().nonnegative(),
  })
  .strict();
export type MessageFileInfo = z.infer<typeof MessageFileInfo>;

export const MessageInfo = z
  .object({
    id: RecordId,
    threadId: RecordId,
    documentId: RecordId.nullable(),
    from: z.string().max(300),
    to: z.array(z.string().max(300)).max(200),
    body: z.string().max(1_000_000),
    state: z.enum(MESSAGE_STATES),
    read: z.boolean(),
    /** Its own marking, as its writer chose it (Unclassified for messages from before markings). */
    classification: z.enum(CLASSIFICATIONS),
    /** The files it carries, in the order they were attached. */
    files: z.array(MessageFileInfo).max(MAX_MESSAGE_FILES),
    /** Sent or received time; for drafts the last edit. */
    at: IsoDateTime,
  })
  .strict();
export type MessageInfo = z.infer<typeof MessageInfo>;

export const ThreadSummary = z
  .object({
    id: RecordId,
    subject: z.string().max(1000),
    documentId: RecordId.nullable(),
    messageCount: z.number().int().nonnegative(),
    unreadCount: z.number().int().nonnegative(),
    draftCount: z.number().int().nonnegative(),
    lastMessageAt: IsoDateTime,
    participants: z.array(z.string().max(300)).max(50),
    /** The highest marking among its messages (its subject is shown under it). */
    classification: z.enum(CLASSIFICATIONS),
  })
  .strict();
export type ThreadSummary = z.infer<typeof ThreadSummary>;

export const MessagesThreadsInput = z
  .object({
    /** Only threads linked to this document. */
    documentId: RecordId.optional(),
    unreadOnly: z.boolean().default(false),
    offset: z.number().int().nonnegative().max(10_000_000).default(0),
    limit: z.number().int().min(1).max(500).default(100),
  })
  .strict();

export const MessagesThreadsResult = z
  .object({
    total: z.number().int().nonnegative(),
    offset: z.number().int().nonnegative(),
    items: z.array(ThreadSummary),
  })
  .strict();

export const MessagesListInput = z
  .object({
    threadId: RecordId,
    offset: z.number().int().nonnegative().max(10_000_000).default(0),
    limit: z.number().int().min(1).max(500).default(200),
  })
  .strict();

export const MessagesListResult = z
  .object({
    total: z.number().int().nonnegative(),
    offset: z.number().int().nonnegative(),
    /** Oldest first. */
    items: z.array(MessageInfo),
  })
  .strict();

/**
 * Save a local draft: into an existing thread, or a new thread (give `subject`, and
 * `documentId` to link it to a document).
 */
export const MessagesAddInput = z
  .object({
    threadId: RecordId.optional(),
    subject: z.string().trim().min(1).max(1000).optional(),
    documentId: RecordId.optional(),
    from: z.string().max(300).default(''),
    to: z.array(Party).max(200).default([]),
    body: z.string().min(1).max(1_000_000),
    classification: z.enum(CLASSIFICATIONS).default('unclassified'),
  })
  .strict()
  .refine((m) => m.threadId !== undefined || m.subject !== undefined, {
    message: 'threadId or subject is required',
    path: ['threadId'],
  });

/**
 * Change a draft's text (and its recipients and marking, when given). Only drafts: a sent
 * message is history.
 */
export const MessagesUpdateDraftInput = z
  .object({
    id: RecordId,
    body: z.string().min(1).max(1_000_000),
    to: z.array(Party).max(200).optional(),
    classification: z.enum(CLASSIFICATIONS).optional(),
  })
  .strict();

/** Delete a draft (its thread goes too when nothing else is in it); E_NOT_FOUND for anything else. */
export const MessagesDeleteDraftInput = z.object({ id: RecordId }).strict();
export const MessagesDeleteDraftResult = z.object({ deleted: z.literal(true) }).strict();

export const MessagesMarkReadInput = z
  .object({
    ids: z.array(RecordId).min(1).max(1000),
    read: z.boolean().default(true),
  })
  .strict();

export const MessagesMarkReadResult = z.object({ updated: z.number().int().nonnegative() }).strict();

/**
 * A file for a message being written (at most MAX_MESSAGE_FILE_BYTES, inline): kept in the
 * vault, encrypted, until `sync.send` names it in `fileIds`; files never sent are dropped at the
 * next unlock.
 */
export const MessagesFilesAddInput = z
  .object({
    name: z.string().trim().min(1).max(255),
    mediaType: z.string().max(127).optional(),
    base64: z
      .string()
      .max(Math.ceil(MAX_INLINE_ATTACHMENT_BYTES / 3) * 4)
      .regex(/^[A-Za-z0-9+/]*={0,2}$/),
  })
  .strict();

/** The message calls (part of `vaultContract`). */
export const messageCalls = {
  /** Message threads, most recent first. */
  'messages.threads': { input: MessagesThreadsInput, output: MessagesThreadsResult },
  /** Messages of one thread, oldest first. */
  'messages.list': { input: MessagesListInput, output: MessagesListResult },
  /** Save a local draft message. */
  'messages.add': { input: MessagesAddInput, output: MessageInfo },
  /** Edit a local draft. */
  'messages.updateDraft': { input: MessagesUpdateDraftInput, output: MessageInfo },
  /** Delete a local draft. */
  'messages.deleteDraft': { input: MessagesDeleteDraftInput, output: MessagesDeleteDraftResult },
  /** Mark messages read or unread. */
  'messages.markRead': { input: MessagesMarkReadInput, output: MessagesMarkReadResult },
  /** Stage a file for a message being written (sent with `sync.send`'s `fileIds`). */
  'messages.files.add': { input: MessagesFilesAddInput, output: MessageFileInfo },
  /** A chunk of a message's file (as `attachments.read`). */
  'messages.files.read': { input: AttachmentsReadInput, output: AttachmentChunk },
} as const;
