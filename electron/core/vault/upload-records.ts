import { basename } from 'node:path';
import { CoreError, ErrorCode } from '../../../shared/contract/errors';
import type { AttachmentUploadState } from '../../../shared/contract/vault-calls';
import { CHUNK_BYTES } from './attachment-content';
import type { AttachmentRecords, StoredAttachment } from './attachment-records';
import type { DocumentRecords } from './document-records';
import { newRecordId } from './record-id';
import { notFound, now, type Db } from './repository-rows';
import type { WorkerParsedInput } from './worker-protocol';

interface UploadRow {
  rowid: number;
  id: string;
  document_rowid: number;
  name: string;
  media_type: string | null;
  size: number;
  received: number;
}

/**
 * Piece-by-piece uploads of an attachment from the interface (UPLOAD_PIECE_BYTES in the
 * contract): pieces are staged in order, each exactly one chunk but the last, and the
 * finished upload becomes the attachment in one transaction. An upload lives only with the
 * session that sent it.
 */
export function createUploadRecords(db: Db, documents: DocumentRecords, attachments: AttachmentRecords) {
  function requireUpload(id: string): UploadRow {
    const row = db.prepare('SELECT * FROM attachment_uploads WHERE id = ?').get(id) as UploadRow | undefined;
    return row ?? notFound('upload');
  }

  return {
    /** Starts a piece-by-piece upload (see UPLOAD_PIECE_BYTES in the contract). */
    begin(input: WorkerParsedInput<'attachments.upload.begin'>): AttachmentUploadState {
      const docRowid = documents.requireRowid(input.documentId);
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
    append(input: WorkerParsedInput<'attachments.upload.append'>): AttachmentUploadState {
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
    finish(input: WorkerParsedInput<'attachments.upload.finish'>): StoredAttachment {
      return db.transaction(() => {
        const up = requireUpload(input.uploadId);
        if (up.received !== up.size) {
          throw new CoreError(ErrorCode.InvalidInput, `${up.size - up.received} bytes are still to come`);
        }
        const stored = attachments.store(up.document_rowid, up.name, up.media_type ?? undefined, {
          kind: 'staged',
          uploadRowid: up.rowid,
        });
        db.prepare('DELETE FROM attachment_uploads WHERE rowid = ?').run(up.rowid);
        return stored;
      })();
    },

    cancel(input: WorkerParsedInput<'attachments.upload.cancel'>): { cancelled: true } {
      const up = requireUpload(input.uploadId);
      db.prepare('DELETE FROM attachment_uploads WHERE rowid = ?').run(up.rowid);
      return { cancelled: true };
    },

    /** Uploads a previous session left unfinished (the interface that sent them is gone). */
    dropUnfinished(): number {
      return db.prepare('DELETE FROM attachment_uploads').run().changes;
    },
  };
}

export type UploadRecords = ReturnType<typeof createUploadRecords>;
