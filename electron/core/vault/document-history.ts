import type { DocumentEvent } from '../../../shared/contract/vault-calls';
import type { DocumentStatus } from '../../../shared/domain/document';
import type { TransitionCause } from '../../../shared/domain/document-workflow';
import type { Db } from './repository-rows';

interface EventRow {
  at: string;
  actor: string;
  kind: DocumentEvent['kind'];
  from_status: DocumentStatus | null;
  to_status: DocumentStatus | null;
  cause: TransitionCause | null;
  version: number | null;
  signed_content: string | null;
  signature: Uint8Array | null;
}

/** An approval as stored: what was signed and the signature, for the core to verify. */
export interface StoredApproval {
  /** Index into the history this approval belongs to. */
  event: number;
  content: string;
  signature: Uint8Array;
}

/** One event to record. */
export interface NewEvent {
  actor: string;
  kind: DocumentEvent['kind'];
  from?: DocumentStatus;
  to?: DocumentStatus;
  cause?: TransitionCause;
  version?: number;
  signedContent?: string;
  signature?: Uint8Array;
}

/**
 * A document's history: each status change (who, when, from, to, what moved it), archiving and
 * restoring, and approvals with the approver's signature. Append only.
 */
export function createDocumentHistory(db: Db) {
  const insert = db.prepare(
    `INSERT INTO document_events (document_rowid, at, actor, kind, from_status, to_status, cause, version,
       signed_content, signature) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?)`,
  );
  const all = db.prepare(
    `SELECT at, actor, kind, from_status, to_status, cause, version, signed_content, signature
     FROM document_events WHERE document_rowid = ? ORDER BY rowid`,
  );
  return {
    record(rowid: number, at: string, e: NewEvent): void {
      insert.run(
        rowid,
        at,
        e.actor,
        e.kind,
        e.from ?? null,
        e.to ?? null,
        e.cause ?? null,
        e.version ?? null,
        e.signedContent ?? null,
        e.signature ?? null,
      );
    },

    list(rowid: number): { events: DocumentEvent[]; approvals: StoredApproval[] } {
      const approvals: StoredApproval[] = [];
      const events = (all.all(rowid) as EventRow[]).map((r, i): DocumentEvent => {
        if (r.signature && r.signed_content !== null) {
          approvals.push({ event: i, content: r.signed_content, signature: new Uint8Array(r.signature) });
        }
        return {
          at: r.at,
          actor: r.actor,
          kind: r.kind,
          ...(r.from_status ? { from: r.from_status } : {}),
          ...(r.to_status ? { to: r.to_status } : {}),
          ...(r.cause ? { cause: r.cause } : {}),
          ...(r.version !== null ? { version: r.version } : {}),
        };
      });
      return { events, approvals };
    },
  };
}

export type DocumentHistory = ReturnType<typeof createDocumentHistory>;
