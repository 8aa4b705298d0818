import type { CallInput } from '../../../../shared/contract/calls';
import type { ContractError } from '../../../../shared/contract/errors';
import type { DocumentDetail, DocumentSummary } from '../../../../shared/contract/vault-calls';
import type { DocumentStatus } from '../../../../shared/domain/document';
import { isVaultGone, type Slice, type SliceDeps } from '../slice';

/** The document archived last, until undone or dismissed (the notice offers undo). */
export interface ArchivedNotice {
  id: string;
  subject: string;
}

/**
 * What the officer does to an open document: edit it (a new version), move it through its
 * workflow, approve it with a signature, archive it (with undo), add attachments. Each action
 * answers with the document as the vault now has it; an error stays in `workflowError`.
 */
export interface DocumentWorkflowSlice {
  workflowError: ContractError | null;
  archivedNotice: ArchivedNotice | null;
  documentEdited(input: CallInput<'documents.update'>): Promise<boolean>;
  documentMoved(id: string, to: DocumentStatus): Promise<boolean>;
  documentApproved(input: CallInput<'documents.approve'>): Promise<boolean>;
  documentArchived(document: DocumentSummary): Promise<void>;
  archiveUndone(): Promise<void>;
  /** An archived document, opened from the archived list, back in use. */
  documentRestored(id: string): Promise<void>;
  archivedNoticeDismissed(): void;
  workflowErrorCleared(): void;
}

export const emptyDocumentWorkflow = {
  workflowError: null,
  archivedNotice: null,
} satisfies Partial<DocumentWorkflowSlice>;

export const documentWorkflowSlice =
  ({ client }: SliceDeps): Slice<DocumentWorkflowSlice> =>
  (set, get) => {
    /** The vault answered a document: it is the open one now, and the list is stale. */
    const shown = (
      result: { ok: true; value: DocumentDetail } | { ok: false; error: ContractError },
      id: string,
    ): boolean => {
      if (result.ok) {
        set({ openDocument: result.value, workflowError: null });
        get().documentsInvalidated();
        return true;
      }
      if (isVaultGone(result.error)) get().vaultGone();
      else {
        set({ workflowError: result.error });
        // Stale (another version in the vault): show the current one.
        if (result.error.code === 'E_DOCUMENT_CHANGED') void get().documentOpened(id);
      }
      return false;
    };
    return {
      ...emptyDocumentWorkflow,
      async documentEdited(input) {
        return shown(await client.call('documents.update', input), input.id);
      },
      async documentMoved(id, to) {
        return shown(await client.call('documents.transition', { id, to }), id);
      },
      async documentApproved(input) {
        return shown(await client.call('documents.approve', input), input.id);
      },
      async documentArchived(document) {
        const result = await client.call('documents.archive', { id: document.id, archived: true });
        if (!result.ok) {
          if (isVaultGone(result.error)) get().vaultGone();
          else set({ workflowError: result.error });
          return;
        }
        set({ archivedNotice: { id: document.id, subject: document.subject }, workflowError: null });
        if (get().openDocument?.document.id === document.id) get().documentClosed();
        get().documentsInvalidated();
      },
      async archiveUndone() {
        const notice = get().archivedNotice;
        if (!notice) return;
        const result = await client.call('documents.archive', { id: notice.id, archived: false });
        if (!result.ok) {
          if (isVaultGone(result.error)) get().vaultGone();
          else set({ workflowError: result.error });
          return;
        }
        set({ archivedNotice: null });
        get().documentsInvalidated();
      },
      async documentRestored(id) {
        const result = await client.call('documents.archive', { id, archived: false });
        if (!result.ok) {
          if (isVaultGone(result.error)) get().vaultGone();
          else set({ workflowError: result.error });
          return;
        }
        await get().documentOpened(id);
        get().documentsInvalidated();
      },
      archivedNoticeDismissed() {
        set({ archivedNotice: null });
      },
      workflowErrorCleared() {
        set({ workflowError: null });
      },
    };
  };
