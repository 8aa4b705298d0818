import { createHash } from 'node:crypto';
import { closeSync, fstatSync, openSync, readSync } from 'node:fs';
import { CoreError, ErrorCode } from '../../../shared/contract/errors';
import { UPLOAD_PIECE_BYTES } from '../../../shared/contract/vault-calls';
import { MAX_ATTACHMENT_BYTES } from '../../../shared/domain/document';
import type { Db } from './repository-rows';
import type { WorkerParsedInput } from './worker-protocol';

/** Attachment chunk rows; upload pieces are the same size, so a finished upload's pieces are its chunks. */
export const CHUNK_BYTES = UPLOAD_PIECE_BYTES;
/** PDFs up to this size get their text extracted for search (pdf.js needs them whole in memory). */
export const MAX_PDF_TEXT_BYTES = 64 * 1024 * 1024;

/** Where an attachment's bytes come from: a file, bytes in the request, or staged upload pieces. */
export type ContentSource =
  WorkerParsedInput<'attachments.add'>['source'] | { readonly kind: 'staged'; readonly uploadRowid: number };

/** What storing content produced: its size and digest, its first bytes, and a PDF kept whole. */
export interface StoredContent {
  readonly size: number;
  readonly sha256: string;
  /** The whole content when it was asked for and is at most MAX_PDF_TEXT_BYTES, else null. */
  readonly pdf: Uint8Array | null;
  /** The first 8 bytes (for sniffing the type). */
  readonly head: Uint8Array;
}

/** The running state of one content stream, in one place. */
interface StreamState {
  size: number;
  seq: number;
  head: Uint8Array;
  readonly kept: Uint8Array[];
}

/**
 * An attachment's bytes as chunk rows (`attachment_chunks`, CHUNK_BYTES each): streamed in
 * from a file, request bytes or staged upload pieces without ever holding more than one chunk
 * (plus a PDF to index), and read back by byte range.
 */
export function createAttachmentContent(db: Db) {
  const insertChunk = db.prepare(
    'INSERT INTO attachment_chunks (attachment_rowid, seq, data) VALUES (?, ?, ?)',
  );
  const stagedPiece = db
    .prepare('SELECT data FROM attachment_upload_chunks WHERE upload_rowid = ? AND seq = ?')
    .pluck();
  const chunksBetween = db.prepare(
    'SELECT seq, data FROM attachment_chunks WHERE attachment_rowid = ? AND seq BETWEEN ? AND ? ORDER BY seq',
  );

  return {
    /** Streams content into chunk rows (in the caller's transaction). */
    store(attachmentRowid: number, source: ContentSource, keepPdf: boolean): StoredContent {
      const hash = createHash('sha256');
      const s: StreamState = { size: 0, seq: 0, head: new Uint8Array(0), kept: [] };
      const take = (chunk: Uint8Array) => {
        // Copies, not views: for a file import `chunk` is a view of one reused read buffer
        // (Buffer#slice does not copy).
        if (s.seq === 0) s.head = new Uint8Array(chunk.subarray(0, 8));
        hash.update(chunk);
        insertChunk.run(attachmentRowid, s.seq++, chunk);
        s.size += chunk.length;
        if (keepPdf && s.size <= MAX_PDF_TEXT_BYTES) s.kept.push(new Uint8Array(chunk));
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
        streamFile(source.path, take, () => s.size);
      }
      const pdf = keepPdf && s.size <= MAX_PDF_TEXT_BYTES ? Buffer.concat(s.kept) : null;
      for (const k of s.kept) k.fill(0);
      return { size: s.size, sha256: hash.digest('hex'), pdf, head: s.head };
    },

    /** Bytes [start, end) of an attachment stored in chunks of `chunkSize`. */
    read(attachmentRowid: number, chunkSize: number, start: number, end: number): Uint8Array {
      const out = new Uint8Array(Math.max(0, end - start));
      if (end <= start) return out;
      const first = Math.floor(start / chunkSize);
      const last = Math.floor((end - 1) / chunkSize);
      for (const c of chunksBetween.iterate(attachmentRowid, first, last) as Iterable<{
        seq: number;
        data: Buffer;
      }>) {
        const chunkStart = c.seq * chunkSize;
        const from = Math.max(start, chunkStart);
        const to = Math.min(end, chunkStart + c.data.length);
        out.set(c.data.subarray(from - chunkStart, to - chunkStart), from - start);
      }
      return out;
    },
  };
}

/** Reads a regular file CHUNK_BYTES at a time into `take`, refusing what is too large. */
function streamFile(path: string, take: (chunk: Uint8Array) => void, sizeSoFar: () => number): void {
  let fd: number;
  try {
    fd = openSync(path, 'r');
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
      if (sizeSoFar() + filled > MAX_ATTACHMENT_BYTES)
        throw new CoreError(ErrorCode.TooLarge, 'attachment too large');
      take(buffer.subarray(0, filled));
      if (filled < CHUNK_BYTES) break;
    }
    buffer.fill(0);
  } finally {
    closeSync(fd);
  }
}

export type AttachmentContent = ReturnType<typeof createAttachmentContent>;
