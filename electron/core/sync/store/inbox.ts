import { createHash } from 'node:crypto';
import { z } from 'zod';
import { CoreError, ErrorCode } from '../../../../shared/contract/errors';
import {
  EnvelopeErrorCode,
  InboxErrorCode,
  RECEIVE_REJECTION_CODES,
  type ReceiveRejectionCode,
} from '../../../../shared/sync/sync-error-codes';
import type { PendingPdfText } from '../../vault';
import type { PrekeySecret } from '../device-keys';
import { EnvelopeError, openEnvelope, type EnvelopeHeader, type OpenedEnvelope } from '../envelope';
import { decodePayload, type SyncPayload } from '../payload';
import { noteSenderHead } from './directory-chain';
import { requireIdentity, type IdentityRow } from './device-identity';
import { heldPrekeySecret } from './device-prekeys';
import { directorySenders, type KnownSender } from './directory';
import { assembleDownload, downloadRow, dropDownload, type DownloadRow } from './downloads';
import { recordDocumentOrigin, type DocumentSend } from './document-sends';
import { recordSeen, RECEIVED_OPS, storeRecord } from './inbox-records';
import { checkReceipt, storeReceipt } from './receipt-accept';
import { logEvent } from './refusal-log';
import { partyOf, type SyncStoreContext } from './store-context';
import { Hex, Id, Ms, syncOp } from './worker-op';

/**
 * Receiving: a fully downloaded envelope is opened, checked and stored, with its seen-set
 * entry and an audit line, in one transaction. Anything refused leaves nothing but the audit
 * line. The steps, in order: the download is complete and hashes to the relay's digest; it is
 * not a redelivery of an item already stored; it opens (sender in the directory, signature,
 * my prekey); its payload decodes and is of the header's kind; it is not a replay; then it is
 * stored.
 */

export type ReceiveResult =
  | {
      status: 'stored';
      kind: 'message' | 'document' | 'receipt';
      recordId: string;
      pdfs: PendingPdfText[];
    }
  | { status: 'duplicate' }
  | { status: 'rejected'; code: ReceiveRejectionCode };

/** Why an item is refused, and what is known of it for the audit line. */
interface Refusal {
  code: ReceiveRejectionCode;
  senderDevice: string | null;
  envelopeId: string | null;
}

/** A step's answer: its value, or the refusal that ends the receive. */
type Step<T> = { ok: true; value: T } | { ok: false; refusal: Refusal };
const ok = <T>(value: T): Step<T> => ({ ok: true, value });
const refused = (code: ReceiveRejectionCode, senderDevice: string | null, envelopeId: string | null) => ({
  ok: false as const,
  refusal: { code, senderDevice, envelopeId },
});

/** The download, whole; refused if it does not hash to the digest the relay listed. */
function completeDownload(ctx: SyncStoreContext, d: DownloadRow): Step<Uint8Array> {
  if (d.received !== d.size) throw new CoreError(ErrorCode.InvalidInput, 'download incomplete');
  const bytes = assembleDownload(ctx, d.item_id, d.size);
  if (createHash('sha256').update(bytes).digest('hex') !== d.sha256) {
    return refused(InboxErrorCode.DigestMismatch, d.sender, null);
  }
  return ok(bytes);
}

/** The same relay item stored before (we crashed before the ack): it is acknowledged again. */
function alreadyStored(ctx: SyncStoreContext, itemId: string): boolean {
  return ctx.db.prepare('SELECT 1 FROM sync_seen WHERE item_id = ?').get(itemId) !== undefined;
}

/** Opens the envelope with the directory's sender keys and my held prekeys (zeroed after). */
function openDownloaded(
  ctx: SyncStoreContext,
  me: IdentityRow,
  d: DownloadRow,
  bytes: Uint8Array,
  senders: Map<string, KnownSender>,
): Step<OpenedEnvelope> {
  const held: PrekeySecret[] = [];
  try {
    return ok(
      openEnvelope(ctx.sodium, bytes, {
        recipientDeviceId: me.device_id,
        claimedSender: d.sender,
        senderKey: (id) => senders.get(id),
        prekeySecret: (id) => {
          const p = heldPrekeySecret(ctx, id);
          if (p) held.push(p);
          return p;
        },
      }),
    );
  } catch (e) {
    if (e instanceof EnvelopeError) return refused(e.code, d.sender, null);
    throw e;
  } finally {
    for (const p of held) ctx.sodium.memzero(p.secretKey);
  }
}

/** What was received: the payload, and the SHA-256 of its bytes (what a receipt names). */
interface Decoded {
  payload: SyncPayload;
  sha256: string;
}

/** The payload, decoded, of the kind the signed header says; the plaintext buffer is zeroed. */
function decodeOpened(opened: OpenedEnvelope): Step<Decoded> {
  const { header } = opened;
  let payload: SyncPayload;
  let sha256: string;
  try {
    sha256 = createHash('sha256').update(opened.payload).digest('hex');
    payload = decodePayload(opened.payload);
  } catch (e) {
    return refused(
      e instanceof EnvelopeError ? e.code : EnvelopeErrorCode.Malformed,
      header.senderDeviceId,
      header.envelopeId,
    );
  } finally {
    opened.payload.fill(0);
  }
  if (payload.kind !== header.kind) {
    return refused(EnvelopeErrorCode.Malformed, header.senderDeviceId, header.envelopeId);
  }
  return ok({ payload, sha256 });
}

/**
 * Replay: this sender's sequence number, or this envelope id, was stored before (under
 * another relay item: a redelivery of the same item is `alreadyStored`).
 */
function isReplay(ctx: SyncStoreContext, header: EnvelopeHeader): boolean {
  return (
    ctx.db
      .prepare('SELECT 1 FROM sync_seen WHERE sender_device = ? AND (seq = ? OR envelope_id = ?)')
      .get(header.senderDeviceId, header.seq, header.envelopeId) !== undefined
  );
}

/** Refuses the item: its download goes, an audit line stays. */
function refuse(ctx: SyncStoreContext, itemId: string, now: number, r: Refusal): ReceiveResult {
  ctx.db.transaction(() => {
    dropDownload(ctx, itemId);
    logEvent(ctx, {
      at: now,
      event: 'rejected',
      code: r.code,
      ...(r.senderDevice !== null ? { senderDevice: r.senderDevice } : {}),
      ...(r.envelopeId !== null ? { envelopeId: r.envelopeId } : {}),
      itemId,
    });
  })();
  return { status: 'rejected', code: r.code };
}

/** Stores the item, its seen entry and the audit line, and drops the download, in one transaction. */
function store(
  ctx: SyncStoreContext,
  me: IdentityRow,
  itemId: string,
  header: EnvelopeHeader,
  decoded: Decoded,
  sender: KnownSender,
  now: number,
): ReceiveResult {
  const { payload } = decoded;
  // Who sent it is what the sender's token certification proves, never what the payload says.
  const senderAddress = sender.address;
  const from = partyOf(sender.name, senderAddress);
  const at = new Date(header.createdAt).toISOString();
  let send: DocumentSend | null = null;
  if (payload.kind === 'receipt') {
    const check = checkReceipt(ctx, payload, sender);
    if (!check.ok) {
      return refuse(ctx, itemId, now, {
        code: check.code,
        senderDevice: header.senderDeviceId,
        envelopeId: header.envelopeId,
      });
    }
    send = check.send;
  }
  const stored = ctx.db.transaction(() => {
    let record: { recordId: string; pdfs: PendingPdfText[] };
    if (payload.kind === 'receipt') {
      const acknowledged = send as DocumentSend;
      storeReceipt(ctx, payload, acknowledged, header, sender, now);
      record = { recordId: acknowledged.documentId, pdfs: [] };
    } else {
      record = storeRecord(ctx, payload, from, me.address ?? '', at);
      if (payload.kind === 'document') {
        // Where it came from and what it hashed to: what its receipt will name.
        recordDocumentOrigin(ctx, {
          documentId: record.recordId,
          senderDevice: header.senderDeviceId,
          senderAddress,
          envelopeId: header.envelopeId,
          payloadSha256: decoded.sha256,
        });
      }
    }
    recordSeen(ctx, { header, itemId, kind: payload.kind, recordId: record.recordId, senderAddress, now });
    dropDownload(ctx, itemId);
    logEvent(ctx, {
      at: now,
      event: 'received',
      senderDevice: header.senderDeviceId,
      envelopeId: header.envelopeId,
      itemId,
    });
    // The sender's directory head against mine: a relay showing us two histories shows here.
    noteSenderHead(
      ctx,
      header.directoryHead,
      { address: senderAddress, deviceId: header.senderDeviceId },
      now,
    );
    return record;
  })();
  return { status: 'stored', kind: payload.kind, recordId: stored.recordId, pdfs: stored.pdfs };
}

/**
 * Opens a fully downloaded envelope and stores what it carries. With `retryUnknownSender`, an
 * unknown sender keeps the download: it may have enrolled after our copy of the directory, so
 * the engine refreshes the directory and asks again (once, without it).
 */
export function receive(
  ctx: SyncStoreContext,
  itemId: string,
  now: number,
  retryUnknownSender = false,
): ReceiveResult {
  const me = requireIdentity(ctx);
  const d = downloadRow(ctx, itemId);
  if (!d) throw new CoreError(ErrorCode.NotFound, 'no such download');
  const bytes = completeDownload(ctx, d);
  if (!bytes.ok) return refuse(ctx, itemId, now, bytes.refusal);
  if (alreadyStored(ctx, itemId)) {
    dropDownload(ctx, itemId);
    return { status: 'duplicate' };
  }
  const senders = directorySenders(ctx);
  const opened = openDownloaded(ctx, me, d, bytes.value, senders);
  if (!opened.ok) {
    if (opened.refusal.code === EnvelopeErrorCode.SenderUnknown && retryUnknownSender) {
      return { status: 'rejected', code: opened.refusal.code };
    }
    return refuse(ctx, itemId, now, opened.refusal);
  }
  const { header } = opened.value;
  const payload = decodeOpened(opened.value);
  if (!payload.ok) return refuse(ctx, itemId, now, payload.refusal);
  if (isReplay(ctx, header)) {
    return refuse(ctx, itemId, now, {
      code: InboxErrorCode.Replay,
      senderDevice: header.senderDeviceId,
      envelopeId: header.envelopeId,
    });
  }
  // openEnvelope verified the signature with this sender's key, so the sender is known.
  const sender = senders.get(header.senderDeviceId) as KnownSender;
  return store(ctx, me, itemId, header, payload.value, sender, now);
}

const ReceiveCode = z.enum(RECEIVE_REJECTION_CODES as [ReceiveRejectionCode, ...ReceiveRejectionCode[]]);

export const INBOX_OPS = {
  /** Opens and stores a downloaded item; PDF text is indexed after its transaction. */
  'sync.receive': syncOp({
    input: z.object({ itemId: Hex(16), now: Ms, retryUnknownSender: z.boolean().optional() }).strict(),
    output: z.discriminatedUnion('status', [
      z
        .object({
          status: z.literal('stored'),
          kind: z.enum(['message', 'document', 'receipt']),
          recordId: Id,
        })
        .strict(),
      z.object({ status: z.literal('duplicate') }).strict(),
      z.object({ status: z.literal('rejected'), code: ReceiveCode }).strict(),
    ]),
    handler: async (ctx, input) => {
      const result = receive(ctx, input.itemId, input.now, input.retryUnknownSender === true);
      if (result.status !== 'stored') return result;
      await ctx.indexPdfs(result.pdfs);
      return { status: result.status, kind: result.kind, recordId: result.recordId };
    },
  }),
  ...RECEIVED_OPS,
} as const;
