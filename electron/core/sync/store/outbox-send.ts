import { createHash, randomUUID } from 'node:crypto';
import { z } from 'zod';
import { CoreError, ErrorCode } from '../../../../shared/contract/errors';
import { OutboxItem, SyncSendInput } from '../../../../shared/contract/sync-calls';
import type { MessageInfo } from '../../../../shared/contract/vault-calls';
import {
  classificationRank,
  highestClassification,
  type Classification,
} from '../../../../shared/domain/classification';
import type { DocumentKind } from '../../../../shared/domain/document-kinds';
import { sealEnvelope, type EnvelopeRecipient } from '../envelope';
import { markingConfirmed } from '../../../../shared/domain/marking-confirmation';
import { heldHead } from './directory-chain';
import { DOCUMENT_DATE, encodePayload, type PayloadAttachment, type SyncPayload } from '../payload';
import { deviceKeys, forgetKeys, requireIdentity } from './device-identity';
import { recipientsFor, storedDirectory } from './directory';
import { outboxRow, putEnvelope, toOutboxItem, type OutboxRow } from './outbox';
import { awaitsKeys, holdForKeys } from './outbox-waiting';
import { recordDocumentSend } from './document-sends';
import { logEvent } from './refusal-log';
import { partyOf, type SyncStoreContext } from './store-context';
import { Ms, syncOp } from './worker-op';

/**
 * Sending: seal one envelope for every approved device of every recipient and queue one
 * outbox row per device, with the next sequence number, in one transaction, together with
 * the officer's own copy (a sent message in its thread, a document marked sent).
 */

/** The largest envelope we seal: the relay's item limit. */
const MAX_ENVELOPE = 256 * 1024 * 1024;

/** A vault document as it travels: its registered fields, latest text and every attachment's bytes. */
function readDocumentPayload(
  ctx: SyncStoreContext,
  documentId: string,
): {
  title: string;
  text: string;
  classification: Classification;
  registryNumber: string;
  documentKind: DocumentKind;
  documentDate: string | undefined;
  parties: { from: string; to: string[] };
  attachments: PayloadAttachment[];
} {
  const detail = ctx.repo.getDocument(documentId);
  const attachments: PayloadAttachment[] = [];
  let total = 0;
  for (const a of detail.attachments) {
    total += a.size;
    if (total > MAX_ENVELOPE - 1024 * 1024) {
      throw new CoreError(ErrorCode.TooLarge, 'the document is too large to send in one envelope');
    }
    const bytes = new Uint8Array(a.size);
    for (let off = 0; off < a.size;) {
      const chunk = ctx.repo.readAttachment({ id: a.id, offset: off, length: 1024 * 1024 });
      bytes.set(chunk.bytes, off);
      off += chunk.bytes.length;
      if (chunk.bytes.length === 0) break;
    }
    attachments.push({ name: a.name, mediaType: a.mediaType, bytes });
  }
  const latest = detail.versions[detail.versions.length - 1];
  return {
    title: detail.document.subject,
    text: latest?.body ?? '',
    classification: detail.document.classification,
    registryNumber: detail.document.registryNumber,
    documentKind: detail.document.kind,
    // Sent only when it is one (a date typed elsewhere stays home; the receiver uses arrival).
    documentDate: DOCUMENT_DATE.test(detail.document.date) ? detail.document.date : undefined,
    parties: { from: detail.document.from, to: [...detail.document.to] },
    attachments,
  };
}

export type SendInput = z.output<typeof SyncSendInput>;
type Targets = ReturnType<typeof recipientsFor>[];

/**
 * Sends now to every recipient that has devices with current keys. With `hold`, an approved
 * officer of the certified directory without current keys yet does not fail the send: it is
 * kept for them (outbox-waiting.ts) and sealed once their keys appear. Anything else that makes
 * a recipient unavailable fails the whole send, and nothing is queued.
 */
export function send(
  ctx: SyncStoreContext,
  input: SendInput,
  now: number,
  hold: boolean,
): { items: OutboxItem[] } {
  // First: a Secret or Top secret document or message leaves only with the officer's
  // confirmation naming its marking, whatever the caller (a held send keeps the confirmation it
  // was given).
  const marking = sendMarking(ctx, input);
  if (!markingConfirmed(marking, input.confirmedMarking)) {
    throw new CoreError(
      ErrorCode.MarkingUnconfirmed,
      `a ${marking} ${input.kind} needs its marking confirmed`,
    );
  }
  // A forwarded file leaves under no lower marking than the message it came with.
  if (input.kind === 'message' && input.fileIds.length > 0) {
    const floor = highestClassification(ctx.repo.messageFileMarkings(input.fileIds));
    if (classificationRank(floor) > classificationRank(marking)) {
      throw new CoreError(ErrorCode.InvalidInput, `a file of a ${floor} message cannot leave as ${marking}`);
    }
  }
  const r = requireIdentity(ctx);
  if (r.status === 'revoked') throw new CoreError(ErrorCode.SyncRevoked, 'HQ revoked this workstation');
  if (r.status !== 'approved') throw new CoreError(ErrorCode.SyncPending, 'enrolment is not approved yet');
  const dir = storedDirectory(ctx);
  if (!dir) throw new CoreError(ErrorCode.SyncOffline, "HQ's directory has not been fetched yet");
  const targets: Targets = [];
  const later: string[] = [];
  for (const a of new Set(input.to.map((t) => t.toLowerCase()))) {
    try {
      targets.push(recipientsFor(ctx, a, r.device_id, dir, now));
    } catch (e) {
      if (!(hold && e instanceof CoreError && e.code === ErrorCode.SyncRecipientUnavailable)) throw e;
      if (!awaitsKeys(dir, a, r.device_id)) throw e;
      later.push(a);
    }
  }
  return ctx.db.transaction(() => {
    const items = targets.length ? sealAndQueue(ctx, input, targets, now).items : [];
    // The officer's own copy of a message, once, when the officer sends it (`hold`): a held
    // send sealed later for a recipient whose keys came is the same message, not a new one;
    // it names the own copy's files (staged files moved there, forwarded ones copied).
    let held = input;
    if (hold && input.kind === 'message') {
      held = { ...input, fileIds: writeOwnCopy(ctx, input, now).files.map((f) => f.id) };
    }
    return { items: [...items, ...holdForKeys(ctx, held, later, now)] };
  })();
}

/** The marking of what a send carries: the document's as registered, or the message's own. */
export function sendMarking(ctx: SyncStoreContext, input: SendInput): Classification {
  return input.kind === 'document'
    ? ctx.repo.getDocument(input.documentId).document.classification
    : input.classification;
}

/** The sent message in its thread, addressed to everyone the officer chose. */
function writeOwnCopy(
  ctx: SyncStoreContext,
  input: SendInput & { kind: 'message' },
  now: number,
): MessageInfo {
  const r = requireIdentity(ctx);
  return ctx.repo.addSyncedMessage({
    subject: input.title || input.text.slice(0, 80),
    from: partyOf(r.name ?? '', r.address ?? ''),
    to: [...input.to],
    body: input.text,
    state: 'sent',
    read: true,
    classification: input.classification,
    at: new Date(now).toISOString(),
    fileIds: input.fileIds,
  });
}

function sealAndQueue(
  ctx: SyncStoreContext,
  input: SendInput,
  targets: Targets,
  now: number,
): { items: OutboxItem[] } {
  const { db, repo } = ctx;
  const r = requireIdentity(ctx);
  const recipients = targets.flatMap((t) => t.recipients);
  const addressOf = new Map<string, string>();
  for (const t of targets) for (const d of t.recipients) addressOf.set(d.deviceId, t.address);
  const sender = { senderAddress: r.address ?? '', senderName: r.name ?? '' };
  let payload: SyncPayload;
  if (input.kind === 'message') {
    const files = repo.messageFilesForSending(input.fileIds);
    payload = {
      kind: 'message',
      title: input.title,
      text: input.text,
      sentAt: now,
      ...sender,
      classification: input.classification,
      ...(files.length ? { attachments: files } : {}),
    };
  } else {
    const { documentDate, ...doc } = readDocumentPayload(ctx, input.documentId);
    payload = {
      kind: 'document',
      sentAt: now,
      ...sender,
      ...doc,
      ...(documentDate !== undefined ? { documentDate } : {}),
    };
  }
  return db.transaction(() => {
    const sealed = sealAndQueueFor(ctx, payload, payload.title, recipients, addressOf, now);
    // A document is marked sent (the message's own copy is written once, by send()).
    const to = targets.map((t) => t.address);
    if (input.kind === 'document') {
      markSent(repo, input.documentId);
      // What a receipt for this send must name and match (receipt-accept.ts).
      recordDocumentSend(ctx, {
        envelopeId: sealed.envelopeId,
        documentId: input.documentId,
        payloadSha256: sealed.payloadSha256,
        recipients: to,
        now,
      });
    }
    return { items: sealed.items };
  })();
}

/**
 * Seals `payload` once for `recipients` (devices with current keys) with my next sequence
 * number and queues one outbox row per device, in the caller's transaction (or its own).
 * Answers the envelope id, the rows, and the SHA-256 of the payload's plaintext bytes.
 */
export function sealAndQueueFor(
  ctx: SyncStoreContext,
  payload: SyncPayload,
  title: string,
  recipients: readonly EnvelopeRecipient[],
  addressOf: ReadonlyMap<string, string>,
  now: number,
): { envelopeId: string; payloadSha256: string; items: OutboxItem[] } {
  const { db, sodium } = ctx;
  const r = requireIdentity(ctx);
  const plain = encodePayload(payload);
  const payloadSha256 = createHash('sha256').update(plain).digest('hex');
  const envelopeId = randomUUID();
  const keys = deviceKeys(r);
  const head = heldHead(ctx);
  return db.transaction(() => {
    const seq = r.next_seq;
    let sealed: Uint8Array;
    try {
      sealed = sealEnvelope(sodium, {
        sender: keys,
        envelopeId,
        seq,
        createdAt: now,
        kind: payload.kind,
        recipients,
        payload: plain,
        // The directory version I hold, for the recipient to compare with its own.
        ...(head ? { directoryHead: head } : {}),
      });
    } finally {
      forgetKeys(ctx, keys);
      plain.fill(0);
    }
    if (sealed.length > MAX_ENVELOPE) throw new CoreError(ErrorCode.TooLarge, 'the envelope is too large');
    db.prepare('UPDATE sync_identity SET next_seq = ? WHERE id = 1').run(seq + 1);
    putEnvelope(ctx, envelopeId, sealed);
    const digest = createHash('sha256').update(sealed).digest('hex');
    const insert = db.prepare(
      `INSERT INTO sync_outbox (id, envelope_id, relay_envelope_id, kind, title, classification,
         recipient_address, recipient_device, size, sha256, state, created_at)
       VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, 'queued', ?)`,
    );
    const ids: string[] = [];
    for (const d of recipients) {
      const id = randomUUID();
      insert.run(
        id,
        envelopeId,
        `${envelopeId}_${d.deviceId.slice(0, 12)}`,
        payload.kind,
        title,
        payload.kind === 'receipt' ? 'unclassified' : (payload.classification ?? 'unclassified'),
        addressOf.get(d.deviceId) ?? '',
        d.deviceId,
        sealed.length,
        digest,
        now,
      );
      ids.push(id);
    }
    logEvent(ctx, { at: now, event: 'queued', senderDevice: r.device_id, envelopeId });
    return {
      envelopeId,
      payloadSha256,
      items: ids.map((id) => toOutboxItem(outboxRow(ctx, id) as OutboxRow)),
    };
  })();
}

/** The workflow records the send (a document already sent, or acknowledged, stays as it is). */
function markSent(repo: SyncStoreContext['repo'], documentId: string): void {
  try {
    repo.transitionDocument({ id: documentId, to: 'sent', cause: 'sending' });
  } catch (e) {
    if (!(e instanceof CoreError && e.code === ErrorCode.TransitionRefused)) throw e;
  }
}

export const SEND_OPS = {
  'sync.send': syncOp({
    input: z.object({ send: SyncSendInput, now: Ms }).strict(),
    output: z.object({ items: z.array(OutboxItem) }).strict(),
    handler: (ctx, input) => send(ctx, input.send, input.now, true),
  }),
} as const;
