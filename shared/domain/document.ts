/**
 * The e-office document model shared by the core, the UI and (later) sync. Pure data: no
 * environment. Classification markings live in `classification.ts`.
 */

/** Which way a document travels relative to this mission. */
export const DIRECTIONS = ['incoming', 'outgoing', 'internal'] as const;
export type Direction = (typeof DIRECTIONS)[number];

/**
 * A document's processing status. Outgoing and internal documents: drafted, in review, approved
 * (the approver's signature), signed on the token, sent, acknowledged by the recipient. Incoming
 * documents: received, registered in the incoming register (which sends the signed
 * acknowledgement of receipt back: register-received.ts), being handled, done. Which status may
 * follow which is `document-workflow.ts`.
 */
export const DOCUMENT_STATUSES = [
  'draft',
  'in-review',
  'approved',
  'signed',
  'sent',
  'acknowledged',
  'received',
  'registered',
  'being-handled',
  'done',
] as const;
export type DocumentStatus = (typeof DOCUMENT_STATUSES)[number];

/** The statuses of outgoing and internal documents, in order. */
export const OUTGOING_STATUSES = [
  'draft',
  'in-review',
  'approved',
  'signed',
  'sent',
  'acknowledged',
] as const;
/** The statuses of incoming documents, in order. */
export const INCOMING_STATUSES = ['received', 'registered', 'being-handled', 'done'] as const;

/** The statuses a document of this direction can have, in order. */
export function statusesOf(direction: Direction): readonly DocumentStatus[] {
  return direction === 'incoming' ? INCOMING_STATUSES : OUTGOING_STATUSES;
}

/** Where a new document of this direction starts. */
export function initialStatus(direction: Direction): DocumentStatus {
  return direction === 'incoming' ? 'received' : 'draft';
}

/** Columns the document list can be sorted by (each one is indexed in the vault). */
export const DOCUMENT_SORT_FIELDS = ['date', 'registryNumber', 'subject', 'updatedAt'] as const;
export type DocumentSortField = (typeof DOCUMENT_SORT_FIELDS)[number];

/** A message is a local draft until sent; received messages come from HQ or other missions. */
export const MESSAGE_STATES = ['draft', 'sent', 'received'] as const;
export type MessageState = (typeof MESSAGE_STATES)[number];

/** What a search hit points at. */
export const SEARCH_HIT_KINDS = ['document', 'message', 'attachment'] as const;
export type SearchHitKind = (typeof SEARCH_HIT_KINDS)[number];

/** Attachment formats whose text is extracted (in the PDF sandbox) and indexed for search. */
export const TEXT_FORMATS = ['pdf', 'txt', 'docx', 'odt'] as const;
export type TextFormat = (typeof TEXT_FORMATS)[number];

/** The largest attachment the vault accepts (bytes): 200 MiB. */
export const MAX_ATTACHMENT_BYTES = 200 * 1024 * 1024;

/** A message carries at most this many files, each at most MAX_MESSAGE_FILE_BYTES (2 MiB). */
export const MAX_MESSAGE_FILES = 10;
/** A file of a message: small enough to travel inline; larger files go as a document's. */
export const MAX_MESSAGE_FILE_BYTES = 2 * 1024 * 1024;
