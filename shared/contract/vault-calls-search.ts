import { z } from 'zod';
import { CLASSIFICATIONS } from '../domain/classification';
import { SEARCH_HIT_KINDS } from '../domain/document';
import { RecordId } from './vault-calls-fields';

/** Full-text search over the vault. */

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

/** The document a hit belongs to, as the officer knows it: subject, number and marking. */
export const SearchHitDocument = z
  .object({
    id: RecordId,
    subject: z.string().max(1000),
    registryNumber: z.string().max(200),
    classification: z.enum(CLASSIFICATIONS),
  })
  .strict();
export type SearchHitDocument = z.infer<typeof SearchHitDocument>;

/**
 * One hit, with its context: the document it is (or belongs to) and the marking of what the
 * hit shows. Hits are distinct: the same record never twice, and the same message (one
 * sender, one text, one thread) never twice even when the vault holds two copies of it.
 */
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
    /** The document: the hit itself, the attachment's document, the thread's document; else null. */
    document: SearchHitDocument.nullable(),
    snippet: z.array(SnippetSegment).max(64),
    /**
     * The marking of what the hit shows: its document's (for a document, its attachment, or a
     * message of a thread linked to it); Unclassified for a message of no document.
     */
    classification: z.enum(CLASSIFICATIONS),
    /** bm25 score: lower is better (SQLite FTS5 convention); hits come best first. */
    rank: z.number(),
  })
  .strict();
export type SearchHit = z.infer<typeof SearchHit>;

export const SearchResult = z.object({ hits: z.array(SearchHit) }).strict();

/** The search call (part of `vaultContract`). */
export const searchCalls = {
  /** Full-text search over everything in the vault, best first, with highlighted snippets. */
  search: { input: SearchInput, output: SearchResult },
} as const;
