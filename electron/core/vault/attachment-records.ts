import { basename } from 'node:path';
import type { AttachmentInfo } from '../../../shared/contract/vault-calls';
import type { TextFormat } from '../../../shared/domain/document';
import { CHUNK_BYTES, type AttachmentContent, type ContentSource } from './attachment-content';
import type { DocumentRecords } from './document-records';
import { newRecordId } from './record-id';
import {
  ATTACHMENT_SELECT,
  notFound,
  now,
  toAttachment,
  type AttachmentRow,
  type Db,
} from './repository-rows';
import type { SearchIndex } from './search-index';
import type { WorkerOutput, WorkerParsedInput } from './worker-protocol';

const MEDIA_TYPES: Record<string, string> = {
  pdf: 'application/pdf',
  txt: 'text/plain',
  png: 'image/png',
  jpg: 'image/jpeg',
  jpeg: 'image/jpeg',
  docx: 'application/vnd.openxmlformats-officedocument.wordprocessingml.document',
  odt: 'application/vnd.oasis.opendocument.text',
  xlsx: 'application/vnd.openxmlformats-officedocument.spreadsheetml.sheet',
  p7s: 'application/pkcs7-signature',
};

/** The media type a file's name says (its extension), or `application/octet-stream`. */
export function mediaTypeOf(name: string): string {
  const ext = name.toLowerCase().split('.').pop() ?? '';
  return MEDIA_TYPES[ext] ?? 'application/octet-stream';
}

/** A stored attachment, and its bytes when their text is still to be indexed. */
export interface StoredAttachment {
  info: AttachmentInfo;
  pending: PendingPdfText | null;
}

/**
 * An attachment whose text is still to be extracted (outside the write transaction, by the
 * PDF sandbox): a PDF, or a .txt, .docx or .odt file (the name is historical).
 */
export interface PendingPdfText {
  readonly attachmentRowid: number;
  readonly bytes: Uint8Array;
  readonly format: TextFormat;
}

/**
 * Which text reader an attachment gets: PDFs by their bytes (`%PDF-`), the others by their
 * name, and the office formats only when the bytes are a zip (`PK\x03\x04`). Null: not indexed
 * by content (images, spreadsheets, signatures).
 */
export function textFormatOf(name: string, head: Uint8Array): TextFormat | null {
  const magic = Buffer.from(head.subarray(0, 5)).toString('latin1');
  if (magic === '%PDF-') return 'pdf';
  const ext = name.toLowerCase().split('.').pop() ?? '';
  const zip = magic.startsWith('PK\x03\x04');
  if (ext === 'txt') return 'txt';
  if (ext === 'docx' && zip) return 'docx';
  if (ext === 'odt' && zip) return 'odt';
  return null;
}

/**
 * Attachments of documents: the row (name, media type, size, SHA-256), its content in chunks,
 * its search row (the name at once, the text of a PDF, .txt, .docx or .odt once extracted),
 * and reads by byte range.
 */
export function createAttachmentRecords(
  db: Db,
  index: SearchIndex,
  documents: DocumentRecords,
  content: AttachmentContent,
) {
  const insertAttachment = db.prepare(
    `INSERT INTO attachments (id, document_rowid, name, media_type, size, sha256, chunk_size, created_at)
     VALUES (?, ?, ?, ?, 0, '', ?, ?)`,
  );
  const finishAttachment = db.prepare('UPDATE attachments SET size = ?, sha256 = ? WHERE rowid = ?');
  const attachmentById = db.prepare(`${ATTACHMENT_SELECT} WHERE a.id = ?`);
  const attachmentByRowid = db.prepare(`${ATTACHMENT_SELECT} WHERE a.rowid = ?`);

  /** One attachment row with its content and index row (inside the caller's transaction). */
  function store(
    docRowid: number,
    name: string,
    mediaType: string | undefined,
    source: ContentSource,
  ): StoredAttachment {
    const declared = mediaType ?? mediaTypeOf(name);
    const id = newRecordId();
    const attachmentRowid = Number(
      insertAttachment.run(id, docRowid, basename(name), declared, CHUNK_BYTES, now()).lastInsertRowid,
    );
    const stored = content.store(attachmentRowid, source, true);
    const format = textFormatOf(name, stored.head);
    const isPdf = format === 'pdf';
    if (isPdf && declared === 'application/octet-stream') {
      db.prepare("UPDATE attachments SET media_type = 'application/pdf' WHERE rowid = ?").run(
        attachmentRowid,
      );
    }
    finishAttachment.run(stored.size, stored.sha256, attachmentRowid);
    // The name is searchable at once; the text joins the same index row once extracted.
    index.add('attachment', attachmentRowid, { title: basename(name), body: '', parties: '' });
    const info = toAttachment(attachmentByRowid.get(attachmentRowid) as AttachmentRow);
    return {
      info,
      pending: format && stored.pdf ? { attachmentRowid, bytes: stored.pdf, format } : null,
    };
  }

  return {
    store,

    /** Stores an attachment in one transaction; returns the PDF bytes to index afterwards. */
    add(input: WorkerParsedInput<'attachments.add'>): StoredAttachment {
      return db.transaction(() =>
        store(documents.requireRowid(input.documentId), input.name, input.mediaType, input.source),
      )();
    },

    /** Puts extracted text into the attachment's index row. */
    indexText(attachmentRowid: number, text: string): AttachmentInfo {
      db.transaction(() => {
        index.setAttachmentText(attachmentRowid, text);
        db.prepare('UPDATE attachments SET text_indexed = 1 WHERE rowid = ?').run(attachmentRowid);
      })();
      return toAttachment(attachmentByRowid.get(attachmentRowid) as AttachmentRow);
    },

    read(input: WorkerParsedInput<'attachments.read'>): WorkerOutput<'attachments.read'> {
      const row = attachmentById.get(input.id) as AttachmentRow | undefined;
      if (!row) notFound('attachment');
      const start = Math.min(input.offset, row.size);
      const end = Math.min(row.size, start + input.length);
      const bytes = content.read(row.rowid, row.chunk_size, start, end);
      return { id: row.id, offset: start, bytes, size: row.size, eof: end >= row.size };
    },
  };
}

export type AttachmentRecords = ReturnType<typeof createAttachmentRecords>;
