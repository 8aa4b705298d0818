import { z } from 'zod';
import { CLASSIFICATIONS, type Classification } from '../../../../shared/domain/classification';
import type { PendingPdfText } from '../../vault';
import type { EnvelopeHeader } from '../envelope';
import type { SyncPayload } from '../payload';
import type { SyncStoreContext } from './store-context';
import { Hex, Id, Ms, syncOp } from './worker-op';

/**
 * What a received item becomes in the vault: a message in its thread, or an incoming document
 * (unread until opened) with its attachments, plus the seen-set entry (`sync_seen`) that makes
 * a second copy a duplicate or a replay. And the list `embassy inbox` shows of them.
 */

/** A received item's record, stored in the caller's transaction. */
export function storeRecord(
  ctx: SyncStoreContext,
  payload: Exclude<SyncPayload, { kind: 'receipt' }>,
  from: string,
  me: string,
  at: string,
): { recordId: string; pdfs: PendingPdfText[] } {
  const { repo } = ctx;
  if (payload.kind === 'message') {
    const recordId = repo.addSyncedMessage({
      subject: payload.title || payload.text.slice(0, 80),
      from,
      to: me ? [me] : [],
      body: payload.text,
      state: 'received',
      read: false,
      classification: payload.classification ?? 'unclassified',
      at,
      files: payload.attachments ?? [],
    }).id;
    for (const a of payload.attachments ?? []) a.bytes.fill(0);
    return { recordId, pdfs: [] };
  }
  const classification = (CLASSIFICATIONS as readonly string[]).includes(payload.classification)
    ? (payload.classification as Classification)
    : 'unclassified';
  const doc = repo.addDocument({
    registryNumber: payload.registryNumber || undefined,
    // The document's own date when the sender gave it; else when it arrived.
    date: payload.documentDate ?? at,
    direction: 'incoming',
    kind: payload.documentKind ?? 'other',
    classification,
    status: 'received',
    subject: payload.title,
    // The document's own parties when it names them; else who sent it, to whom.
    from: payload.parties?.from || from,
    to: payload.parties?.to.length ? payload.parties.to : me ? [me] : [],
    body: payload.text,
  });
  // Unread until the officer opens it, across restarts.
  repo.markDocumentsRead({ ids: [doc.id], read: false });
  // The proven sender, kept apart from the parties the document states (`from`, `to` above):
  // those are metadata any approved device can write, this is what its certification proves.
  ctx.db.prepare('UPDATE documents SET received_from = ? WHERE id = ?').run(from, doc.id);
  const pdfs: PendingPdfText[] = [];
  for (const a of payload.attachments) {
    const { pending } = repo.addAttachment({
      documentId: doc.id,
      source: { kind: 'bytes', bytes: a.bytes },
      name: a.name,
      mediaType: a.mediaType,
    });
    if (pending) pdfs.push(pending);
    a.bytes.fill(0);
  }
  return { recordId: doc.id, pdfs };
}

/** The seen-set entry of a stored item, in the caller's transaction. */
export function recordSeen(
  ctx: SyncStoreContext,
  entry: {
    header: EnvelopeHeader;
    itemId: string;
    kind: 'message' | 'document' | 'receipt';
    recordId: string;
    senderAddress: string;
    now: number;
  },
): void {
  ctx.db
    .prepare(
      `INSERT INTO sync_seen (sender_device, seq, envelope_id, item_id, kind, record_id, sender_address, received_at)
       VALUES (?, ?, ?, ?, ?, ?, ?, ?)`,
    )
    .run(
      entry.header.senderDeviceId,
      entry.header.seq,
      entry.header.envelopeId,
      entry.itemId,
      entry.kind,
      entry.recordId,
      entry.senderAddress,
      entry.now,
    );
}

/** What `embassy inbox` shows of a received item. */
const ReceivedEntry = z
  .object({
    envelopeId: z.string().max(128),
    sender: z.string().max(254),
    senderDevice: Hex(16),
    kind: z.enum(['message', 'document', 'receipt']),
    recordId: Id,
    title: z.string().max(1000),
    text: z.string().max(2_000_000),
    receivedAt: Ms,
    attachments: z.array(z.object({ name: z.string(), size: z.number().int(), sha256: z.string() }).strict()),
  })
  .strict();
export type ReceivedEntry = z.output<typeof ReceivedEntry>;

function receivedEntries(ctx: SyncStoreContext, limit: number): ReceivedEntry[] {
  const rows = ctx.db
    .prepare('SELECT * FROM sync_seen ORDER BY received_at DESC, rowid DESC LIMIT ?')
    .all(limit) as {
    sender_device: string;
    envelope_id: string;
    kind: 'message' | 'document' | 'receipt';
    record_id: string;
    sender_address: string;
    received_at: number;
  }[];
  return rows.map((s) => {
    const base = {
      envelopeId: s.envelope_id,
      sender: s.sender_address,
      senderDevice: s.sender_device,
      kind: s.kind,
      recordId: s.record_id,
      receivedAt: s.received_at,
    };
    if (s.kind === 'receipt') {
      // A receipt's record is the acknowledged document (mine, sent).
      const doc = ctx.db.prepare('SELECT subject FROM documents WHERE id = ?').pluck().get(s.record_id);
      return { ...base, title: typeof doc === 'string' ? doc : '', text: '', attachments: [] };
    }
    if (s.kind === 'message') {
      const m = ctx.repo.getMessage(s.record_id);
      return { ...base, title: m.subject, text: m.body, attachments: [] };
    }
    const doc = ctx.repo.getDocument(s.record_id);
    return {
      ...base,
      title: doc.document.subject,
      text: doc.versions[doc.versions.length - 1]?.body ?? '',
      attachments: doc.attachments.map((a) => ({ name: a.name, size: a.size, sha256: a.sha256 })),
    };
  });
}

export const RECEIVED_OPS = {
  /** Received items, newest first, with their stored text (for `embassy inbox`). */
  'sync.received': syncOp({
    input: z.object({ limit: z.number().int().min(1).max(10_000) }).strict(),
    output: z.object({ items: z.array(ReceivedEntry) }).strict(),
    handler: (ctx, { limit }) => ({ items: receivedEntries(ctx, limit) }),
  }),
} as const;
