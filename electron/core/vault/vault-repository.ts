import { createHash } from 'node:crypto';
import { closeSync, fstatSync, openSync, readSync } from 'node:fs';
import { basename } from 'node:path';
import type BetterSqlite3 from 'better-sqlite3-multiple-ciphers';
import { CoreError, ErrorCode } from '../../../shared/contract/errors';
import type {
  AttachmentInfo,
  AttachmentUploadState,
  DocumentDetail,
  DocumentSummary,
  DocumentsListResult,
  MessageInfo,
  SearchHit,
  ThreadSummary,
} from '../../../shared/contract/vault-calls';
import { UPLOAD_PIECE_BYTES } from '../../../shared/contract/vault-calls';
import {
  MAX_ATTACHMENT_BYTES,
  type DocumentStatus,
  type SearchHitKind,
} from '../../../shared/domain/document';
import {
  buildMatchExpression,
  foldForIndex,
  HIT_CLOSE,
  HIT_OPEN,
  snippetSegments,
  stripMarkers,
} from './search-text';
import { newRecordId } from './record-id';
import { BULK_JOURNAL_MODE } from './vault-db';
import type { WorkerOutput, WorkerParsedInput } from './worker-protocol';

type Db = BetterSqlite3.Database;

/** Attachment content is stored in rows of this size: streamed in, read back in pieces. */
/** Attachment chunk rows; upload pieces are the same size, so a finished upload's pieces are its chunks. */
export const CHUNK_BYTES = UPLOAD_PIECE_BYTES;
/** PDFs up to this size get their text extracted for search (pdf.js needs them whole in memory). */
export const MAX_PDF_TEXT_BYTES = 64 * 1024 * 1024;
/** Indexed text per attachment is bounded so one huge PDF cannot dominate the index. */
export const MAX_INDEXED_TEXT_CHARS = 2_000_000;

interface DocumentRow {
  rowid: number;
  id: string;
  registry_number: string;
  date: string;
  direction: DocumentSummary['direction'];
  classification: DocumentSummary['classification'];
  status: DocumentSummary['status'];
  subject: string;
  sender: string;
  recipients: string;
  updated_at: string;
  attachment_count: number;
  unread_messages: number;
  unread: number;
}

interface MessageRow {
  id: string;
  thread_id: string;
  document_id: string | null;
  sender: string;
  recipients: string;
  body: string;
  state: MessageInfo['state'];
  read: number;
  at: string;
}

interface AttachmentRow {
  rowid: number;
  id: string;
  document_id: string;
  name: string;
  media_type: string;
  size: number;
  sha256: string;
  chunk_size: number;
  text_indexed: number;
  created_at: string;
}

const DOCUMENT_COLUMNS = `
  d.rowid, d.id, d.registry_number, d.date, d.direction, d.classification, d.status, d.subject,
  d.sender, d.recipients, d.updated_at, d.unread,
  (SELECT count(*) FROM attachments a WHERE a.document_rowid = d.rowid) AS attachment_count,
  (SELECT count(*) FROM threads t JOIN messages m ON m.thread_rowid = t.rowid AND m.read = 0
     WHERE t.document_rowid = d.rowid) AS unread_messages`;

const SORT_COLUMNS = {
  date: 'd.date',
  registryNumber: 'd.registry_number',
  subject: 'd.subject COLLATE NOCASE',
  updatedAt: 'd.updated_at',
} as const;

const MEDIA_TYPES: Record<string, string> = {
  pdf: 'application/pdf',
  txt: 'text/plain',
  png: 'image/png',
  jpg: 'image/jpeg',
  jpeg: 'image/jpeg',
  docx: 'application/vnd.openxmlformats-officedocument.wordprocessingml.document',
  xlsx: 'application/vnd.openxmlformats-officedocument.spreadsheetml.sheet',
  p7s: 'application/pkcs7-signature',
};

const parties = (json: string): string[] => {
  const v: unknown = JSON.parse(json);
  return Array.isArray(v) ? v.filter((x): x is string => typeof x === 'string') : [];
};

const now = () => new Date().toISOString();

function toSummary(r: DocumentRow): DocumentSummary {
  return {
    id: r.id,
    registryNumber: r.registry_number,
    date: r.date,
    direction: r.direction,
    classification: r.classification,
    status: r.status,
    subject: r.subject,
    from: r.sender,
    to: parties(r.recipients),
    attachmentCount: r.attachment_count,
    unreadMessages: r.unread_messages,
    unread: r.unread === 1,
    updatedAt: r.updated_at,
  };
}

function toMessage(r: MessageRow): MessageInfo {
  return {
    id: r.id,
    threadId: r.thread_id,
    documentId: r.document_id,
    from: r.sender,
    to: parties(r.recipients),
    body: r.body,
    state: r.state,
    read: r.read === 1,
    at: r.at,
  };
}

function toAttachment(r: AttachmentRow): AttachmentInfo {
  return {
    id: r.id,
    documentId: r.document_id,
    name: r.name,
    mediaType: r.media_type,
    size: r.size,
    sha256: r.sha256,
    textIndexed: r.text_indexed === 1,
    createdAt: r.created_at,
  };
}

function notFound(what: string): never {
  throw new CoreError(ErrorCode.NotFound, `${what} not found`);
}

/** Where an attachment's bytes come from: a file, bytes in the request, or staged upload pieces. */
type ContentSource =
  WorkerParsedInput<'attachments.add'>['source'] | { readonly kind: 'staged'; readonly uploadRowid: number };

interface UploadRow {
  rowid: number;
  id: string;
  document_rowid: number;
  name: string;
  media_type: string | null;
  size: number;
  received: number;
}

/** A stored attachment, and its PDF bytes when their text is still to be indexed. */
export interface StoredAttachment {
  info: AttachmentInfo;
  pending: PendingPdfText | null;
}

/** A PDF attachment whose text is still to be extracted (outside the write transaction). */
export interface PendingPdfText {
  readonly attachmentRowid: number;
  readonly bytes: Uint8Array;
}

/**
 * The domain on top of an open, keyed database: documents, versions, attachments in chunks,
 * threads, messages, read state and the search index. Synchronous (better-sqlite3); it runs
 * only inside the vault worker.
 */
export function createVaultRepository(db: Db) {
  const insertDocument = db.prepare(
    `INSERT INTO documents (id, registry_number, date, direction, classification, status, subject,
       sender, recipients, created_at, updated_at)
     VALUES (@id, @registry_number, @date, @direction, @classification, @status, @subject,
       @sender, @recipients, @created_at, @updated_at)`,
  );
  const insertVersion = db.prepare(
    'INSERT INTO document_versions (document_rowid, version, created_at, note, body) VALUES (?, ?, ?, ?, ?)',
  );
  const insertIndex = db.prepare(
    'INSERT INTO search_index (kind, ref, title, body, parties) VALUES (?, ?, ?, ?, ?)',
  );
  const insertThread = db.prepare(
    'INSERT INTO threads (id, subject, document_rowid, created_at, last_message_at) VALUES (?, ?, ?, ?, ?)',
  );
  const touchThread = db.prepare(
    'UPDATE threads SET last_message_at = max(last_message_at, ?) WHERE rowid = ?',
  );
  const insertMessage = db.prepare(
    `INSERT INTO messages (id, thread_rowid, sender, recipients, body, state, read, at)
     VALUES (?, ?, ?, ?, ?, ?, ?, ?)`,
  );
  const documentRowid = db.prepare('SELECT rowid FROM documents WHERE id = ?').pluck();
  const threadRow = db.prepare('SELECT rowid, subject FROM threads WHERE id = ?');
  const nextRowid = db.prepare('SELECT coalesce(max(rowid), 0) + 1 FROM documents').pluck();
  const getDocument = db.prepare(`SELECT ${DOCUMENT_COLUMNS} FROM documents d WHERE d.id = ?`);
  const insertAttachment = db.prepare(
    `INSERT INTO attachments (id, document_rowid, name, media_type, size, sha256, chunk_size, created_at)
     VALUES (?, ?, ?, ?, 0, '', ?, ?)`,
  );
  const finishAttachment = db.prepare('UPDATE attachments SET size = ?, sha256 = ? WHERE rowid = ?');
  const stagedPiece = db
    .prepare('SELECT data FROM attachment_upload_chunks WHERE upload_rowid = ? AND seq = ?')
    .pluck();
  const insertChunk = db.prepare(
    'INSERT INTO attachment_chunks (attachment_rowid, seq, data) VALUES (?, ?, ?)',
  );
  const attachmentById = db.prepare(
    `SELECT a.rowid, a.id, d.id AS document_id, a.name, a.media_type, a.size, a.sha256, a.chunk_size,
       a.text_indexed, a.created_at
     FROM attachments a JOIN documents d ON d.rowid = a.document_rowid WHERE a.id = ?`,
  );
  const attachmentByRowid = db.prepare(
    `SELECT a.rowid, a.id, d.id AS document_id, a.name, a.media_type, a.size, a.sha256, a.chunk_size,
       a.text_indexed, a.created_at
     FROM attachments a JOIN documents d ON d.rowid = a.document_rowid WHERE a.rowid = ?`,
  );
  const chunksBetween = db.prepare(
    'SELECT seq, data FROM attachment_chunks WHERE attachment_rowid = ? AND seq BETWEEN ? AND ? ORDER BY seq',
  );
  const messageSelect = `SELECT m.id, t.id AS thread_id, d.id AS document_id, m.sender, m.recipients, m.body,
       m.state, m.read, m.at
     FROM messages m JOIN threads t ON t.rowid = m.thread_rowid
     LEFT JOIN documents d ON d.rowid = t.document_rowid`;
  const messageByRowid = db.prepare(`${messageSelect} WHERE m.rowid = ?`);

  /** Inserts one document (version 1 holds the body) and indexes it; in the caller's transaction. */
  function addDocumentRow(input: WorkerParsedInput<'documents.add'>): { rowid: number; id: string } {
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
    insertIndex.run(
      'document',
      rowid,
      foldForIndex(stripMarkers(input.subject)),
      foldForIndex(stripMarkers(input.body ?? '')),
      foldForIndex(stripMarkers([registry, input.from, ...input.to].join(' · '))),
    );
    return { rowid, id };
  }

  function addThreadRow(
    subject: string,
    documentRowid: number | null,
    at: string,
  ): { rowid: number; id: string } {
    const id = newRecordId();
    return { rowid: Number(insertThread.run(id, subject, documentRowid, at, at).lastInsertRowid), id };
  }

  function addMessageRow(
    threadRowid: number,
    subject: string,
    m: {
      from: string;
      to: readonly string[];
      body: string;
      state: MessageInfo['state'];
      read: boolean;
      at: string;
    },
  ): { rowid: number; id: string } {
    const id = newRecordId();
    const rowid = Number(
      insertMessage.run(id, threadRowid, m.from, JSON.stringify(m.to), m.body, m.state, m.read ? 1 : 0, m.at)
        .lastInsertRowid,
    );
    touchThread.run(m.at, threadRowid);
    insertIndex.run(
      'message',
      rowid,
      foldForIndex(stripMarkers(subject)),
      foldForIndex(stripMarkers(m.body)),
      foldForIndex(stripMarkers([m.from, ...m.to].join(' · '))),
    );
    return { rowid, id };
  }

  function documentSummary(id: string): DocumentSummary {
    const row = getDocument.get(id) as DocumentRow | undefined;
    return row ? toSummary(row) : notFound('document');
  }

  function requireDocumentRowid(id: string): number {
    const rowid = documentRowid.get(id) as number | undefined;
    return rowid ?? notFound('document');
  }

  /** Streams content into chunk rows; never holds more than one chunk (plus a PDF for indexing). */
  function storeContent(
    attachmentRowid: number,
    source: ContentSource,
    keepPdf: boolean,
  ): { size: number; sha256: string; pdf: Uint8Array | null; head: Uint8Array } {
    const hash = createHash('sha256');
    let size = 0;
    let seq = 0;
    const kept: Uint8Array[] = [];
    let head: Uint8Array = new Uint8Array(0);
    const take = (chunk: Uint8Array) => {
      // Copies, not views: for a file import `chunk` is a view of one reused read buffer
      // (Buffer#slice does not copy).
      if (seq === 0) head = new Uint8Array(chunk.subarray(0, 8));
      hash.update(chunk);
      insertChunk.run(attachmentRowid, seq++, chunk);
      size += chunk.length;
      if (keepPdf && size <= MAX_PDF_TEXT_BYTES) kept.push(new Uint8Array(chunk));
    };
    if (source.kind === 'staged') {
      // One piece at a time (an open iterator would keep the connection busy for the inserts).
      for (let k = 0; ; k++) {
        const piece = stagedPiece.get(source.uploadRowid, k) as Uint8Array | undefined;
        if (!piece) break;
        take(piece);
      }
    } else if (source.kind === 'bytes') {
      if (source.bytes.length > MAX_ATTACHMENT_BYTES)
        throw new CoreError(ErrorCode.TooLarge, 'attachment too large');
      for (let o = 0; o < source.bytes.length; o += CHUNK_BYTES)
        take(source.bytes.subarray(o, o + CHUNK_BYTES));
    } else {
      let fd: number;
      try {
        fd = openSync(source.path, 'r');
      } catch {
        throw new CoreError(ErrorCode.FileAccess, 'the file could not be opened');
      }
      try {
        const st = fstatSync(fd);
        if (!st.isFile()) throw new CoreError(ErrorCode.FileAccess, 'not a regular file');
        if (st.size > MAX_ATTACHMENT_BYTES) throw new CoreError(ErrorCode.TooLarge, 'attachment too large');
        const buffer = Buffer.alloc(CHUNK_BYTES);
        for (;;) {
          let filled = 0;
          while (filled < CHUNK_BYTES) {
            const n = readSync(fd, buffer, filled, CHUNK_BYTES - filled, null);
            if (n === 0) break;
            filled += n;
          }
          if (filled === 0) break;
          if (size + filled > MAX_ATTACHMENT_BYTES)
            throw new CoreError(ErrorCode.TooLarge, 'attachment too large');
          take(buffer.subarray(0, filled));
          if (filled < CHUNK_BYTES) break;
        }
        buffer.fill(0);
      } finally {
        closeSync(fd);
      }
    }
    const pdf = keepPdf && size <= MAX_PDF_TEXT_BYTES ? Buffer.concat(kept) : null;
    for (const k of kept) k.fill(0);
    return { size, sha256: hash.digest('hex'), pdf, head };
  }

  /** One attachment row with its content and index row (inside the caller's transaction). */
  function storeAttachment(
    docRowid: number,
    name: string,
    mediaType: string | undefined,
    source: ContentSource,
  ): StoredAttachment {
    const ext = name.toLowerCase().split('.').pop() ?? '';
    const declared = mediaType ?? MEDIA_TYPES[ext] ?? 'application/octet-stream';
    const id = newRecordId();
    const attachmentRowid = Number(
      insertAttachment.run(id, docRowid, basename(name), declared, CHUNK_BYTES, now()).lastInsertRowid,
    );
    const stored = storeContent(attachmentRowid, source, true);
    const isPdf = Buffer.from(stored.head.subarray(0, 5)).toString('latin1') === '%PDF-';
    if (isPdf && declared === 'application/octet-stream') {
      db.prepare("UPDATE attachments SET media_type = 'application/pdf' WHERE rowid = ?").run(
        attachmentRowid,
      );
    }
    finishAttachment.run(stored.size, stored.sha256, attachmentRowid);
    // The name is searchable at once; the PDF text joins the same index row once extracted.
    insertIndex.run('attachment', attachmentRowid, foldForIndex(stripMarkers(basename(name))), '', '');
    const info = toAttachment(attachmentByRowid.get(attachmentRowid) as AttachmentRow);
    return {
      info,
      pending: isPdf && stored.pdf ? { attachmentRowid, bytes: stored.pdf } : null,
    };
  }

  function requireUpload(id: string): UploadRow {
    const row = db.prepare('SELECT * FROM attachment_uploads WHERE id = ?').get(id) as UploadRow | undefined;
    return row ?? notFound('upload');
  }

  /** Whether bulk.import has switched the journal (see bulkImport / finishImport). */
  let importing = false;

  /** One bulk.import batch: documents, then threads with their messages, in one transaction. */
  const importBatch = db.transaction(
    (input: WorkerParsedInput<'bulk.import'>): WorkerOutput<'bulk.import'> => {
      const docs = input.documents.map((d) => addDocumentRow(d));
      const threadIds: string[] = [];
      const messageIds: string[] = [];
      for (const t of input.threads) {
        const docRowid =
          t.documentIndex !== undefined
            ? (docs[t.documentIndex]?.rowid ?? notFound('document'))
            : t.documentId !== undefined
              ? requireDocumentRowid(t.documentId)
              : null;
        const first = t.messages[0]?.at ?? now();
        const thread = addThreadRow(t.subject, docRowid, first);
        threadIds.push(thread.id);
        for (const m of t.messages) messageIds.push(addMessageRow(thread.rowid, t.subject, m).id);
      }
      return { documentIds: docs.map((d) => d.id), threadIds, messageIds };
    },
  );

  return {
    listDocuments(input: WorkerParsedInput<'documents.list'>): DocumentsListResult {
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

    getDocument(id: string): DocumentDetail {
      const document = documentSummary(id);
      const rowid = requireDocumentRowid(id);
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
          .prepare(`${messageSelect} WHERE t.document_rowid = ? ORDER BY m.at, m.rowid LIMIT 500`)
          .all(rowid) as MessageRow[]
      ).map(toMessage);
      return { document, versions, attachments, messages };
    },

    setDocumentStatus(id: string, status: DocumentStatus): DocumentSummary {
      const changed = db
        .prepare('UPDATE documents SET status = ?, updated_at = ? WHERE id = ?')
        .run(status, now(), id).changes;
      if (changed === 0) notFound('document');
      return documentSummary(id);
    },

    addDocument(input: WorkerParsedInput<'documents.add'>): DocumentSummary {
      const { id } = db.transaction(() => addDocumentRow(input))();
      return documentSummary(id);
    },

    /** Stores an attachment in one transaction; returns the PDF bytes to index afterwards. */
    addAttachment(input: WorkerParsedInput<'attachments.add'>): StoredAttachment {
      return db.transaction(() =>
        storeAttachment(requireDocumentRowid(input.documentId), input.name, input.mediaType, input.source),
      )();
    },

    /** Starts a piece-by-piece upload (see UPLOAD_PIECE_BYTES in the contract). */
    beginUpload(input: WorkerParsedInput<'attachments.upload.begin'>): AttachmentUploadState {
      const docRowid = requireDocumentRowid(input.documentId);
      const uploadId = newRecordId();
      db.prepare(
        `INSERT INTO attachment_uploads (id, document_rowid, name, media_type, size, created_at)
         VALUES (?, ?, ?, ?, ?, ?)`,
      ).run(uploadId, docRowid, basename(input.name), input.mediaType ?? null, input.size, now());
      return { uploadId, received: 0, size: input.size };
    },

    /**
     * Stores the next piece. A piece already stored (its answer was lost) is answered again,
     * not stored twice; one out of place or of the wrong size is refused.
     */
    appendUpload(input: WorkerParsedInput<'attachments.upload.append'>): AttachmentUploadState {
      return db.transaction(() => {
        const up = requireUpload(input.uploadId);
        const state = { uploadId: up.id, received: up.received, size: up.size };
        const end = input.offset + input.bytes.length;
        if (input.offset < up.received && end <= up.received) return state;
        if (input.offset !== up.received) {
          throw new CoreError(ErrorCode.InvalidInput, `the next piece starts at ${up.received}`);
        }
        if (end > up.size) throw new CoreError(ErrorCode.InvalidInput, 'more bytes than announced');
        if (input.bytes.length !== CHUNK_BYTES && end !== up.size) {
          throw new CoreError(
            ErrorCode.InvalidInput,
            `pieces are ${CHUNK_BYTES} bytes, the last one shorter`,
          );
        }
        db.prepare('INSERT INTO attachment_upload_chunks (upload_rowid, seq, data) VALUES (?, ?, ?)').run(
          up.rowid,
          input.offset / CHUNK_BYTES,
          input.bytes,
        );
        db.prepare('UPDATE attachment_uploads SET received = ? WHERE rowid = ?').run(end, up.rowid);
        return { ...state, received: end };
      })();
    },

    /** All pieces in: the attachment, in one transaction; the staged pieces are dropped. */
    finishUpload(input: WorkerParsedInput<'attachments.upload.finish'>): StoredAttachment {
      return db.transaction(() => {
        const up = requireUpload(input.uploadId);
        if (up.received !== up.size) {
          throw new CoreError(ErrorCode.InvalidInput, `${up.size - up.received} bytes are still to come`);
        }
        const stored = storeAttachment(up.document_rowid, up.name, up.media_type ?? undefined, {
          kind: 'staged',
          uploadRowid: up.rowid,
        });
        db.prepare('DELETE FROM attachment_uploads WHERE rowid = ?').run(up.rowid);
        return stored;
      })();
    },

    cancelUpload(input: WorkerParsedInput<'attachments.upload.cancel'>): { cancelled: true } {
      const up = requireUpload(input.uploadId);
      db.prepare('DELETE FROM attachment_uploads WHERE rowid = ?').run(up.rowid);
      return { cancelled: true };
    },

    /** Uploads a previous session left unfinished (the interface that sent them is gone). */
    dropUnfinishedUploads(): number {
      return db.prepare('DELETE FROM attachment_uploads').run().changes;
    },

    /** Puts extracted PDF text into the attachment's index row. */
    indexAttachmentText(attachmentRowid: number, text: string): AttachmentInfo {
      db.transaction(() => {
        db.prepare("UPDATE search_index SET body = ? WHERE kind = 'attachment' AND ref = ?").run(
          foldForIndex(stripMarkers(text.slice(0, MAX_INDEXED_TEXT_CHARS))),
          attachmentRowid,
        );
        db.prepare('UPDATE attachments SET text_indexed = 1 WHERE rowid = ?').run(attachmentRowid);
      })();
      return toAttachment(attachmentByRowid.get(attachmentRowid) as AttachmentRow);
    },

    readAttachment(input: WorkerParsedInput<'attachments.read'>): WorkerOutput<'attachments.read'> {
      const row = attachmentById.get(input.id) as AttachmentRow | undefined;
      if (!row) notFound('attachment');
      const start = Math.min(input.offset, row.size);
      const end = Math.min(row.size, start + input.length);
      const out = new Uint8Array(end - start);
      if (end > start) {
        const first = Math.floor(start / row.chunk_size);
        const last = Math.floor((end - 1) / row.chunk_size);
        for (const c of chunksBetween.iterate(row.rowid, first, last) as Iterable<{
          seq: number;
          data: Buffer;
        }>) {
          const chunkStart = c.seq * row.chunk_size;
          const from = Math.max(start, chunkStart);
          const to = Math.min(end, chunkStart + c.data.length);
          out.set(c.data.subarray(from - chunkStart, to - chunkStart), from - start);
        }
      }
      return { id: row.id, offset: start, bytes: out, size: row.size, eof: end >= row.size };
    },

    listThreads(input: WorkerParsedInput<'messages.threads'>): WorkerOutput<'messages.threads'> {
      const where: string[] = [];
      const params: (string | number)[] = [];
      if (input.documentId !== undefined) {
        where.push('t.document_rowid = ?');
        params.push(requireDocumentRowid(input.documentId));
      }
      if (input.unreadOnly)
        where.push('EXISTS (SELECT 1 FROM messages m WHERE m.thread_rowid = t.rowid AND m.read = 0)');
      const filter = where.length ? `WHERE ${where.join(' AND ')}` : '';
      const total = db
        .prepare(`SELECT count(*) FROM threads t ${filter}`)
        .pluck()
        .get(...params) as number;
      const rows = db
        .prepare(
          `SELECT t.rowid, t.id, t.subject, d.id AS document_id, t.last_message_at,
             (SELECT count(*) FROM messages m WHERE m.thread_rowid = t.rowid) AS message_count,
             (SELECT count(*) FROM messages m WHERE m.thread_rowid = t.rowid AND m.read = 0) AS unread_count,
             (SELECT count(*) FROM messages m WHERE m.thread_rowid = t.rowid AND m.state = 'draft') AS draft_count,
             (SELECT json_group_array(DISTINCT m.sender) FROM messages m WHERE m.thread_rowid = t.rowid) AS senders
           FROM threads t LEFT JOIN documents d ON d.rowid = t.document_rowid ${filter}
           ORDER BY t.last_message_at DESC, t.rowid DESC LIMIT ? OFFSET ?`,
        )
        .all(...params, input.limit, input.offset) as {
        id: string;
        subject: string;
        document_id: string | null;
        last_message_at: string;
        message_count: number;
        unread_count: number;
        draft_count: number;
        senders: string;
      }[];
      const items: ThreadSummary[] = rows.map((r) => ({
        id: r.id,
        subject: r.subject,
        documentId: r.document_id,
        messageCount: r.message_count,
        unreadCount: r.unread_count,
        draftCount: r.draft_count,
        lastMessageAt: r.last_message_at,
        participants: parties(r.senders)
          .filter((p) => p.length > 0)
          .slice(0, 50),
      }));
      return { total, offset: input.offset, items };
    },

    listMessages(input: WorkerParsedInput<'messages.list'>): WorkerOutput<'messages.list'> {
      const thread = threadRow.get(input.threadId) as { rowid: number } | undefined;
      if (!thread) notFound('thread');
      const total = db
        .prepare('SELECT count(*) FROM messages WHERE thread_rowid = ?')
        .pluck()
        .get(thread.rowid) as number;
      const rows = db
        .prepare(`${messageSelect} WHERE m.thread_rowid = ? ORDER BY m.at, m.rowid LIMIT ? OFFSET ?`)
        .all(thread.rowid, input.limit, input.offset) as MessageRow[];
      return { total, offset: input.offset, items: rows.map(toMessage) };
    },

    addMessage(input: WorkerParsedInput<'messages.add'>): MessageInfo {
      const rowid = db.transaction(() => {
        const at = now();
        let thread: { rowid: number; subject: string };
        if (input.threadId !== undefined) {
          const found = threadRow.get(input.threadId) as { rowid: number; subject: string } | undefined;
          thread = found ?? notFound('thread');
        } else {
          const docRowid = input.documentId !== undefined ? requireDocumentRowid(input.documentId) : null;
          const subject = input.subject ?? '';
          thread = { rowid: addThreadRow(subject, docRowid, at).rowid, subject };
        }
        return addMessageRow(thread.rowid, thread.subject, {
          from: input.from,
          to: input.to,
          body: input.body,
          state: 'draft',
          read: true,
          at,
        }).rowid;
      })();
      return toMessage(messageByRowid.get(rowid) as MessageRow);
    },

    /**
     * Stores a message sync sent or received: into the newest thread with the same subject (a
     * conversation), or a new one. In the caller's transaction when there is one.
     */
    addSyncedMessage(m: {
      subject: string;
      from: string;
      to: readonly string[];
      body: string;
      state: 'sent' | 'received';
      read: boolean;
      at: string;
    }): MessageInfo {
      const rowid = db.transaction(() => {
        const subject = m.subject.trim() || '—';
        const found = db
          .prepare('SELECT rowid FROM threads WHERE subject = ? ORDER BY last_message_at DESC LIMIT 1')
          .pluck()
          .get(subject) as number | undefined;
        const threadRowid = found ?? addThreadRow(subject, null, m.at).rowid;
        return addMessageRow(threadRowid, subject, m).rowid;
      })();
      return toMessage(messageByRowid.get(rowid) as MessageRow);
    },

    /** One message with its thread's subject (for `embassy inbox`). */
    getMessage(id: string): { subject: string; body: string } {
      const r = db
        .prepare(
          'SELECT t.subject, m.body FROM messages m JOIN threads t ON t.rowid = m.thread_rowid WHERE m.id = ?',
        )
        .get(id) as { subject: string; body: string } | undefined;
      return r ?? notFound('message');
    },

    /** Opened (read) or unread again; `updated_at` is left alone: reading changes nothing in it. */
    markDocumentsRead(input: WorkerParsedInput<'documents.markRead'>): { updated: number } {
      const update = db.prepare('UPDATE documents SET unread = ? WHERE id = ? AND unread != ?');
      const flag = input.read ? 0 : 1;
      const updated = db.transaction(() =>
        input.ids.reduce((n, id) => n + update.run(flag, id, flag).changes, 0),
      )();
      return { updated };
    },

    markRead(input: WorkerParsedInput<'messages.markRead'>): { updated: number } {
      const update = db.prepare('UPDATE messages SET read = ? WHERE id = ? AND read != ?');
      const updated = db.transaction(() =>
        input.ids.reduce((n, id) => n + update.run(input.read ? 1 : 0, id, input.read ? 1 : 0).changes, 0),
      )();
      return { updated };
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
              rank: r.rank,
            });
        }
      }
      return { hits };
    },

    bulkImport(input: WorkerParsedInput<'bulk.import'>): WorkerOutput<'bulk.import'> {
      // The first batch of an import leaves the WAL for a rollback journal (see
      // BULK_JOURNAL_MODE); leaving WAL checkpoints what it holds. If SQLite refuses the
      // switch, the import simply commits through the WAL.
      if (!importing) {
        db.pragma(`journal_mode = ${BULK_JOURNAL_MODE}`);
        importing = true;
      }
      return importBatch(input);
    },

    /** The import is over: back to the WAL (no page is copied: the journal is empty between commits). */
    finishImport(): void {
      if (!importing) return;
      importing = false;
      db.pragma('journal_mode = WAL');
    },

    counts(): WorkerOutput<'counts'> {
      const count = (table: string) => db.prepare(`SELECT count(*) FROM ${table}`).pluck().get() as number;
      return {
        documents: count('documents'),
        messages: count('messages'),
        attachments: count('attachments'),
      };
    },
  };
}

export type VaultRepository = ReturnType<typeof createVaultRepository>;
