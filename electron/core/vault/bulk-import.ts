import type { DocumentRecords } from './document-records';
import type { MessageRecords } from './message-records';
import { notFound, now, type Db } from './repository-rows';
import { BULK_JOURNAL_MODE } from './vault-db';
import type { WorkerOutput, WorkerParsedInput } from './worker-protocol';

/**
 * `bulk.import`: batches of documents and threads with their messages, each batch one
 * transaction, committed through a rollback journal while the import lasts (BULK_JOURNAL_MODE)
 * and back to the WAL when it is over.
 */
export function createBulkImport(db: Db, documents: DocumentRecords, messages: MessageRecords) {
  /** Whether an import has switched the journal (see `batch` / `finish`). */
  const state = { importing: false };

  /** One batch: documents, then threads with their messages, in one transaction. */
  const importBatch = db.transaction(
    (input: WorkerParsedInput<'bulk.import'>): WorkerOutput<'bulk.import'> => {
      const docs = input.documents.map((d) => documents.insert(d));
      const threadIds: string[] = [];
      const messageIds: string[] = [];
      for (const t of input.threads) {
        const docRowid =
          t.documentIndex !== undefined
            ? (docs[t.documentIndex]?.rowid ?? notFound('document'))
            : t.documentId !== undefined
              ? documents.requireRowid(t.documentId)
              : null;
        const first = t.messages[0]?.at ?? now();
        const thread = messages.insertThread(t.subject, docRowid, first);
        threadIds.push(thread.id);
        for (const m of t.messages) messageIds.push(messages.insertMessage(thread.rowid, t.subject, m).id);
      }
      return { documentIds: docs.map((d) => d.id), threadIds, messageIds };
    },
  );

  return {
    batch(input: WorkerParsedInput<'bulk.import'>): WorkerOutput<'bulk.import'> {
      // The first batch of an import leaves the WAL for a rollback journal (see
      // BULK_JOURNAL_MODE); leaving WAL checkpoints what it holds. If SQLite refuses the
      // switch, the import simply commits through the WAL.
      if (!state.importing) {
        db.pragma(`journal_mode = ${BULK_JOURNAL_MODE}`);
        state.importing = true;
      }
      return importBatch(input);
    },

    /** The import is over: back to the WAL (no page is copied: the journal is empty between commits). */
    finish(): void {
      if (!state.importing) return;
      state.importing = false;
      db.pragma('journal_mode = WAL');
    },
  };
}
