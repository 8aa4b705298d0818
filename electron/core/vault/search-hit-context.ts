import { createHash } from 'node:crypto';
import type { SearchHit, SearchHitDocument } from '../../../shared/contract/vault-calls';
import { highestClassification, type Classification } from '../../../shared/domain/classification';
import type { SearchHitKind } from '../../../shared/domain/document';
import type { Db } from './repository-rows';
import { snippetSegments } from './search-text';

/** One row of the FTS5 query: what matched, its rank and its marked snippet. */
export interface IndexRow {
  readonly kind: SearchHitKind;
  readonly ref: number;
  readonly rank: number;
  readonly snip: string;
}

interface DocumentRow {
  id: string;
  subject: string;
  registry_number: string;
  classification: Classification;
}

const DOCUMENT_COLUMNS = 'd.id, d.subject, d.registry_number, d.classification';

/**
 * Turns an index row into a hit with its context (the document it is or belongs to, with
 * number and marking) and a key that says which hits are the same thing to the officer: a
 * record by its id; a message by thread, sender and text, so two stored copies of one message
 * (a sent copy written twice, a message that reached this vault twice) are listed once.
 */
export function createHitContext(db: Db) {
  const documentByRowid = db.prepare(`SELECT ${DOCUMENT_COLUMNS} FROM documents d WHERE d.rowid = ?`);
  const attachmentByRowid = db.prepare(
    `SELECT a.id AS attachment_id, a.name, ${DOCUMENT_COLUMNS}
     FROM attachments a JOIN documents d ON d.rowid = a.document_rowid WHERE a.rowid = ?`,
  );
  const messageByRowid = db.prepare(
    `SELECT m.id AS message_id, m.sender, m.body, m.classification AS message_classification,
       t.id AS thread_id, t.subject AS thread_subject, d.id, d.subject, d.registry_number, d.classification
     FROM messages m JOIN threads t ON t.rowid = m.thread_rowid
     LEFT JOIN documents d ON d.rowid = t.document_rowid WHERE m.rowid = ?`,
  );

  const toDocument = (d: DocumentRow): SearchHitDocument => ({
    id: d.id,
    subject: d.subject.slice(0, 1000),
    registryNumber: d.registry_number.slice(0, 200),
    classification: d.classification,
  });

  return {
    /** The hit for an index row, or null when its record is gone. */
    resolve(r: IndexRow): { key: string; hit: SearchHit } | null {
      const snippet = snippetSegments(r.snip);
      if (r.kind === 'document') {
        const d = documentByRowid.get(r.ref) as DocumentRow | undefined;
        if (!d) return null;
        const document = toDocument(d);
        return {
          key: `document:${d.id}`,
          hit: {
            kind: 'document',
            id: d.id,
            documentId: d.id,
            threadId: null,
            title: document.subject,
            document,
            classification: d.classification,
            snippet,
            rank: r.rank,
          },
        };
      }
      if (r.kind === 'attachment') {
        const a = attachmentByRowid.get(r.ref) as
          (DocumentRow & { attachment_id: string; name: string }) | undefined;
        if (!a) return null;
        return {
          key: `attachment:${a.attachment_id}`,
          hit: {
            kind: 'attachment',
            id: a.attachment_id,
            documentId: a.id,
            threadId: null,
            title: a.name.slice(0, 1000),
            document: toDocument(a),
            classification: a.classification,
            snippet,
            rank: r.rank,
          },
        };
      }
      const m = messageByRowid.get(r.ref) as
        | (Partial<DocumentRow> & {
            message_id: string;
            sender: string;
            body: string;
            message_classification: Classification;
            thread_id: string;
            thread_subject: string;
          })
        | undefined;
      if (!m) return null;
      const document = m.id ? toDocument(m as DocumentRow) : null;
      const same = createHash('sha256').update(`${m.sender}\u0000${m.body}`).digest('hex');
      return {
        key: `message:${m.thread_id}:${same}`,
        hit: {
          kind: 'message',
          id: m.message_id,
          documentId: document?.id ?? null,
          threadId: m.thread_id,
          title: m.thread_subject.slice(0, 1000),
          document,
          // The message's own marking, or its thread's document's when that is higher.
          classification: highestClassification([
            m.message_classification,
            document?.classification ?? 'unclassified',
          ]),
          snippet,
          rank: r.rank,
        },
      };
    },
  };
}
