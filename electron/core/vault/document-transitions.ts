import type { DocumentStatus } from '../../../shared/domain/document';
import type { TransitionCause } from '../../../shared/domain/document-workflow';
import type { VaultService } from './vault-service';
import type { WorkerInput, WorkerOutput } from './worker-protocol';

/** A status change that happened: the document as it now is, from where, to where, why. */
export interface DocumentTransitioned {
  readonly detail: WorkerOutput<'documents.get'>;
  readonly from: DocumentStatus;
  readonly to: DocumentStatus;
  readonly cause: TransitionCause;
}

export type TransitionListener = (event: DocumentTransitioned) => void | Promise<void>;

/**
 * The core's one door for status changes made outside the vault worker (the officer's
 * `documents.transition` and `documents.approve`, the signing job): each goes to the worker's
 * `documents.transition` (which checks the workflow and records who and when), then to the
 * listeners, in order. A listener is where a consequence made in the core attaches. A
 * listener that throws fails the call after the change was recorded (the change stands).
 * Changes made inside the worker (the outbox's `sent`, a receipt's `acknowledged`, a received
 * document `registered` with its acknowledgement of receipt queued in the same transaction)
 * call the repository's `transitionDocument` there and do not pass here.
 */
export function createDocumentTransitions(vault: VaultService) {
  const listeners = new Set<TransitionListener>();
  return {
    async move(input: WorkerInput<'documents.transition'>): Promise<WorkerOutput<'documents.get'>> {
      const before = await vault.run('documents.get', { id: input.id });
      const detail = await vault.run('documents.transition', input);
      const event: DocumentTransitioned = {
        detail,
        from: before.document.status,
        to: detail.document.status,
        cause: input.cause,
      };
      for (const listener of listeners) await listener(event);
      return detail;
    },
    /** Adds a listener; the function returned removes it. */
    onTransition(listener: TransitionListener): () => void {
      listeners.add(listener);
      return () => listeners.delete(listener);
    },
  };
}

export type DocumentTransitions = ReturnType<typeof createDocumentTransitions>;
