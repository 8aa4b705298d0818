/**
 * The e-office document model shared by the core, the UI and (later) sync. Pure data: no
 * environment. Classification markings live in `classification.ts`.
 */

/** Which way a document travels relative to this mission. */
export const DIRECTIONS = ['incoming', 'outgoing', 'internal'] as const;
export type Direction = (typeof DIRECTIONS)[number];

/** A document's life cycle, in order: drafted, reviewed, signed on the token, sent, acknowledged. */
export const DOCUMENT_STATUSES = ['draft', 'in-review', 'signed', 'sent', 'acknowledged'] as const;
export type DocumentStatus = (typeof DOCUMENT_STATUSES)[number];

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
