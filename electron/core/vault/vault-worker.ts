import { parentPort } from 'node:worker_threads';
import type Database from 'better-sqlite3-multiple-ciphers';
import { CoreError, ErrorCode, isErrorCode } from '../../../shared/contract/errors';
import { asPassphraseWrapped } from './key-wrapper';
import { createPassphraseWrapper } from './passphrase-wrapper';
import { askPdfText } from './pdf-text-link';
import { loadSodium, type Sodium } from './sodium';
import { classifySqliteError, openVaultDatabase } from './vault-db';
import { asVaultKey, keyMatches, zeroKey, type VaultKey } from './vault-key';
import {
  createVaultRepository,
  MAX_INDEXED_TEXT_CHARS,
  type PendingPdfText,
  type StoredAttachment,
  type VaultRepository,
} from './vault-repository';
import type { AttachmentInfo } from '../../../shared/contract/vault-calls';
import { createSyncStoreContext, syncWorkerHandlers, type SyncStoreContext } from '../sync/store';
import {
  isWorkerOp,
  WORKER_OPS,
  WorkerRequest,
  type WorkerOp,
  type WorkerOutput,
  type WorkerParsedInput,
  type WorkerResponse,
} from './worker-protocol';

/**
 * The vault worker: the only thread that touches the database (one writer). Requests are
 * handled one at a time in arrival order; each is validated against the protocol table first.
 * It lives exactly as long as the vault is unlocked: lock closes the database and the service
 * then terminates the thread, so nothing keyed outlives the session.
 */

/** Quiet time after the last `bulk.import` before the worker returns the vault to the WAL. */
const IMPORT_CHECKPOINT_DELAY_MS = 500;

interface Session {
  readonly db: InstanceType<typeof Database>;
  readonly repo: VaultRepository;
  sync?: SyncStoreContext;
}

type OpHandler<O extends WorkerOp> = (
  input: WorkerParsedInput<O>,
) => Promise<WorkerOutput<O>> | WorkerOutput<O>;

function main(): void {
  const port = parentPort;
  if (!port) throw new Error('vault-worker must run in a worker thread');
  let sodiumReady: Promise<Sodium> | null = null;
  const sodium = () => (sodiumReady ??= loadSodium());
  let session: Session | null = null;
  const pdfText = askPdfText(port);

  const open = (): Session => {
    if (!session) throw new CoreError(ErrorCode.VaultLocked, 'the vault is locked');
    return session;
  };

  /**
   * A stored attachment's text (PDF, .txt, .docx, .odt), read by the PDF sandbox (through the
   * parent: pdf-text-link.ts) outside the write transaction, then indexed. Null when the sandbox
   * cannot read it (damaged, crafted, too slow): the file is still stored, just not searchable
   * by content.
   */
  const indexPdf = async (pending: PendingPdfText): Promise<AttachmentInfo | null> => {
    let text: string | null;
    try {
      text = await pdfText.text(pending.bytes, MAX_INDEXED_TEXT_CHARS, pending.format);
    } finally {
      pending.bytes.fill(0);
    }
    if (text === null) return null;
    return open().repo.indexAttachmentText(pending.attachmentRowid, text);
  };
  const indexPdfs = async (pdfs: readonly PendingPdfText[]) => {
    for (const pending of pdfs) {
      try {
        await indexPdf(pending);
      } catch {
        // Stored, not searchable by content.
      }
    }
  };
  /** An attachment just stored, with its text indexed when the sandbox can read it. */
  const indexPdfText = async ({ info, pending }: StoredAttachment): Promise<AttachmentInfo> =>
    pending ? ((await indexPdf(pending)) ?? info) : info;

  /** Sync's state for this vault session, made on first use (sync/store/). */
  const syncContext = async (): Promise<SyncStoreContext> => {
    const s = open();
    s.sync ??= createSyncStoreContext({ db: s.db, repo: s.repo, sodium: await sodium(), indexPdfs });
    return s.sync;
  };

  const handlers: { [O in WorkerOp]: OpHandler<O> } = {
    async open(input) {
      if (session) throw new CoreError(ErrorCode.Internal, 'already open');
      let key: VaultKey;
      if (input.unlock.kind === 'key') {
        key = asVaultKey(input.unlock.key);
      } else {
        const s = await sodium();
        const { passphrase, wrapper, vaultId, kcv } = input.unlock;
        try {
          key = await createPassphraseWrapper(s).unwrap(asPassphraseWrapped(wrapper), passphrase, {
            vaultId,
          });
        } finally {
          passphrase.fill(0);
        }
        if (!keyMatches(s, key, vaultId, kcv)) {
          zeroKey(key);
          throw new CoreError(ErrorCode.VaultCorrupt, 'the key file does not match its check value');
        }
      }
      try {
        const db = openVaultDatabase(input.dbPath, key, input.create);
        session = { db, repo: createVaultRepository(db) };
        // The interface that was sending these is gone (lock, crash): its pieces go.
        session.repo.dropUnfinishedUploads();
        session.repo.dropStagedMessageFiles();
        return { schemaVersion: db.pragma('user_version', { simple: true }) as number };
      } finally {
        zeroKey(key);
      }
    },
    async wrapPassphrase(input) {
      const s = await sodium();
      const key = asVaultKey(input.key);
      try {
        return await createPassphraseWrapper(s).wrap(key, input.passphrase, { vaultId: input.vaultId });
      } finally {
        zeroKey(key);
        input.passphrase.fill(0);
      }
    },
    close() {
      if (session) {
        // Closing the connection frees SQLite3MultipleCiphers' codec, which zeroes its key copy.
        session.db.close();
        session = null;
      }
      return {};
    },
    integrityCheck() {
      return { result: String(open().db.pragma('integrity_check', { simple: true })) };
    },
    'documents.list': (input) => open().repo.listDocuments(input),
    'documents.get': (input) => open().repo.getDocument(input.id),
    'documents.add': (input) => open().repo.addDocument(input),
    'documents.update': (input) => open().repo.updateDocument(input),
    'documents.transition': (input) => open().repo.transitionDocument(input),
    'documents.approvalContent': (input) => open().repo.approvalContent(input.id),
    'documents.archive': (input) => open().repo.archiveDocument(input),
    'attachments.add': (input) => indexPdfText(open().repo.addAttachment(input)),
    'attachments.upload.begin': (input) => open().repo.beginUpload(input),
    'attachments.upload.append': (input) => open().repo.appendUpload(input),
    'attachments.upload.finish': (input) => indexPdfText(open().repo.finishUpload(input)),
    'attachments.upload.cancel': (input) => open().repo.cancelUpload(input),
    'attachments.read': (input) => open().repo.readAttachment(input),
    'messages.threads': (input) => open().repo.listThreads(input),
    'messages.list': (input) => open().repo.listMessages(input),
    'messages.add': (input) => open().repo.addMessage(input),
    'messages.markRead': (input) => open().repo.markRead(input),
    'messages.updateDraft': (input) => open().repo.updateDraft(input),
    'messages.deleteDraft': (input) => open().repo.deleteDraft(input),
    'messages.files.add': (input) => open().repo.stageMessageFile(input),
    'messages.files.read': (input) => open().repo.readMessageFile(input),
    'messages.files.get': (input) => open().repo.messageFile(input.id),
    'documents.markRead': (input) => open().repo.markDocumentsRead(input),
    search: (input) => open().repo.search(input),
    'bulk.import': (input) => open().repo.bulkImport(input),
    counts: () => open().repo.counts(),
    ...syncWorkerHandlers(syncContext),
  };

  const run = async (raw: unknown): Promise<WorkerResponse> => {
    const request = WorkerRequest.safeParse(raw);
    if (!request.success)
      return { id: -1, ok: false, error: { code: ErrorCode.BadRequest, message: 'bad request' } };
    const { id, op, input } = request.data;
    if (!isWorkerOp(op))
      return { id, ok: false, error: { code: ErrorCode.UnknownCall, message: 'unknown op' } };
    const parsed = WORKER_OPS[op].input.safeParse(input);
    if (!parsed.success) {
      return { id, ok: false, error: { code: ErrorCode.InvalidInput, message: `invalid input for ${op}` } };
    }
    try {
      const handler = handlers[op] as (i: unknown) => Promise<unknown> | unknown;
      return { id, ok: true, value: await handler(parsed.data) };
    } catch (e) {
      const mapped = classifySqliteError(e);
      if (mapped instanceof CoreError && isErrorCode(mapped.code)) {
        return { id, ok: false, error: { code: mapped.code, message: mapped.message.slice(0, 500) } };
      }
      // Never the message of an unknown error: it could quote SQL values (plaintext).
      const name = e instanceof Error ? e.name : typeof e;
      const code = (e as { code?: unknown } | null)?.code;
      return {
        id,
        ok: false,
        error: {
          code: ErrorCode.Internal,
          message: `${op} failed (${name}${typeof code === 'string' ? ` ${code}` : ''})`,
        },
      };
    }
  };

  // One request at a time: the single-writer rule, and `close` never races an operation.
  let queue: Promise<unknown> = Promise.resolve();
  // Bulk imports commit through a rollback journal (vault-db.ts, BULK_JOURNAL_MODE); once
  // their batches stop arriving, the vault returns to the WAL here, in the queue like any
  // request.
  let checkpointTimer: NodeJS.Timeout | null = null;
  const afterImport = () => {
    if (checkpointTimer) clearTimeout(checkpointTimer);
    checkpointTimer = setTimeout(() => {
      checkpointTimer = null;
      queue = queue.then(() => {
        try {
          session?.repo.finishImport();
        } catch {
          // Nothing is lost: the vault stays in rollback-journal mode (as safe), and the next
          // open sets WAL again.
        }
      });
    }, IMPORT_CHECKPOINT_DELAY_MS);
    checkpointTimer.unref();
  };
  port.on('message', (raw: unknown) => {
    // An answer to our own question (a PDF's text) is not a request: it must not wait in the
    // queue behind the request that is waiting for it.
    if (pdfText.answered(raw)) return;
    queue = queue.then(async () => {
      const response = await run(raw);
      if ((raw as { op?: unknown } | null)?.op === 'bulk.import') afterImport();
      const bytes =
        response.ok && response.value && typeof response.value === 'object' && 'bytes' in response.value
          ? (response.value as { bytes: unknown }).bytes
          : null;
      // Only a buffer the answer owns whole is moved; a view into a shared one is copied.
      const transfer =
        bytes instanceof Uint8Array &&
        bytes.byteOffset === 0 &&
        bytes.byteLength === bytes.buffer.byteLength &&
        !(bytes.buffer instanceof SharedArrayBuffer)
          ? [bytes.buffer as ArrayBuffer]
          : [];
      port.postMessage(response, transfer);
    });
  });
}

main();
