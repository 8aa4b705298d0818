import type BetterSqlite3 from 'better-sqlite3-multiple-ciphers';
import { CoreError, ErrorCode } from '../../../shared/contract/errors';
import type { AttachmentInfo, DocumentSummary, MessageInfo } from '../../../shared/contract/vault-calls';

/**
 * The rows the repository reads, their mapping onto contract shapes, and the SQL fragments
 * that select them: one place, shared by the documents, messages, attachments and search parts.
 */

export type Db = BetterSqlite3.Database;

export interface DocumentRow {
  rowid: number;
  id: string;
  registry_number: string;
  date: string;
  direction: DocumentSummary['direction'];
  classification: DocumentSummary['classification'];
  status: DocumentSummary['status'];
  kind: DocumentSummary['kind'];
  number: number | null;
  number_year: number | null;
  archived_at: string | null;
  version: number;
  subject: string;
  sender: string;
  recipients: string;
  updated_at: string;
  attachment_count: number;
  unread_messages: number;
  unread: number;
  received_from: string | null;
}

export interface MessageRow {
  id: string;
  thread_id: string;
  document_id: string | null;
  sender: string;
  recipients: string;
  body: string;
  state: MessageInfo['state'];
  read: number;
  classification: MessageInfo['classification'];
  at: string;
  /** JSON: the message's files, as MESSAGE_SELECT builds them. */
  files: string;
}

export interface AttachmentRow {
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

/** A document row with its attachment and unread-message counts (`d` is `documents`). */
export const DOCUMENT_COLUMNS = `
  d.rowid, d.id, d.registry_number, d.date, d.direction, d.classification, d.status, d.subject,
  d.sender, d.recipients, d.updated_at, d.unread, d.received_from, d.kind, d.number, d.number_year,
  d.archived_at,
  (SELECT max(v.version) FROM document_versions v WHERE v.document_rowid = d.rowid) AS version,
  (SELECT count(*) FROM attachments a WHERE a.document_rowid = d.rowid) AS attachment_count,
  (SELECT count(*) FROM threads t JOIN messages m ON m.thread_rowid = t.rowid AND m.read = 0
     WHERE t.document_rowid = d.rowid) AS unread_messages`;

/** Messages with their thread and document ids; callers add WHERE / ORDER BY. */
export const MESSAGE_SELECT = `SELECT m.id, t.id AS thread_id, d.id AS document_id, m.sender, m.recipients, m.body,
       m.state, m.read, m.classification, m.at,
       (SELECT json_group_array(json_object('id', f.id, 'name', f.name, 'mediaType', f.media_type, 'size', f.size))
        FROM message_files f WHERE f.message_rowid = m.rowid) AS files
     FROM messages m JOIN threads t ON t.rowid = m.thread_rowid
     LEFT JOIN documents d ON d.rowid = t.document_rowid`;

/** Attachments with their document's id; callers add WHERE. */
export const ATTACHMENT_SELECT = `SELECT a.rowid, a.id, d.id AS document_id, a.name, a.media_type, a.size, a.sha256, a.chunk_size,
       a.text_indexed, a.created_at
     FROM attachments a JOIN documents d ON d.rowid = a.document_rowid`;

/** A JSON array of parties (senders, recipients) as stored; anything else reads as none. */
export const parties = (json: string): string[] => {
  const v: unknown = JSON.parse(json);
  return Array.isArray(v) ? v.filter((x): x is string => typeof x === 'string') : [];
};

export const now = () => new Date().toISOString();

export function notFound(what: string): never {
  throw new CoreError(ErrorCode.NotFound, `${what} not found`);
}

export function toSummary(r: DocumentRow): DocumentSummary {
  return {
    id: r.id,
    registryNumber: r.registry_number,
    date: r.date,
    direction: r.direction,
    kind: r.kind,
    classification: r.classification,
    status: r.status,
    subject: r.subject,
    from: r.sender,
    to: parties(r.recipients),
    attachmentCount: r.attachment_count,
    unreadMessages: r.unread_messages,
    unread: r.unread === 1,
    archived: r.archived_at !== null,
    version: r.version ?? 1,
    updatedAt: r.updated_at,
    ...(r.received_from !== null ? { receivedFrom: r.received_from } : {}),
  };
}

export function toMessage(r: MessageRow): MessageInfo {
  return {
    id: r.id,
    threadId: r.thread_id,
    documentId: r.document_id,
    from: r.sender,
    to: parties(r.recipients),
    body: r.body,
    state: r.state,
    read: r.read === 1,
    classification: r.classification,
    files: JSON.parse(r.files) as MessageInfo['files'],
    at: r.at,
  };
}

export function toAttachment(r: AttachmentRow): AttachmentInfo {
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
