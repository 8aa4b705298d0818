import { registrationOf } from './incoming-register';
import { legacyRegistration } from './register-received';
import { CoreError, ErrorCode } from '../../../../shared/contract/errors';
import { z } from 'zod';
import { DocumentReceipts } from '../../../../shared/contract/vault-calls-documents';
import { InboxErrorCode, type ReceiveRejectionCode } from '../../../../shared/sync/sync-error-codes';
import type { EnvelopeHeader } from '../envelope';
import type { ReceiptPayload } from '../payload';
import type { KnownSender } from './directory';
import { documentOrigin, documentSend, type DocumentSend } from './document-sends';
import type { SyncStoreContext } from './store-context';
import { Id, syncOp } from './worker-op';

/**
 * The sender's side of a receipt. Who acknowledges is the envelope's signer, a device whose
 * keys its officer's token certified (the directory's certified view): never the payload's
 * `senderAddress`. A receipt is accepted only for a send this workstation made, from an officer
 * that send went to, naming exactly the payload sent (its SHA-256), and once per officer.
 */

/** Why the receipt is refused, or the send it acknowledges. */
export function checkReceipt(
  ctx: SyncStoreContext,
  receipt: ReceiptPayload,
  sender: KnownSender,
): { ok: true; send: DocumentSend } | { ok: false; code: ReceiveRejectionCode } {
  const send = documentSend(ctx, receipt.documentEnvelopeId);
  if (!send) return { ok: false, code: InboxErrorCode.ReceiptUnknownDocument };
  const by = sender.address.toLowerCase();
  if (!send.recipients.includes(by)) return { ok: false, code: InboxErrorCode.ReceiptNotRecipient };
  if (receipt.payloadSha256 !== send.payloadSha256) {
    return { ok: false, code: InboxErrorCode.ReceiptDigestMismatch };
  }
  const held = ctx.db
    .prepare('SELECT 1 FROM document_receipts WHERE envelope_id = ? AND by_address = ?')
    .get(send.envelopeId, by);
  if (held) return { ok: false, code: InboxErrorCode.ReceiptDuplicate };
  return { ok: true, send };
}

/** Stores an accepted receipt and marks the document acknowledged, in the caller's transaction. */
export function storeReceipt(
  ctx: SyncStoreContext,
  receipt: ReceiptPayload,
  send: DocumentSend,
  header: EnvelopeHeader,
  sender: KnownSender,
  now: number,
): void {
  ctx.db
    .prepare(
      `INSERT INTO document_receipts (envelope_id, document_id, by_address, by_name, by_device,
         registration_number, registered_at, received_at, receipt_envelope_id)
       VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)`,
    )
    .run(
      send.envelopeId,
      send.documentId,
      sender.address.toLowerCase(),
      sender.name,
      header.senderDeviceId,
      receipt.registrationNumber,
      receipt.registeredAt,
      now,
      header.envelopeId,
    );
  // The document may have been deleted since it was sent: the receipt is still kept.
  if (ctx.db.prepare('SELECT 1 FROM documents WHERE id = ?').get(send.documentId)) {
    // Through the workflow (sent → acknowledged); a second recipient's receipt finds it so already.
    try {
      ctx.repo.transitionDocument({
        id: send.documentId,
        to: 'acknowledged',
        cause: 'receipt',
        actor: sender.name ? `${sender.name} <${sender.address}>` : sender.address,
      });
    } catch (e) {
      if (!(e instanceof CoreError && e.code === ErrorCode.TransitionRefused)) throw e;
    }
  }
}

export type DocumentReceipts = z.output<typeof DocumentReceipts>;

/** A document's receipts (sent by me, acknowledged by others) and its own registration (received). */
export function documentReceipts(ctx: SyncStoreContext, documentId: string): DocumentReceipts {
  // A document that is not in the vault is E_NOT_FOUND, not an empty answer (fail closed).
  ctx.repo.getDocument(documentId);
  const rows = ctx.db
    .prepare(
      `SELECT by_address, by_name, registration_number, registered_at, received_at
       FROM document_receipts WHERE document_id = ? ORDER BY received_at, rowid`,
    )
    .all(documentId) as {
    by_address: string;
    by_name: string;
    registration_number: string;
    registered_at: number;
    received_at: number;
  }[];
  const registration = registrationOf(ctx, documentId) ?? legacyRegistration(documentOrigin(ctx, documentId));
  return {
    acknowledgements: rows.map((r) => ({
      address: r.by_address,
      name: r.by_name,
      registrationNumber: r.registration_number,
      registeredAt: r.registered_at,
      receivedAt: r.received_at,
    })),
    ...(registration ? { registration } : {}),
  };
}

export const RECEIPT_OPS = {
  /** A document's acknowledgements and registration (documents.receipts). */
  'sync.receipt.list': syncOp({
    input: z.object({ id: Id }).strict(),
    output: DocumentReceipts,
    handler: (ctx, { id }) => documentReceipts(ctx, id),
  }),
} as const;
