import { createHash } from 'node:crypto';
import { basename } from 'node:path';
import type { MessageFileInfo } from '../../../shared/contract/vault-calls';
import type { Classification } from '../../../shared/domain/classification';
import { MAX_MESSAGE_FILE_BYTES, MAX_MESSAGE_FILES } from '../../../shared/domain/document';
import { CoreError, ErrorCode } from '../../../shared/contract/errors';
import { mediaTypeOf } from './attachment-records';
import { newRecordId } from './record-id';
import { notFound, now, type Db } from './repository-rows';
import type { WorkerOutput, WorkerParsedInput } from './worker-protocol';

/** A file's bytes as they travel (the payload's attachment). */
export interface MessageFileBytes {
  readonly name: string;
  readonly mediaType: string;
  readonly bytes: Uint8Array;
}

interface FileRow {
  rowid: number;
  id: string;
  message_rowid: number | null;
  name: string;
  media_type: string;
  size: number;
}

/**
 * Files of messages, whole in one row each (at most MAX_MESSAGE_FILE_BYTES: a message's file
 * travels inline; a large file goes as a document's attachment). A file with no message is
 * staged for a message being written; it joins the officer's own copy when the message is sent,
 * and files never sent are dropped at the next unlock, as unfinished uploads are.
 */
export function createMessageFiles(db: Db) {
  const insert = db.prepare(
    `INSERT INTO message_files (id, message_rowid, name, media_type, size, sha256, data, created_at)
     VALUES (?, ?, ?, ?, ?, ?, ?, ?)`,
  );
  const byId = db.prepare(
    'SELECT rowid, id, message_rowid, name, media_type, size FROM message_files WHERE id = ?',
  );
  const bytesById = db.prepare('SELECT name, media_type, data FROM message_files WHERE id = ?');
  const markingById = db.prepare(
    `SELECT m.classification FROM message_files f
     LEFT JOIN messages m ON m.rowid = f.message_rowid WHERE f.id = ?`,
  );

  function store(
    messageRowid: number | null,
    name: string,
    mediaType: string | undefined,
    bytes: Uint8Array,
  ) {
    if (bytes.length > MAX_MESSAGE_FILE_BYTES) {
      throw new CoreError(ErrorCode.TooLarge, `a message's file is at most ${MAX_MESSAGE_FILE_BYTES} bytes`);
    }
    const id = newRecordId();
    const clean = basename(name);
    const type = mediaType ?? mediaTypeOf(clean);
    const sha256 = createHash('sha256').update(bytes).digest('hex');
    insert.run(id, messageRowid, clean, type, bytes.length, sha256, bytes, now());
    return { id, name: clean, mediaType: type, size: bytes.length };
  }

  function require(id: string): FileRow {
    return (byId.get(id) as FileRow | undefined) ?? notFound('file');
  }

  return {
    /** Stages a file for a message being written. */
    stage(input: WorkerParsedInput<'messages.files.add'>): MessageFileInfo {
      return store(null, input.name, input.mediaType, input.bytes);
    },

    /** A received message's files, in the caller's transaction. */
    attach(messageRowid: number, files: readonly MessageFileBytes[]): void {
      if (files.length > MAX_MESSAGE_FILES) throw new CoreError(ErrorCode.InvalidInput, 'too many files');
      for (const f of files) store(messageRowid, f.name, f.mediaType, f.bytes);
    },

    /** The files a send names, with their bytes, in order. Unknown ids are E_NOT_FOUND. */
    forSending(ids: readonly string[]): MessageFileBytes[] {
      return [...new Set(ids)].map((id) => {
        const row = bytesById.get(id) as { name: string; media_type: string; data: Buffer } | undefined;
        if (!row) notFound('file');
        return { name: row.name, mediaType: row.media_type, bytes: new Uint8Array(row.data) };
      });
    },

    /**
     * The markings of the messages these files came with (a staged file has none), without
     * reading their bytes: what a forward may not go below. Unknown ids are E_NOT_FOUND.
     */
    markingsOf(ids: readonly string[]): Classification[] {
      return [...new Set(ids)].flatMap((id) => {
        const row = markingById.get(id) as { classification: Classification | null } | undefined;
        if (!row) notFound('file');
        return row.classification ? [row.classification] : [];
      });
    },

    /**
     * The sent message's own copy of its files, in the caller's transaction: staged files move
     * to it, a forwarded file is copied. Answers the copy's file ids, in order.
     */
    keepWith(messageRowid: number, ids: readonly string[]): string[] {
      return [...new Set(ids)].map((id) => {
        const row = require(id);
        if (row.message_rowid === null) {
          db.prepare('UPDATE message_files SET message_rowid = ? WHERE rowid = ?').run(
            messageRowid,
            row.rowid,
          );
          return row.id;
        }
        const copy = newRecordId();
        db.prepare(
          `INSERT INTO message_files (id, message_rowid, name, media_type, size, sha256, data, created_at)
           SELECT ?, ?, name, media_type, size, sha256, data, ? FROM message_files WHERE rowid = ?`,
        ).run(copy, messageRowid, now(), row.rowid);
        return copy;
      });
    },

    /** A file of a stored message (a staged one is not a message's yet) and that message's marking. */
    ofMessage(id: string): WorkerOutput<'messages.files.get'> {
      const row = db
        .prepare(
          `SELECT f.id, f.name, f.media_type, f.size, m.id AS message_id, m.classification
           FROM message_files f JOIN messages m ON m.rowid = f.message_rowid WHERE f.id = ?`,
        )
        .get(id) as
        | {
            id: string;
            name: string;
            media_type: string;
            size: number;
            message_id: string;
            classification: Classification;
          }
        | undefined;
      if (!row) notFound('file');
      return {
        file: { id: row.id, name: row.name, mediaType: row.media_type, size: row.size },
        messageId: row.message_id,
        classification: row.classification,
      };
    },

    read(input: WorkerParsedInput<'messages.files.read'>): WorkerOutput<'messages.files.read'> {
      const row = require(input.id);
      const start = Math.min(input.offset, row.size);
      const end = Math.min(row.size, start + input.length);
      const slice = db
        .prepare('SELECT substr(data, ?, ?) FROM message_files WHERE rowid = ?')
        .pluck()
        .get(start + 1, end - start, row.rowid) as Buffer | null;
      const bytes = new Uint8Array(slice ?? Buffer.alloc(0));
      return { id: row.id, offset: start, bytes, size: row.size, eof: end >= row.size };
    },

    /** Files staged by a session that is gone (lock, crash): never sent, dropped. */
    dropStaged(): number {
      return db.prepare('DELETE FROM message_files WHERE message_rowid IS NULL').run().changes;
    },
  };
}

export type MessageFiles = ReturnType<typeof createMessageFiles>;
