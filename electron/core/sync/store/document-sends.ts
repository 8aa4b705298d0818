import type { SyncStoreContext } from './store-context';

/**
 * The two ends of a document's journey, as receipts need them: the sender keeps each send
 * (`document_sends`: what its payload hashed to, to whom), the recipient keeps where each
 * received document came from (`document_origins`). Both are written in the transaction that
 * sends or stores the document.
 */

export interface DocumentSend {
  envelopeId: string;
  documentId: string;
  payloadSha256: string;
  /** Recipient addresses, lower case. */
  recipients: string[];
}

export function recordDocumentSend(
  ctx: SyncStoreContext,
  send: { envelopeId: string; documentId: string; payloadSha256: string; recipients: string[]; now: number },
): void {
  ctx.db
    .prepare(
      'INSERT INTO document_sends (envelope_id, document_id, payload_sha256, recipients, sent_at) VALUES (?, ?, ?, ?, ?)',
    )
    .run(
      send.envelopeId,
      send.documentId,
      send.payloadSha256,
      JSON.stringify(send.recipients.map((a) => a.toLowerCase())),
      send.now,
    );
}

export function documentSend(ctx: SyncStoreContext, envelopeId: string): DocumentSend | undefined {
  const row = ctx.db
    .prepare(
      'SELECT envelope_id, document_id, payload_sha256, recipients FROM document_sends WHERE envelope_id = ?',
    )
    .get(envelopeId) as
    { envelope_id: string; document_id: string; payload_sha256: string; recipients: string } | undefined;
  if (!row) return undefined;
  return {
    envelopeId: row.envelope_id,
    documentId: row.document_id,
    payloadSha256: row.payload_sha256,
    recipients: JSON.parse(row.recipients) as string[],
  };
}

export interface DocumentOrigin {
  documentId: string;
  senderDevice: string;
  senderAddress: string;
  envelopeId: string;
  payloadSha256: string;
  registrationNumber: string | null;
  registeredAt: number | null;
}

export function recordDocumentOrigin(
  ctx: SyncStoreContext,
  o: Omit<DocumentOrigin, 'registrationNumber' | 'registeredAt'>,
): void {
  ctx.db
    .prepare(
      `INSERT INTO document_origins (document_id, sender_device, sender_address, envelope_id, payload_sha256)
       VALUES (?, ?, ?, ?, ?)`,
    )
    .run(o.documentId, o.senderDevice, o.senderAddress, o.envelopeId, o.payloadSha256);
}

export function documentOrigin(ctx: SyncStoreContext, documentId: string): DocumentOrigin | undefined {
  const row = ctx.db.prepare('SELECT * FROM document_origins WHERE document_id = ?').get(documentId) as
    | {
        document_id: string;
        sender_device: string;
        sender_address: string;
        envelope_id: string;
        payload_sha256: string;
        registration_number: string | null;
        registered_at: number | null;
      }
    | undefined;
  if (!row) return undefined;
  return {
    documentId: row.document_id,
    senderDevice: row.sender_device,
    senderAddress: row.sender_address,
    envelopeId: row.envelope_id,
    payloadSha256: row.payload_sha256,
    registrationNumber: row.registration_number,
    registeredAt: row.registered_at,
  };
}
