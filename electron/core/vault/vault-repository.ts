import { createAttachmentContent } from './attachment-content';
import { createAttachmentRecords } from './attachment-records';
import { createBulkImport } from './bulk-import';
import { createDocumentRecords } from './document-records';
import { createDocumentWorkflow } from './document-workflow-records';
import { createMessageFiles } from './message-files';
import { createMessageRecords } from './message-records';
import type { Db } from './repository-rows';
import { createSearchIndex } from './search-index';
import { createUploadRecords } from './upload-records';
import type { WorkerOutput } from './worker-protocol';

export { CHUNK_BYTES, MAX_PDF_TEXT_BYTES } from './attachment-content';
export type { PendingPdfText, StoredAttachment } from './attachment-records';
export { MAX_INDEXED_TEXT_CHARS } from './search-index';

/**
 * The domain on top of an open, keyed database: documents, versions, attachments in chunks,
 * threads, messages, read state and the search index. Synchronous (better-sqlite3); it runs
 * only inside the vault worker. Composed from one part per concern, each over the same
 * connection; this is the one face the worker and the sync store use.
 */
export function createVaultRepository(db: Db) {
  const index = createSearchIndex(db);
  const documents = createDocumentRecords(db, index);
  const workflow = createDocumentWorkflow(db, documents, index);
  const messageFiles = createMessageFiles(db);
  const messages = createMessageRecords(db, index, documents, messageFiles);
  const attachments = createAttachmentRecords(db, index, documents, createAttachmentContent(db));
  const uploads = createUploadRecords(db, documents, attachments);
  const bulk = createBulkImport(db, documents, messages);

  return {
    listDocuments: documents.list,
    getDocument: documents.get,
    addDocument: documents.add,
    updateDocument: workflow.update,
    transitionDocument: workflow.transition,
    approvalContent: workflow.approvalOf,
    archiveDocument: workflow.archive,
    markDocumentsRead: documents.markRead,

    addAttachment: attachments.add,
    indexAttachmentText: attachments.indexText,
    readAttachment: attachments.read,

    beginUpload: uploads.begin,
    appendUpload: uploads.append,
    finishUpload: uploads.finish,
    cancelUpload: uploads.cancel,
    dropUnfinishedUploads: uploads.dropUnfinished,

    listThreads: messages.listThreads,
    listMessages: messages.listMessages,
    addMessage: messages.addDraft,
    addSyncedMessage: messages.addSynced,
    getMessage: messages.get,
    markRead: messages.markRead,
    updateDraft: messages.updateDraft,
    deleteDraft: messages.deleteDraft,
    stageMessageFile: messageFiles.stage,
    readMessageFile: messageFiles.read,
    messageFile: messageFiles.ofMessage,
    messageFilesForSending: messageFiles.forSending,
    messageFileMarkings: messageFiles.markingsOf,
    dropStagedMessageFiles: messageFiles.dropStaged,

    search: index.search,

    bulkImport: bulk.batch,
    finishImport: bulk.finish,

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
