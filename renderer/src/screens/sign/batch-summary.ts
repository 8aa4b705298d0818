import type { SignJobStatus } from '../../../../shared/contract/document-signing-calls';

/** A document as the batch names it: its registry number and subject. */
export interface NamedDocument {
  readonly id: string;
  readonly registryNumber: string;
  readonly subject: string;
}

export interface BatchFailure {
  readonly documentId: string;
  /** "12/2026 · Note verbale…", or the id when the document is not in the list any more. */
  readonly name: string;
  readonly code: string;
}

export interface BatchSummary {
  /** Documents signed, of `total` asked for: never the number merely processed. */
  readonly signed: number;
  readonly total: number;
  /** Documents finished so far (signed or not). */
  readonly finished: number;
  /** Each document that was not signed, by name, with its own reason. */
  readonly failures: readonly BatchFailure[];
}

/**
 * What a signing batch came to: n of m signed, and every failure named. A batch that failed
 * as a whole (wrong PIN, certificate refused) signed nothing; its reason is the job's error,
 * shown where it belongs (sign-error-place.ts), not repeated per document.
 */
export function batchSummary(job: SignJobStatus, documents: readonly NamedDocument[]): BatchSummary {
  const byId = new Map(documents.map((d) => [d.id, d]));
  const nameOf = (id: string) => {
    const d = byId.get(id);
    return d ? [d.registryNumber, d.subject].filter(Boolean).join(' · ') : id;
  };
  return {
    signed: job.results.filter((r) => r.ok).length,
    total: job.total,
    finished: job.results.length,
    failures: job.results
      .filter((r) => !r.ok)
      .map((r) => ({
        documentId: r.documentId,
        name: nameOf(r.documentId),
        code: r.error?.code ?? 'E_INTERNAL',
      })),
  };
}
