import { z } from 'zod';
import { CLASSIFICATIONS } from '../domain/classification';
import {
  DIRECTIONS,
  DOCUMENT_SORT_FIELDS,
  DOCUMENT_STATUSES,
  MAX_ATTACHMENT_BYTES,
  MESSAGE_STATES,
  SEARCH_HIT_KINDS,
} from '../domain/document';
import type { VaultCallName } from './vault-call-names';
import {
  MAX_IDLE_TIMEOUT_SECONDS,
  MIN_IDLE_TIMEOUT_SECONDS,
  VAULT_PROFILE_KINDS,
  VAULT_STATES,
  WIPE_CONFIRMATION,
} from '../domain/vault';

/**
 * The vault's calls (issue 3): the encrypted local cache of documents, attachments and
 * messages, its search, lock and wipe. Spread into the contract table in `calls.ts`.
 *
 * Every content call fails with `E_VAULT_ABSENT` before a vault exists and `E_VAULT_LOCKED`
 * while it is locked. Ids are opaque strings (UUIDs); timestamps are ISO 8601 UTC strings.
 */

const NoInput = z.object({}).strict();
/** Opaque record id (a UUID today). */
export const RecordId = z.string().min(1).max(64);
const IsoDateTime = z.string().max(40);
const Party = z.string().trim().min(1).max(300);
/** A PIN or passphrase: never logged, never echoed in errors. */
const Secret = z.string().min(1).max(1024);
const HexKeyId = z
  .string()
  .regex(/^[0-9a-fA-F]{2,128}$/)
  .refine((s) => s.length % 2 === 0, 'even number of hex digits');

// ─── vault life cycle ───────────────────────────────────────────────────────────────────────

/** The token a token profile is bound to, as recorded in the key file. */
export const VaultTokenInfo = z
  .object({
    label: z.string().max(64),
    serial: z.string().max(64),
    /** The certificate holder (subject common name) of the wrapping key. */
    holder: z.string().max(300),
    /** SHA-256 of the certificate (hex), to tell two certificates of one holder apart. */
    certFingerprint: z.string().max(128),
  })
  .strict();
export type VaultTokenInfo = z.infer<typeof VaultTokenInfo>;

export const VaultStatus = z
  .object({
    state: z.enum(VAULT_STATES),
    /** How it unlocks; null when absent. `passphrase` must be shown as the weaker profile. */
    profile: z.enum(VAULT_PROFILE_KINDS).nullable(),
    /** Token profiles: whose token the vault belongs to. */
    token: VaultTokenInfo.nullable(),
    /** True when a copy of the vault key is sealed to the HQ recovery key (policy escrow). */
    escrow: z.boolean(),
    /**
     * Auto-lock after this many seconds without officer input (`vault.touch`); background
     * calls (sync, status polls) never postpone it.
     */
    idleTimeoutSeconds: z.number().int().positive(),
    /** Seconds left before the idle auto-lock; null unless unlocked with an idle lock (the CLI has none). */
    secondsUntilAutoLock: z.number().nonnegative().nullable(),
    /** When the vault was created (ISO), null when absent. */
    createdAt: IsoDateTime.nullable(),
  })
  .strict();
export type VaultStatus = z.infer<typeof VaultStatus>;

/** Create a token-bound vault: the token must be present and its PIN right. */
export const VaultCreateToken = z
  .object({
    profile: z.literal('token'),
    /** The PKCS#11 module (e.g. /usr/lib/softhsm/libsofthsm2.so). */
    modulePath: z.string().min(1).max(1024),
    tokenLabel: z.string().min(1).max(64),
    /** CKA_ID of the key pair to bind to (hex); default: the token's only suitable key. */
    keyId: HexKeyId.optional(),
    pin: Secret,
  })
  .strict();

/** Create a passphrase profile (only for machines without a token). */
export const VaultCreatePassphrase = z
  .object({
    profile: z.literal('passphrase'),
    /** At least 12 characters: it is the only thing between a thief and the data. */
    passphrase: z.string().min(12).max(1024),
  })
  .strict();

export const VaultCreateInput = z.discriminatedUnion('profile', [VaultCreateToken, VaultCreatePassphrase]);
export type VaultCreateInput = z.infer<typeof VaultCreateInput>;

/** Unlock with the token PIN (token profile) or the passphrase (passphrase profile). */
export const VaultUnlockInput = z.union([
  z.object({ pin: Secret }).strict(),
  z.object({ passphrase: Secret }).strict(),
]);
export type VaultUnlockInput = z.infer<typeof VaultUnlockInput>;

/** Emergency wipe: the officer must type the confirmation literal. */
export const VaultWipeInput = z.object({ confirm: z.literal(WIPE_CONFIRMATION) }).strict();

export const VaultWipeResult = z
  .object({
    wiped: z.literal(true),
    /** How long the crypto-shred took (the key is unrecoverable at the end of it). */
    elapsedMs: z.number().nonnegative(),
  })
  .strict();

export const VaultConfigureInput = z
  .object({
    idleTimeoutSeconds: z.number().int().min(MIN_IDLE_TIMEOUT_SECONDS).max(MAX_IDLE_TIMEOUT_SECONDS),
  })
  .strict();

export const SampleDataResult = z
  .object({
    documents: z.number().int().nonnegative(),
    messages: z.number().int().nonnegative(),
    attachments: z.number().int().nonnegative(),
  })
  .strict();

// ─── documents ──────────────────────────────────────────────────────────────────────────────

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
    from: z.string().max(300),
    to: z.array(z.string().max(300)).max(200),
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
    /** Sent or received time; for drafts the last edit. */
    at: IsoDateTime,
  })
  .strict();
export type MessageInfo = z.infer<typeof MessageInfo>;

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

// ─── attachments ────────────────────────────────────────────────────────────────────────────

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

// ─── messages ───────────────────────────────────────────────────────────────────────────────

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
  })
  .strict()
  .refine((m) => m.threadId !== undefined || m.subject !== undefined, {
    message: 'threadId or subject is required',
    path: ['threadId'],
  });

export const MessagesMarkReadInput = z
  .object({
    ids: z.array(RecordId).min(1).max(1000),
    read: z.boolean().default(true),
  })
  .strict();

export const MessagesMarkReadResult = z.object({ updated: z.number().int().nonnegative() }).strict();

/** Received documents marked read (opened) or unread again: the same shape as for messages. */
export const DocumentsMarkReadInput = MessagesMarkReadInput;
export const DocumentsMarkReadResult = MessagesMarkReadResult;

// ─── search ─────────────────────────────────────────────────────────────────────────────────

/**
 * A piece of a snippet: render `text` as plain text, emphasised when `hit`. No markup
 * crosses the boundary, so a document cannot inject HTML into the UI.
 */
export const SnippetSegment = z.object({ text: z.string().max(2000), hit: z.boolean() }).strict();
export type SnippetSegment = z.infer<typeof SnippetSegment>;

export const SearchInput = z
  .object({
    /**
     * What the officer typed. Plain words only: operators and quotes are treated as text,
     * the last word matches as a prefix, diacritics are optional ("hop dong" finds "hợp đồng").
     */
    query: z.string().max(256),
    kinds: z.array(z.enum(SEARCH_HIT_KINDS)).min(1).max(3).optional(),
    limit: z.number().int().min(1).max(100).default(20),
  })
  .strict();

export const SearchHit = z
  .object({
    kind: z.enum(SEARCH_HIT_KINDS),
    /** The hit's own id (document, message or attachment). */
    id: RecordId,
    /** The document it belongs to, if any (to open it). */
    documentId: RecordId.nullable(),
    threadId: RecordId.nullable(),
    /** Document subject, thread subject or attachment name. */
    title: z.string().max(1000),
    snippet: z.array(SnippetSegment).max(64),
    /** bm25 score: lower is better (SQLite FTS5 convention); hits come best first. */
    rank: z.number(),
  })
  .strict();
export type SearchHit = z.infer<typeof SearchHit>;

export const SearchResult = z.object({ hits: z.array(SearchHit) }).strict();

/** The vault's part of the contract. */
export const vaultContract = {
  /** State, profile and idle countdown. Safe while locked: reveals no content. Does not count as activity. */
  'vault.status': { input: NoInput, output: VaultStatus },
  /** Create the vault (fails with E_VAULT_EXISTS if one exists). Leaves it unlocked. */
  'vault.create': { input: VaultCreateInput, output: VaultStatus },
  /** Unlock. Wrong PIN/passphrase: E_WRONG_SECRET (never retried); another token: E_VAULT_OTHER_TOKEN. */
  'vault.unlock': { input: VaultUnlockInput, output: VaultStatus },
  /** Lock now: closes the database and zeroes the key. */
  'vault.lock': { input: NoInput, output: VaultStatus },
  /**
   * Officer input (sent only from real input events): restarts the idle countdown. The only
   * call that does; every other call, including every content call, leaves it running.
   */
  'vault.touch': { input: NoInput, output: VaultStatus },
  /** Set the idle auto-lock delay (settings now, policy later). */
  'vault.configure': { input: VaultConfigureInput, output: VaultStatus },
  /** Emergency crypto-shred: every wrapped key destroyed, then the files. Under a second. */
  'vault.wipe': { input: VaultWipeInput, output: VaultWipeResult },
  /** Fill a new vault with a realistic bilingual sample set (notes verbales, cables…). */
  'vault.loadSampleData': { input: NoInput, output: SampleDataResult },
  /** One page of the document list, filtered and sorted, with the total count. */
  'documents.list': { input: DocumentsListInput, output: DocumentsListResult },
  /** One document with its versions, attachments and linked messages. E_NOT_FOUND if none. */
  'documents.get': { input: z.object({ id: RecordId }).strict(), output: DocumentDetail },
  /** Register a new document (version 1 holds the body). */
  'documents.add': { input: DocumentsAddInput, output: DocumentSummary },
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
  /** Message threads, most recent first. */
  'messages.threads': { input: MessagesThreadsInput, output: MessagesThreadsResult },
  /** Messages of one thread, oldest first. */
  'messages.list': { input: MessagesListInput, output: MessagesListResult },
  /** Save a local draft message. */
  'messages.add': { input: MessagesAddInput, output: MessageInfo },
  /** Mark messages read or unread. */
  'messages.markRead': { input: MessagesMarkReadInput, output: MessagesMarkReadResult },
  'documents.markRead': { input: DocumentsMarkReadInput, output: DocumentsMarkReadResult },
  /** Full-text search over everything in the vault, best first, with highlighted snippets. */
  search: { input: SearchInput, output: SearchResult },
} as const;

// Compile-time proof that the zod-free name list and this table agree, in both directions.
type Exact<A, B> = [A] extends [B] ? ([B] extends [A] ? true : false) : false;
const vaultNamesMatch: Exact<keyof typeof vaultContract, VaultCallName> = true;
void vaultNamesMatch;
