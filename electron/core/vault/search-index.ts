import type { SearchHit } from '../../../shared/contract/vault-calls';
import type { SearchHitKind } from '../../../shared/domain/document';
import type { Classification } from '../../../shared/domain/classification';
import { ATTACHMENT_SELECT, type AttachmentRow, type Db } from './repository-rows';
import {
  buildMatchExpression,
  foldForIndex,
  HIT_CLOSE,
  HIT_OPEN,
  snippetSegments,
  stripMarkers,
} from './search-text';
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
  const attachmentByRowid = db.prepare(`${ATTACHMENT_SELECT} WHERE a.rowid = ?`);
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
      const rows = db
        .prepare(
          `SELECT kind, ref, bm25(search_index, 0, 0, 8.0, 1.0, 4.0) AS rank,
             snippet(search_index, -1, '${HIT_OPEN}', '${HIT_CLOSE}', '…', 16) AS snip
           FROM search_index WHERE search_index MATCH ? AND kind IN (${kinds.map(() => '?').join(', ')})
           ORDER BY rank LIMIT ?`,
        )
        .all(match, ...kinds, input.limit) as {
        kind: SearchHitKind;
        ref: number;
        rank: number;
        snip: string;
      }[];
      const docById = db.prepare('SELECT id, subject FROM documents WHERE rowid = ?');
      const msgById = db.prepare(
        `SELECT m.id, t.id AS thread_id, t.subject, d.id AS document_id FROM messages m
         JOIN threads t ON t.rowid = m.thread_rowid LEFT JOIN documents d ON d.rowid = t.document_rowid
         WHERE m.rowid = ?`,
      );
      const hits: SearchHit[] = [];
      for (const r of rows) {
        const snippet = snippetSegments(r.snip);
        if (r.kind === 'document') {
          const d = docById.get(r.ref) as { id: string; subject: string } | undefined;
          if (d)
            hits.push({
              kind: 'document',
              id: d.id,
              documentId: d.id,
              threadId: null,
              title: d.subject,
              snippet,
              classification: 'unclassified',
              rank: r.rank,
            });
        } else if (r.kind === 'message') {
          const m = msgById.get(r.ref) as
            { id: string; thread_id: string; subject: string; document_id: string | null } | undefined;
          if (m)
            hits.push({
              kind: 'message',
              id: m.id,
              documentId: m.document_id,
              threadId: m.thread_id,
              title: m.subject,
              snippet,
              classification: 'unclassified',
              rank: r.rank,
            });
        } else {
          const a = attachmentByRowid.get(r.ref) as AttachmentRow | undefined;
          if (a)
            hits.push({
              kind: 'attachment',
              id: a.id,
              documentId: a.document_id,
              threadId: null,
              title: a.name,
              snippet,
              classification: 'unclassified',
              rank: r.rank,
            });
        }
      }
      // Each hit carries its document's marking, so the banner is never lower than what shows.
      const markingOf = db.prepare('SELECT classification FROM documents WHERE id = ?');
      for (const h of hits) {
        const row = h.documentId
          ? (markingOf.get(h.documentId) as { classification: Classification } | undefined)
          : undefined;
        h.classification = row?.classification ?? 'unclassified';
      }
      return { hits };
    },
  };
}

export type SearchIndex = ReturnType<typeof createSearchIndex>;
