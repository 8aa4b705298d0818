import { z } from 'zod';
import { OutboxItem, SyncDirectory, SyncWarning } from '../../../shared/contract/sync-calls';
import { SyncSendInput } from '../../../shared/contract/sync-calls';

/**
 * The sync operations of the vault worker (spread into its protocol table). Secrets never
 * cross this boundary: the worker answers with public keys, signatures, ciphertext and the
 * metadata the UI shows.
 */

const Bytes = z.custom<Uint8Array>((v) => v instanceof Uint8Array, 'bytes');
const Hex = (n: number) => z.string().regex(new RegExp(`^[0-9a-f]{${n * 2}}$`));
const Id = z.string().min(1).max(64);
const Ms = z.number().int().nonnegative();
const ErrorShape = z.object({ code: z.string().max(64), message: z.string().max(512) }).strict();

export const PublicIdentity = z
  .object({
    deviceId: Hex(16),
    signPublicKey: Bytes,
    boxPublicKey: Bytes,
    hqUrl: z.string().max(512),
    hqFingerprint: Hex(32),
    hqSignPublicKey: Bytes,
    status: z.enum(['new', 'pending', 'approved', 'revoked']),
    address: z.string().max(254).optional(),
    name: z.string().max(128).optional(),
    department: z.string().max(128).optional(),
    inboxCursor: Ms,
  })
  .strict();

const DueItem = z
  .object({
    id: Id,
    relayEnvelopeId: z.string().max(160),
    recipientDevice: Hex(16),
    size: z.number().int().positive(),
    sha256: Hex(32),
    sentBytes: z.number().int().nonnegative(),
    attempts: z.number().int().nonnegative(),
  })
  .strict();

const ReceivedEntry = z
  .object({
    envelopeId: z.string().max(128),
    sender: z.string().max(254),
    senderDevice: Hex(16),
    kind: z.enum(['message', 'document']),
    recordId: Id,
    title: z.string().max(1000),
    text: z.string().max(2_000_000),
    receivedAt: Ms,
    attachments: z.array(z.object({ name: z.string(), size: z.number().int(), sha256: z.string() }).strict()),
  })
  .strict();

export const SYNC_WORKER_OPS = {
  'sync.identity': {
    input: z.object({}).strict(),
    output: z.object({ identity: PublicIdentity.nullable() }).strict(),
  },
  'sync.identity.create': {
    input: z
      .object({ hqUrl: z.string().max(512), hqFingerprint: Hex(32), hqSignPublicKey: Bytes, now: Ms })
      .strict(),
    output: PublicIdentity,
  },
  'sync.identity.update': {
    input: z
      .object({
        status: z.enum(['new', 'pending', 'approved', 'revoked']).optional(),
        address: z.string().max(254).optional(),
        name: z.string().max(128).optional(),
        department: z.string().max(128).optional(),
        inboxCursor: Ms.optional(),
      })
      .strict(),
    output: PublicIdentity,
  },
  'sync.sign': {
    input: z.object({ message: Bytes }).strict(),
    output: z.object({ signature: Bytes }).strict(),
  },
  'sync.prekeys.plan': {
    input: z
      .object({
        now: Ms,
        policy: z.object({ rotateEveryMs: Ms, graceMs: Ms }).strict().optional(),
      })
      .strict(),
    output: z
      .object({
        publish: z.array(
          z
            .object({ prekeyId: z.string(), publicKey: z.string(), createdAt: Ms, signature: z.string() })
            .strict(),
        ),
        rotated: z.boolean(),
        deleted: z.number().int().nonnegative(),
      })
      .strict(),
  },
  'sync.prekeys.published': {
    input: z.object({ ids: z.array(z.string().max(64)).max(16) }).strict(),
    output: z.object({}).strict(),
  },
  'sync.directory.store': {
    input: z.object({ bytes: Bytes, signature: Bytes, now: Ms }).strict(),
    output: z.object({ serial: z.number().int(), warnings: z.number().int() }).strict(),
  },
  'sync.directory.get': { input: z.object({ now: Ms }).strict(), output: SyncDirectory },
  'sync.warnings': { input: z.object({}).strict(), output: z.array(SyncWarning) },
  'sync.send': {
    input: z.object({ send: SyncSendInput, now: Ms }).strict(),
    output: z.object({ items: z.array(OutboxItem) }).strict(),
  },
  'sync.outbox.list': {
    input: z.object({ limit: z.number().int().min(1).max(1000) }).strict(),
    output: z.object({ items: z.array(OutboxItem) }).strict(),
  },
  'sync.outbox.stats': {
    input: z.object({}).strict(),
    output: z.object({ count: z.number().int(), bytes: z.number().int(), failed: z.number().int() }).strict(),
  },
  'sync.outbox.due': {
    input: z.object({ now: Ms, limit: z.number().int().min(1).max(1000) }).strict(),
    output: z.object({ items: z.array(DueItem) }).strict(),
  },
  'sync.outbox.read': {
    input: z
      .object({
        id: Id,
        offset: z.number().int().nonnegative(),
        length: z
          .number()
          .int()
          .min(1)
          .max(4 * 1024 * 1024),
      })
      .strict(),
    output: z.object({ bytes: Bytes }).strict(),
  },
  'sync.outbox.update': {
    input: z
      .object({
        id: Id,
        state: z.enum(['sending', 'sent', 'failed', 'queued']).optional(),
        sentBytes: z.number().int().nonnegative().optional(),
        attempt: z.boolean().optional(),
        error: ErrorShape.nullable().optional(),
        nextAttemptAt: Ms.optional(),
        now: Ms,
      })
      .strict(),
    output: OutboxItem,
  },
  'sync.outbox.retry': { input: z.object({ id: Id, now: Ms }).strict(), output: OutboxItem },
  'sync.outbox.cancel': { input: z.object({ id: Id, now: Ms }).strict(), output: OutboxItem },
  'sync.download.begin': {
    input: z
      .object({
        id: Hex(16),
        sender: Hex(16),
        envelopeId: z.string().max(160),
        size: z.number().int().positive(),
        sha256: Hex(32),
      })
      .strict(),
    output: z.object({ offset: z.number().int().nonnegative() }).strict(),
  },
  'sync.download.append': {
    input: z.object({ itemId: Hex(16), offset: z.number().int().nonnegative(), bytes: Bytes }).strict(),
    output: z.object({ offset: z.number().int().nonnegative() }).strict(),
  },
  'sync.download.read': {
    input: z
      .object({
        itemId: Hex(16),
        offset: z.number().int().nonnegative(),
        length: z
          .number()
          .int()
          .min(1)
          .max(4 * 1024 * 1024),
      })
      .strict(),
    output: z.object({ bytes: Bytes }).strict(),
  },
  'sync.receive': {
    input: z.object({ itemId: Hex(16), now: Ms, retryUnknownSender: z.boolean().optional() }).strict(),
    output: z.discriminatedUnion('status', [
      z.object({ status: z.literal('stored'), kind: z.enum(['message', 'document']), recordId: Id }).strict(),
      z.object({ status: z.literal('duplicate') }).strict(),
      z.object({ status: z.literal('rejected'), code: z.string().max(64) }).strict(),
    ]),
  },
  'sync.received': {
    input: z.object({ limit: z.number().int().min(1).max(10_000) }).strict(),
    output: z.object({ items: z.array(ReceivedEntry) }).strict(),
  },
  'sync.audit': {
    input: z.object({ limit: z.number().int().min(1).max(10_000) }).strict(),
    output: z
      .object({
        events: z.array(
          z
            .object({
              at: Ms,
              event: z.string(),
              code: z.string().nullable(),
              sender_device: z.string().nullable(),
              envelope_id: z.string().nullable(),
              item_id: z.string().nullable(),
            })
            .strict(),
        ),
        received: z.number().int(),
      })
      .strict(),
  },
} as const;
