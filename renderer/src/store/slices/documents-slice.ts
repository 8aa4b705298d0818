import type { CallInput } from '../../../../shared/contract/calls';
import type { ContractError } from '../../../../shared/contract/errors';
import {
  UPLOAD_PIECE_BYTES,
  type DocumentDetail,
  type DocumentSummary,
} from '../../../../shared/contract/vault-calls';
import type { Classification } from '../../../../shared/domain/classification';
import type { Direction, DocumentSortField, DocumentStatus } from '../../../../shared/domain/document';
import type { DocumentKind } from '../../../../shared/domain/document-kinds';
import { isVaultGone, type Slice, type SliceDeps } from '../slice';
import { toBase64 } from '../../../../shared/encoding';

export interface DocumentFilters {
  direction?: Direction;
  status?: DocumentStatus;
  classification?: Classification;
  kind?: DocumentKind;
  /** Show the archived documents instead of those in use. */
  archived?: boolean;
}

export interface DocumentSort {
  key: DocumentSortField;
  direction: 'asc' | 'desc';
}

/** Rows are fetched in pages of this size, on demand, as the virtual list scrolls. */
export const DOCUMENT_PAGE = 200;

export interface DocumentsSlice {
  filters: DocumentFilters;
  sort: DocumentSort;
  /** Total rows for the current filters; null before the first page. */
  documentTotal: number | null;
  /** Loaded rows by index (sparse): only what has been scrolled near is held. */
  documentRows: Record<number, DocumentSummary>;
  documentsError: ContractError | null;
  /** Bumped when the list must be fetched again (filters, sort, new documents). */
  documentsGeneration: number;
  filtersChanged(filters: DocumentFilters): void;
  sortChanged(sort: DocumentSort): void;
  documentsInvalidated(): void;
  documentRangeNeeded(start: number, end: number): Promise<void>;
  openDocument: DocumentDetail | null;
  openDocumentError: ContractError | null;
  documentOpened(id: string): Promise<void>;
  documentClosed(): void;
  /**
   * Registers a document and uploads its files one after the other, piece by piece (any size
   * the vault takes), reporting progress; a failed upload is cancelled (its pieces dropped) and
   * leaves the document without it, with the error in `documentsError`.
   */
  documentAdded(
    input: CallInput<'documents.add'>,
    files?: readonly UploadSource[],
    onProgress?: (sent: number, size: number) => void,
  ): Promise<string | null>;
  /** Adds files to an existing document (the open one is shown again with them); false if one failed. */
  attachmentsAdded(documentId: string, files: readonly UploadSource[]): Promise<boolean>;
}

export const emptyDocuments = {
  documentTotal: null,
  documentRows: {},
  documentsError: null,
  openDocument: null,
  openDocumentError: null,
} satisfies Partial<DocumentsSlice>;

export const documentsSlice =
  ({ client }: SliceDeps): Slice<DocumentsSlice> =>
  (set, get) => {
    const inFlight = new Set<string>();
    /** Sends `file` in UPLOAD_PIECE_BYTES pieces; answers the error, or null when attached. */
    const uploadFile = async (
      documentId: string,
      file: UploadSource,
      onProgress?: (sent: number, size: number) => void,
    ): Promise<ContractError | null> => {
      const begun = await client.call('attachments.upload.begin', {
        documentId,
        name: file.name,
        size: file.size,
        ...(file.type ? { mediaType: file.type } : {}),
      });
      if (!begun.ok) return begun.error;
      const { uploadId } = begun.value;
      onProgress?.(0, file.size);
      for (let offset = 0; offset < file.size; offset += UPLOAD_PIECE_BYTES) {
        const piece = new Uint8Array(await file.slice(offset, offset + UPLOAD_PIECE_BYTES).arrayBuffer());
        const sent = await client.call('attachments.upload.append', {
          uploadId,
          offset,
          base64: toBase64(piece),
        });
        piece.fill(0);
        if (!sent.ok) {
          await client.call('attachments.upload.cancel', { uploadId });
          return sent.error;
        }
        onProgress?.(sent.value.received, file.size);
      }
      const finished = await client.call('attachments.upload.finish', { uploadId });
      if (!finished.ok) {
        await client.call('attachments.upload.cancel', { uploadId });
        return finished.error;
      }
      return null;
    };
    return {
      filters: {},
      sort: { key: 'date', direction: 'desc' },
      documentsGeneration: 0,
      ...emptyDocuments,
      filtersChanged(filters) {
        set({ filters, ...emptyDocuments, documentsGeneration: get().documentsGeneration + 1 });
      },
      sortChanged(sort) {
        set({ sort, ...emptyDocuments, documentsGeneration: get().documentsGeneration + 1 });
      },
      documentsInvalidated() {
        set({ documentTotal: null, documentRows: {}, documentsGeneration: get().documentsGeneration + 1 });
      },
      async documentRangeNeeded(start, end) {
        const firstPage = Math.floor(start / DOCUMENT_PAGE);
        const lastPage = Math.floor(Math.max(start, end) / DOCUMENT_PAGE);
        const generation = get().documentsGeneration;
        for (let page = firstPage; page <= lastPage; page++) {
          const offset = page * DOCUMENT_PAGE;
          const key = `${generation}:${offset}`;
          if (inFlight.has(key) || get().documentRows[offset] !== undefined) continue;
          inFlight.add(key);
          const { filters, sort } = get();
          const result = await client.call('documents.list', {
            ...filters,
            sort: sort.key,
            order: sort.direction,
            offset,
            limit: DOCUMENT_PAGE,
          });
          inFlight.delete(key);
          if (get().documentsGeneration !== generation) return; // filters changed meanwhile
          if (!result.ok) {
            if (isVaultGone(result.error)) get().vaultGone();
            else set({ documentsError: result.error });
            return;
          }
          const rows = { ...get().documentRows };
          result.value.items.forEach((item, i) => {
            rows[offset + i] = item;
          });
          set({ documentRows: rows, documentTotal: result.value.total, documentsError: null });
        }
      },
      async documentOpened(id) {
        set({ openDocumentError: null });
        const result = await client.call('documents.get', { id });
        if (result.ok) {
          set({ openDocument: result.value });
          // Opened: a received document is read from now on, in the vault (the list drops its mark).
          if (result.value.document.unread) {
            const marked = await client.call('documents.markRead', { ids: [id], read: true });
            if (marked.ok) get().documentsInvalidated();
          }
        } else if (isVaultGone(result.error)) get().vaultGone();
        else set({ openDocumentError: result.error, openDocument: null });
      },
      documentClosed() {
        set({ openDocument: null, openDocumentError: null });
      },
      async documentAdded(input, files = [], onProgress) {
        const added = await client.call('documents.add', input);
        if (!added.ok) {
          set({ documentsError: added.error });
          return null;
        }
        for (const file of files) {
          const failed = await uploadFile(added.value.id, file, onProgress);
          if (failed) set({ documentsError: failed });
        }
        get().documentsInvalidated();
        return added.value.id;
      },
      async attachmentsAdded(documentId, files) {
        let ok = true;
        for (const file of files) {
          const failed = await uploadFile(documentId, file);
          if (failed) {
            ok = false;
            set({ documentsError: failed });
          }
        }
        if (get().openDocument?.document.id === documentId) await get().documentOpened(documentId);
        get().documentsInvalidated();
        return ok;
      },
    };
  };

/** Base64 without building one giant string argument (large files overflow the call stack). */
/** What the document dialog uploads: a browser File (or anything shaped like one). */
export interface UploadSource {
  readonly name: string;
  readonly size: number;
  readonly type?: string;
  slice(start: number, end: number): { arrayBuffer(): Promise<ArrayBuffer> };
}
