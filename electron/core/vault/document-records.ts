import type { DocumentsListResult, DocumentSummary } from '../../../shared/contract/vault-calls';
import { CoreError, ErrorCode } from '../../../shared/contract/errors';
import { initialStatus, statusesOf } from '../../../shared/domain/document';
import { createDocumentHistory } from './document-history';
import { createDocumentNumbering } from './document-numbering';
import { metaOf, type DocumentMeta } from './document-meta';
import { createDocumentVersions } from './document-versions';
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
import type { WorkerOutput, WorkerParsedInput } from './worker-protocol';

const SORT_COLUMNS = {
  date: 'd.date',
  registryNumber: 'd.registry_number',
  subject: 'd.subject COLLATE NOCASE',
  updatedAt: 'd.updated_at',
} as const;

/**
 * Documents: register rows numbered per register and year, their versions (who changed what),
 * their history (status changes, archiving, approvals), read state, the paged list over
 * 100,000 rows and the detail view with attachments and messages.
 */
export function createDocumentRecords(db: Db, index: SearchIndex) {
  const insertDocument = db.prepare(
    `INSERT INTO documents (id, registry_number, number, number_year, date, direction, kind,
       classification, status, subject, sender, recipients, created_at, updated_at)
     VALUES (@id, @registry_number, @number, @number_year, @date, @direction, @kind,
       @classification, @status, @subject, @sender, @recipients, @created_at, @updated_at)`,
  );
  const documentRowid = db.prepare('SELECT rowid FROM documents WHERE id = ?').pluck();
  const getDocument = db.prepare(`SELECT ${DOCUMENT_COLUMNS} FROM documents d WHERE d.id = ?`);
  const numbering = createDocumentNumbering(db);
  const versions = createDocumentVersions(db);
  const history = createDocumentHistory(db);

  function row(id: string): DocumentRow {
    const r = getDocument.get(id) as DocumentRow | undefined;
    return r ?? notFound('document');
  }

  function summary(id: string): DocumentSummary {
    return toSummary(row(id));
  }

  function requireRowid(id: string): number {
    const rowid = documentRowid.get(id) as number | undefined;
    return rowid ?? notFound('document');
  }

  /** Inserts one document (version 1 holds the body) and indexes it; in the caller's transaction. */
  function insert(input: WorkerParsedInput<'documents.add'>): { rowid: number; id: string } {
    // Defaults again here: the worker's callers inside the core (sync, bulk data) pass parsed
    // shapes, older ones without a kind.
    const kind = input.kind ?? 'other';
    const status = input.status ?? initialStatus(input.direction);
    if (!statusesOf(input.direction).includes(status)) {
      throw new CoreError(ErrorCode.InvalidInput, `an ${input.direction} document cannot start as ${status}`);
    }
    const id = newRecordId();
    const at = now();
    const date = input.date ?? at;
    const allocated =
      input.registryNumber === undefined ? numbering.allocate(input.direction, date, kind) : null;
    const registry = input.registryNumber ?? allocated?.registryNumber ?? '';
    const info = insertDocument.run({
      id,
      registry_number: registry,
      number: allocated?.number ?? null,
      number_year: allocated?.year ?? null,
      date,
      direction: input.direction,
      kind,
      classification: input.classification,
      status,
      subject: input.subject,
      sender: input.from,
      recipients: JSON.stringify(input.to),
      created_at: at,
      updated_at: at,
    });
    const rowid = Number(info.lastInsertRowid);
    const meta: DocumentMeta = metaOf({
      registryNumber: registry,
      direction: input.direction,
      kind,
      date,
      classification: input.classification,
      subject: input.subject,
      from: input.from,
      to: input.to,
    });
    versions.insertFirst(rowid, at, input.author ?? '', meta, input.body ?? '');
    index.add('document', rowid, {
      title: input.subject,
      body: input.body ?? '',
      parties: [registry, input.from, ...input.to].join(' · '),
    });
    return { rowid, id };
  }

  function get(id: string): WorkerOutput<'documents.get'> {
    const document = summary(id);
    const rowid = requireRowid(id);
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
    const { events, approvals } = history.list(rowid);
    return { document, versions: versions.list(rowid), history: events, approvals, attachments, messages };
  }

  return {
    insert,
    summary,
    requireRowid,
    row,
    get,
    versions,
    history,

    list(input: WorkerParsedInput<'documents.list'>): DocumentsListResult {
      const where: string[] = [input.archived ? 'd.archived_at IS NOT NULL' : 'd.archived_at IS NULL'];
      const params: string[] = [];
      for (const [column, value] of [
        ['direction', input.direction],
        ['status', input.status],
        ['classification', input.classification],
        ['kind', input.kind],
      ] as const) {
        if (value !== undefined) {
          where.push(`d.${column} = ?`);
          params.push(value);
        }
      }
      const filter = `WHERE ${where.join(' AND ')}`;
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
