import { z } from 'zod';
import { CoreError, ErrorCode } from '../../../../shared/contract/errors';
import {
  RegisterReceivedInput,
  RegisterReceivedResult,
} from '../../../../shared/contract/vault-calls-documents';
import type { ReceiptPayload } from '../payload';
import { requireIdentity } from './device-identity';
import { recipientsFor, storedDirectory } from './directory';
import { documentOrigin } from './document-sends';
import { sealAndQueueFor } from './outbox-send';
import type { SyncStoreContext } from './store-context';
import { Ms, syncOp } from './worker-op';

/**
 * Registering a received document: the one place an incoming document becomes `registered`,
 * and the one place its acknowledgement of receipt is made. The receipt names the send (its
 * envelope id), my registration number and time, and the SHA-256 of the payload exactly as I
 * received it; it travels as an envelope signed by this device, whose keys the officer's token
 * certified, to the device that sent the document, and to no other. Status, registration and
 * the queued receipt are one transaction: all or nothing.
 */

export type RegisterReceivedResult = z.output<typeof RegisterReceivedResult>;

/** The next number of this year's incoming register: `<n>/<year>/ĐẾN`. */
function nextRegistrationNumber(ctx: SyncStoreContext, now: number): string {
  const year = new Date(now).getUTCFullYear();
  const from = Date.UTC(year, 0, 1);
  const to = Date.UTC(year + 1, 0, 1);
  const n = ctx.db
    .prepare('SELECT count(*) FROM document_origins WHERE registered_at >= ? AND registered_at < ?')
    .pluck()
    .get(from, to) as number;
  return `${n + 1}/${year}/ĐẾN`;
}

export function registerReceived(
  ctx: SyncStoreContext,
  documentId: string,
  options: { registrationNumber?: string; now: number; actor?: string | undefined },
): RegisterReceivedResult {
  const { now, actor } = options;
  // Through the workflow's one transition function: received → registered, recorded with who.
  const markRegistered = () =>
    ctx.repo.transitionDocument({ id: documentId, to: 'registered', cause: 'officer', actor });
  const detail = ctx.repo.getDocument(documentId);
  if (detail.document.direction !== 'incoming') {
    throw new CoreError(ErrorCode.InvalidInput, 'only a received document is registered');
  }
  const origin = documentOrigin(ctx, documentId);
  if (origin && origin.registrationNumber !== null && origin.registeredAt !== null) {
    // Registered once: a second click sends no second receipt.
    return {
      status: 'registered',
      registrationNumber: origin.registrationNumber,
      registeredAt: origin.registeredAt,
      receipt: 'already-sent',
    };
  }
  if (detail.document.status === 'registered') {
    throw new CoreError(ErrorCode.InvalidInput, 'the document is registered already');
  }
  const registrationNumber = options.registrationNumber ?? nextRegistrationNumber(ctx, now);
  if (!origin) {
    // Entered by hand, or received before receipts existed: nobody to acknowledge to.
    markRegistered();
    return { status: 'registered', registrationNumber, registeredAt: now, receipt: 'none' };
  }
  const me = requireIdentity(ctx);
  if (me.status === 'revoked') throw new CoreError(ErrorCode.SyncRevoked, 'HQ revoked this workstation');
  if (me.status !== 'approved') throw new CoreError(ErrorCode.SyncPending, 'enrolment is not approved yet');
  const dir = storedDirectory(ctx);
  if (!dir) throw new CoreError(ErrorCode.SyncOffline, "HQ's directory has not been fetched yet");
  // Only the device that sent the document: it alone holds the send the receipt names.
  const target = recipientsFor(ctx, origin.senderAddress, me.device_id, dir, now);
  const device = target.recipients.filter((d) => d.deviceId === origin.senderDevice);
  if (device.length === 0) {
    throw new CoreError(
      ErrorCode.SyncRecipientUnavailable,
      `the device that sent this document has no current keys in HQ's directory`,
    );
  }
  const receipt: ReceiptPayload = {
    kind: 'receipt',
    sentAt: now,
    senderAddress: me.address ?? '',
    senderName: me.name ?? '',
    documentEnvelopeId: origin.envelopeId,
    documentNumber: detail.document.registryNumber,
    registrationNumber,
    registeredAt: now,
    payloadSha256: origin.payloadSha256,
  };
  return ctx.db.transaction(() => {
    sealAndQueueFor(
      ctx,
      receipt,
      detail.document.subject,
      device,
      new Map([[origin.senderDevice, target.address]]),
      now,
    );
    ctx.db
      .prepare('UPDATE document_origins SET registration_number = ?, registered_at = ? WHERE document_id = ?')
      .run(registrationNumber, now, documentId);
    markRegistered();
    return {
      status: 'registered' as const,
      registrationNumber,
      registeredAt: now,
      receipt: 'queued' as const,
    };
  })();
}

export const REGISTER_OPS = {
  /** Registers a received document and queues its receipt (documents.register). */
  'sync.receipt.register': syncOp({
    input: RegisterReceivedInput.extend({ now: Ms, actor: z.string().max(1000).optional() }).strict(),
    output: RegisterReceivedResult,
    handler: (ctx, { id, registrationNumber, now, actor }) =>
      registerReceived(ctx, id, { ...(registrationNumber ? { registrationNumber } : {}), now, actor }),
  }),
} as const;
