import { z } from 'zod';
import { CoreError, ErrorCode } from '../../../../shared/contract/errors';
import {
  RegisterReceivedInput,
  RegisterReceivedResult,
} from '../../../../shared/contract/vault-calls-documents';
import type { ReceiptPayload } from '../payload';
import { requireIdentity } from './device-identity';
import { recipientsFor, storedDirectory } from './directory';
import { documentOrigin, type DocumentOrigin } from './document-sends';
import { register, registrationOf, type Registration } from './incoming-register';
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

/** A registration kept only with its origin (a number the register's migration left out). */
export function legacyRegistration(origin: DocumentOrigin | undefined): Registration | undefined {
  return origin && origin.registrationNumber !== null && origin.registeredAt !== null
    ? { number: origin.registrationNumber, at: origin.registeredAt }
    : undefined;
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
  const earlier = registrationOf(ctx, documentId) ?? legacyRegistration(origin);
  if (earlier) {
    // Registered once: a second click gives no second number and sends no second receipt.
    return {
      status: 'registered',
      registrationNumber: earlier.number,
      registeredAt: earlier.at,
      receipt: origin ? 'already-sent' : 'none',
    };
  }
  if (detail.document.status === 'registered') {
    throw new CoreError(ErrorCode.InvalidInput, 'the document is registered already');
  }
  if (!origin) {
    // Entered by hand, or received before receipts existed: numbered, nobody to acknowledge to.
    return ctx.db.transaction(() => {
      const made = register(ctx, documentId, now, options.registrationNumber);
      markRegistered();
      return {
        status: 'registered' as const,
        registrationNumber: made.number,
        registeredAt: now,
        receipt: 'none' as const,
      };
    })();
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
  return ctx.db.transaction(() => {
    const { number: registrationNumber } = register(ctx, documentId, now, options.registrationNumber);
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
