import type { SearchHit } from '../../../shared/contract/vault-calls';
import type { SearchHitKind } from '../../../shared/domain/document';
import { createHitContext, type IndexRow } from './search-hit-context';
import type { Db } from './repository-rows';
import { buildMatchExpression, foldForIndex, HIT_CLOSE, HIT_OPEN, stripMarkers } from './search-text';
import type { WorkerParsedInput } from './worker-protocol';

/** Indexed text per attachment is bounded so one huge PDF cannot dominate the index. */
export const MAX_INDEXED_TEXT_CHARS = 2_000_000;

/** The text of one indexed record, as written (folded and stripped here). */
export interface IndexedText {
  readonly title: string;
  readonly body: string;
  readonly parties: string;
}

/**
 * The FTS5 index over every kind of record (`search_index`: title, body, parties; kind and
 * ref unindexed): what is written into it, folded the way queries are, and the ranked query
 * that turns matches back into documents, messages and attachments.
 */
export function createSearchIndex(db: Db) {
  const insert = db.prepare(
    'INSERT INTO search_index (kind, ref, title, body, parties) VALUES (?, ?, ?, ?, ?)',
  );
  const context = createHitContext(db);
  const fold = (text: string) => foldForIndex(stripMarkers(text));

  return {
    /** Indexes one record (in the caller's transaction). */
    add(kind: SearchHitKind, ref: number, text: IndexedText): void {
      insert.run(kind, ref, fold(text.title), fold(text.body), fold(text.parties));
    },

    /** Re-indexes an edited record (in the caller's transaction). */
    replace(kind: SearchHitKind, ref: number, text: IndexedText): void {
      db.prepare('UPDATE search_index SET title = ?, body = ?, parties = ? WHERE kind = ? AND ref = ?').run(
        fold(text.title),
        fold(text.body),
        fold(text.parties),
        kind,
        ref,
      );
    },

    /** Drops a record's row (a deleted or rewritten draft). */
    remove(kind: SearchHitKind, ref: number): void {
      db.prepare('DELETE FROM search_index WHERE kind = ? AND ref = ?').run(kind, ref);
    },

    /** Extracted attachment text joins the attachment's row (bounded). */
    setAttachmentText(attachmentRowid: number, text: string): void {
      db.prepare("UPDATE search_index SET body = ? WHERE kind = 'attachment' AND ref = ?").run(
        fold(text.slice(0, MAX_INDEXED_TEXT_CHARS)),
        attachmentRowid,
      );
    },

    search(input: WorkerParsedInput<'search'>): { hits: SearchHit[] } {
      const match = buildMatchExpression(input.query);
      if (match === null) return { hits: [] };
      const kinds = input.kinds ?? ['document', 'message', 'attachment'];
      // Column weights: title 8, body 1, parties 4 (kind and ref are unindexed, weight 0).
      // Twice the limit is read so that dropping duplicates still fills the page.
      const rows = db
        .prepare(
          `SELECT kind, ref, bm25(search_index, 0, 0, 8.0, 1.0, 4.0) AS rank,
             snippet(search_index, -1, '${HIT_OPEN}', '${HIT_CLOSE}', '…', 16) AS snip
           FROM search_index WHERE search_index MATCH ? AND kind IN (${kinds.map(() => '?').join(', ')})
           ORDER BY rank LIMIT ?`,
        )
        .all(match, ...kinds, input.limit * 2) as IndexRow[];
      const seen = new Set<string>();
      const hits: SearchHit[] = [];
      for (const r of rows) {
        const found = context.resolve(r);
        if (!found || seen.has(found.key)) continue;
        seen.add(found.key);
        hits.push(found.hit);
        if (hits.length >= input.limit) break;
      }
      return { hits };
    },
  };
}

export type SearchIndex = ReturnType<typeof createSearchIndex>;
