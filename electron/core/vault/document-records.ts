import type {
  DocumentDetail,
  DocumentSummary,
  DocumentsListResult,
} from '../../../shared/contract/vault-calls';
import type { DocumentStatus } from '../../../shared/domain/document';
import { newRecordId } from './record-id';
import {
  DOCUMENT_COLUMNS,
  MESSAGE_SELECT,
  notFound,
  now,
  toAttachment,
  toMessage,
  toSummary,
  type AttachmentRow,
  type Db,
  type DocumentRow,
  type MessageRow,
} from './repository-rows';
import type { SearchIndex } from './search-index';
import type { WorkerParsedInput } from './worker-protocol';

const SORT_COLUMNS = {
  date: 'd.date',
  registryNumber: 'd.registry_number',
  subject: 'd.subject COLLATE NOCASE',
  updatedAt: 'd.updated_at',
} as const;

/**
 * Documents: registry rows, their versions (version 1 holds the body), status and read state,
 * the paged list over 100,000 rows and the detail view with attachments and messages.
 */
export function createDocumentRecords(db: Db, index: SearchIndex) {
  const insertDocument = db.prepare(
    `INSERT INTO documents (id, registry_number, date, direction, classification, status, subject,
       sender, recipients, created_at, updated_at)
     VALUES (@id, @registry_number, @date, @direction, @classification, @status, @subject,
       @sender, @recipients, @created_at, @updated_at)`,
  );
  const insertVersion = db.prepare(
    'INSERT INTO document_versions (document_rowid, version, created_at, note, body) VALUES (?, ?, ?, ?, ?)',
  );
  const documentRowid = db.prepare('SELECT rowid FROM documents WHERE id = ?').pluck();
  const nextRowid = db.prepare('SELECT coalesce(max(rowid), 0) + 1 FROM documents').pluck();
  const getDocument = db.prepare(`SELECT ${DOCUMENT_COLUMNS} FROM documents d WHERE d.id = ?`);

  function summary(id: string): DocumentSummary {
    const row = getDocument.get(id) as DocumentRow | undefined;
    return row ? toSummary(row) : notFound('document');
  }

  function requireRowid(id: string): number {
    const rowid = documentRowid.get(id) as number | undefined;
    return rowid ?? notFound('document');
  }

  /** Inserts one document (version 1 holds the body) and indexes it; in the caller's transaction. */
  function insert(input: WorkerParsedInput<'documents.add'>): { rowid: number; id: string } {
    const id = newRecordId();
    const at = now();
    const date = input.date ?? at;
    const registry =
      input.registryNumber ?? `${date.slice(0, 4)}/${String(nextRowid.get() as number).padStart(5, '0')}`;
    const info = insertDocument.run({
      id,
      registry_number: registry,
      date,
      direction: input.direction,
      classification: input.classification,
      status: input.status,
      subject: input.subject,
      sender: input.from,
      recipients: JSON.stringify(input.to),
      created_at: at,
      updated_at: at,
    });
    const rowid = Number(info.lastInsertRowid);
    insertVersion.run(rowid, 1, at, 'created', input.body ?? '');
    index.add('document', rowid, {
      title: input.subject,
      body: input.body ?? '',
      parties: [registry, input.from, ...input.to].join(' · '),
    });
    return { rowid, id };
  }

  return {
    insert,
    summary,
    requireRowid,

    list(input: WorkerParsedInput<'documents.list'>): DocumentsListResult {
      const where: string[] = [];
      const params: string[] = [];
      for (const [column, value] of [
        ['direction', input.direction],
        ['status', input.status],
        ['classification', input.classification],
      ] as const) {
        if (value !== undefined) {
          where.push(`d.${column} = ?`);
          params.push(value);
        }
      }
      const filter = where.length ? `WHERE ${where.join(' AND ')}` : '';
      const total = db
        .prepare(`SELECT count(*) FROM documents d ${filter}`)
        .pluck()
        .get(...params) as number;
      const dir = input.order === 'asc' ? 'ASC' : 'DESC';
      // Page by index: the sort column's index (with rowid as tie-break) is walked to the offset,
      // then only `limit` rows are built (the counting subqueries run for those rows only).
      const rows = db
        .prepare(
          `SELECT ${DOCUMENT_COLUMNS} FROM documents d WHERE d.rowid IN (
             SELECT d.rowid FROM documents d ${filter}
             ORDER BY ${SORT_COLUMNS[input.sort]} ${dir}, d.rowid ${dir} LIMIT ? OFFSET ?)
           ORDER BY ${SORT_COLUMNS[input.sort]} ${dir}, d.rowid ${dir}`,
        )
        .all(...params, input.limit, input.offset) as DocumentRow[];
      return { total, offset: input.offset, items: rows.map(toSummary) };
    },

    get(id: string): DocumentDetail {
      const document = summary(id);
      const rowid = requireRowid(id);
      const versions = (
        db
          .prepare(
            'SELECT version, created_at, note, body FROM document_versions WHERE document_rowid = ? ORDER BY version',
          )
          .all(rowid) as { version: number; created_at: string; note: string; body: string }[]
      ).map((v) => ({ version: v.version, createdAt: v.created_at, note: v.note, body: v.body }));
      const attachments = (
        db
          .prepare(
            `SELECT a.rowid, a.id, ? AS document_id, a.name, a.media_type, a.size, a.sha256, a.chunk_size,
               a.text_indexed, a.created_at FROM attachments a WHERE a.document_rowid = ? ORDER BY a.rowid`,
          )
          .all(id, rowid) as AttachmentRow[]
      ).map(toAttachment);
      const messages = (
        db
          .prepare(`${MESSAGE_SELECT} WHERE t.document_rowid = ? ORDER BY m.at, m.rowid LIMIT 500`)
          .all(rowid) as MessageRow[]
      ).map(toMessage);
      return { document, versions, attachments, messages };
    },

    setStatus(id: string, status: DocumentStatus): DocumentSummary {
      const changed = db
        .prepare('UPDATE documents SET status = ?, updated_at = ? WHERE id = ?')
        .run(status, now(), id).changes;
      if (changed === 0) notFound('document');
      return summary(id);
    },

    add(input: WorkerParsedInput<'documents.add'>): DocumentSummary {
      const { id } = db.transaction(() => insert(input))();
      return summary(id);
    },

    /** Opened (read) or unread again; `updated_at` is left alone: reading changes nothing in it. */
    markRead(input: WorkerParsedInput<'documents.markRead'>): { updated: number } {
      const update = db.prepare('UPDATE documents SET unread = ? WHERE id = ? AND unread != ?');
      const flag = input.read ? 0 : 1;
      const updated = db.transaction(() =>
        input.ids.reduce((n, id) => n + update.run(flag, id, flag).changes, 0),
      )();
      return { updated };
    },
  };
}

export type DocumentRecords = ReturnType<typeof createDocumentRecords>;
