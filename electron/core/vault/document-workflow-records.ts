import { CoreError, ErrorCode } from '../../../shared/contract/errors';
import type { DocumentStatus } from '../../../shared/domain/document';
import { formatRegistryNumber } from '../../../shared/domain/document-kinds';
import { canTransition, isEditable, type TransitionCause } from '../../../shared/domain/document-workflow';
import { approvalContent } from './approval-content';
import { changesBetween, metaOf, type DocumentMeta } from './document-meta';
import type { DocumentRecords } from './document-records';
import { now, parties, type Db, type DocumentRow } from './repository-rows';
import type { SearchIndex } from './search-index';
import type { WorkerOutput, WorkerParsedInput } from './worker-protocol';

/** A status change as the core asks for it (`documents.transition` worker op). */
export interface TransitionRequest {
  id: string;
  to: DocumentStatus;
  cause: TransitionCause;
  actor?: string | undefined;
  /** Approval only: the encoding the approver signed and the CMS signature over it. */
  approval?: { content: string; signature: Uint8Array } | undefined;
}

/**
 * What the officer does to a document after registering it: edit it (a new version per
 * change), move it through its workflow (shared/domain/document-workflow.ts: anything else is
 * refused with E_TRANSITION_REFUSED), archive and restore it. Each runs in one transaction and
 * records who and when. Who: the name the core passes (the token certificate's holder), else
 * this workstation's name and address in HQ's directory, else empty.
 */
export function createDocumentWorkflow(db: Db, documents: DocumentRecords, index: SearchIndex) {
  const identity = db.prepare('SELECT name, address FROM sync_identity WHERE id = 1');

  function actorOf(given: string | undefined): string {
    if (given) return given;
    const me = identity.get() as { name: string | null; address: string | null } | undefined;
    if (!me) return '';
    return [me.name, me.address ? `<${me.address}>` : null].filter(Boolean).join(' ');
  }

  function metaFromRow(r: DocumentRow): DocumentMeta {
    return metaOf({
      registryNumber: r.registry_number,
      direction: r.direction,
      kind: r.kind,
      date: r.date,
      classification: r.classification,
      subject: r.subject,
      from: r.sender,
      to: parties(r.recipients),
    });
  }

  /** The current version's canonical encoding, for an approver to sign. */
  function approvalOf(id: string): { version: number; content: string } {
    const r = documents.row(id);
    const current = documents.versions.current(r.rowid);
    const attachments = db
      .prepare('SELECT name, sha256 FROM attachments WHERE document_rowid = ? ORDER BY rowid')
      .all(r.rowid) as { name: string; sha256: string }[];
    return {
      version: current.version,
      content: approvalContent({
        documentId: id,
        version: current.version,
        meta: metaFromRow(r),
        body: current.body,
        attachments,
      }),
    };
  }

  /**
   * The one function every status change goes through (the officer's buttons, the signing job,
   * the outbox, a receipt): checks the workflow, records the event, returns the new state.
   */
  function transition(req: TransitionRequest): WorkerOutput<'documents.get'> {
    db.transaction(() => {
      const r = documents.row(req.id);
      const from = r.status;
      if (!canTransition(r.direction, from, req.to, req.cause)) {
        throw new CoreError(
          ErrorCode.TransitionRefused,
          `a document cannot go from ${from} to ${req.to} (${req.cause})`,
        );
      }
      const version = documents.versions.current(r.rowid).version;
      if (req.to === 'approved') {
        // Approval is a signature over this very version: without one, or over another
        // version or text, it is refused.
        if (!req.approval || req.approval.content !== approvalOf(req.id).content) {
          throw new CoreError(
            ErrorCode.TransitionRefused,
            'an approval needs the approver’s signature on this version',
          );
        }
      }
      const at = now();
      db.prepare('UPDATE documents SET status = ?, updated_at = ? WHERE rowid = ?').run(req.to, at, r.rowid);
      documents.history.record(r.rowid, at, {
        actor: actorOf(req.actor),
        kind: 'status',
        from,
        to: req.to,
        cause: req.cause,
        version,
        ...(req.approval ? { signedContent: req.approval.content, signature: req.approval.signature } : {}),
      });
    })();
    return documents.get(req.id);
  }

  return {
    transition,
    approvalOf,
    actorOf,

    update(input: WorkerParsedInput<'documents.update'>): WorkerOutput<'documents.get'> {
      db.transaction(() => {
        const r = documents.row(input.id);
        if (!isEditable(r.direction, r.status)) {
          throw new CoreError(
            ErrorCode.DocumentNotEditable,
            `the document is ${r.status}: move it back to draft first`,
          );
        }
        const current = documents.versions.current(r.rowid);
        if (current.version !== input.baseVersion) {
          throw new CoreError(ErrorCode.DocumentChanged, `the document is at version ${current.version}`);
        }
        const before = { meta: metaFromRow(r), body: current.body };
        const kind = input.kind ?? r.kind;
        // A number of ours follows its kind's code; a number from outside stays as given.
        const registryNumber =
          r.number !== null && r.number_year !== null
            ? formatRegistryNumber(r.number, r.number_year, kind)
            : r.registry_number;
        const after = {
          meta: metaOf({
            ...before.meta,
            registryNumber,
            kind,
            subject: input.subject ?? r.subject,
            date: input.date ?? r.date,
            classification: input.classification ?? r.classification,
            from: input.from ?? r.sender,
            to: input.to ?? parties(r.recipients),
          }),
          body: input.body ?? current.body,
        };
        const changes = changesBetween(before, after);
        if (changes.length === 0) return;
        const at = now();
        db.prepare(
          `UPDATE documents SET registry_number = ?, kind = ?, subject = ?, date = ?, classification = ?,
             sender = ?, recipients = ?, updated_at = ? WHERE rowid = ?`,
        ).run(
          registryNumber,
          kind,
          after.meta.subject,
          after.meta.date,
          after.meta.classification,
          after.meta.from,
          JSON.stringify(after.meta.to),
          at,
          r.rowid,
        );
        documents.versions.append(
          r.rowid,
          current.version + 1,
          at,
          actorOf(input.actor),
          after.meta,
          after.body,
          changes,
        );
        index.replace('document', r.rowid, {
          title: after.meta.subject,
          body: after.body,
          parties: [registryNumber, after.meta.from, ...after.meta.to].join(' · '),
        });
      })();
      return documents.get(input.id);
    },

    archive(input: WorkerParsedInput<'documents.archive'>) {
      db.transaction(() => {
        const r = documents.row(input.id);
        if ((r.archived_at !== null) === input.archived) return;
        const at = now();
        db.prepare('UPDATE documents SET archived_at = ? WHERE rowid = ?').run(
          input.archived ? at : null,
          r.rowid,
        );
        documents.history.record(r.rowid, at, {
          actor: actorOf(input.actor),
          kind: input.archived ? 'archived' : 'restored',
        });
      })();
      return documents.summary(input.id);
    },
  };
}

export type DocumentWorkflow = ReturnType<typeof createDocumentWorkflow>;
