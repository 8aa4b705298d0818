import { z } from 'zod';
import { CLASSIFICATIONS } from '../domain/classification';
import { MAX_MESSAGE_FILES } from '../domain/document';
import { RecordId } from './vault-calls';
import { TokenSelector } from './signing-calls';
import { ErrorShape, Hex, NoInput } from './field-schemas';
import type { SyncCallName } from './sync-call-names';

/**
 * Sync with headquarters, the UI's side (issue 5). The engine runs in the core, off the main
 * thread's critical path; every transport is request/response, so the UI polls `sync.status`
 * (cheap: no I/O) and refreshes its lists when `inboxVersion` changes.
 */

const Address = z.string().min(1).max(254);

/** The token certificate that vouches for a device (what a notice names). */
export const VouchingCertificate = z
  .object({
    subject: z.string().max(1024),
    issuer: z.string().max(1024),
    /** SHA-256 of the certificate (DER). */
    fingerprint: Hex(32),
  })
  .strict();

export const SyncWarning = z
  .object({
    /**
     * What changed about a contact's devices since the directory held before: a device added,
     * removed (no longer listed) or revoked by HQ, its keys or its token certificate changed, a
     * verified contact's safety number changed (the mark is gone); or HQ listed a device its
     * officer's token does not vouch for (refused: never sealed to or believed). Also: HQ's
     * directory was rolled back or forked (refused; address and device are this workstation's
     * own), or a sender's envelope named a directory version other than the one this
     * workstation holds for that serial (`directory-split`: the relay shows the two of us
     * different histories; address and device are the sender's).
     */
    kind: z.enum([
      'device-revoked',
      'keys-changed',
      'device-refused',
      'directory-rollback',
      'directory-forked',
      'directory-split',
      'device-added',
      'device-removed',
      'certificate-changed',
      'verification-lost',
    ]),
    address: Address,
    deviceId: Hex(16),
    at: z.number().int().nonnegative(),
    /** The certificate that vouches for the device (absent for a refused device). */
    certificate: VouchingCertificate.optional(),
  })
  .strict();

export const SyncStatus = z
  .object({
    /** Where this workstation stands with HQ. `locked`: the vault is locked, nothing is known. */
    enrolment: z.enum(['locked', 'none', 'pending', 'approved', 'revoked']),
    deviceId: Hex(16).optional(),
    /** The officer's address in HQ's directory (from the token certificate). */
    address: Address.optional(),
    hq: z
      .object({ url: z.string().max(512), fingerprint: Hex(32) })
      .strict()
      .optional(),
    connection: z.enum(['offline', 'connecting', 'online', 'syncing']),
    /** ms since epoch of the last complete exchange with the relay. */
    lastSyncAt: z.number().int().nonnegative().optional(),
    /** The outbox: items not yet accepted by the relay, and their bytes. */
    pending: z
      .object({ count: z.number().int().nonnegative(), bytes: z.number().int().nonnegative() })
      .strict(),
    failed: z.number().int().nonnegative(),
    /** Grows by one whenever a received item is stored: the UI reloads its lists when it changes. */
    inboxVersion: z.number().int().nonnegative(),
    /** Received items refused (bad signature, replay, revoked sender…) since the vault opened. */
    rejected: z.number().int().nonnegative(),
    lastError: ErrorShape.optional(),
    warnings: z.array(SyncWarning).max(100),
  })
  .strict();
export type SyncStatus = z.infer<typeof SyncStatus>;

export const SyncEnrollInput = z
  .object({
    /** https://host:port of the HQ relay. */
    hqUrl: z
      .string()
      .max(512)
      .regex(/^https:\/\/[A-Za-z0-9.-]+(:\d{1,5})?\/?$/, 'https://host[:port]'),
    /** SHA-256 of HQ's TLS certificate, as `embassy hq serve` prints it (hex; colons allowed). */
    fingerprint: z
      .string()
      .max(128)
      .transform((v) => v.replace(/[:\s]/g, '').toLowerCase())
      .pipe(Hex(32)),
    token: TokenSelector,
    keyId: z
      .string()
      .regex(/^([0-9a-fA-F]{2}){1,64}$/)
      .optional(),
    /** For the one token signature over the device keys; never stored, logged or retried. */
    pin: z.string().min(1).max(64),
    department: z.string().max(128).optional(),
  })
  .strict();

export const DirectoryDevice = z
  .object({ deviceId: Hex(16), status: z.enum(['approved', 'revoked']), hasPrekey: z.boolean() })
  .strict();
export const DirectoryOfficer = z
  .object({
    address: Address,
    name: z.string().max(128),
    department: z.string().max(128),
    devices: z.array(DirectoryDevice).max(64),
    /** At least one approved device with current keys: something sent now can be opened. */
    reachable: z.boolean(),
  })
  .strict();
export const SyncDirectory = z
  .object({
    serial: z.number().int().nonnegative(),
    issuedAt: z.number().int().nonnegative(),
    officers: z.array(DirectoryOfficer).max(10_000),
  })
  .strict();
export type SyncDirectory = z.infer<typeof SyncDirectory>;

export const SyncSendInput = z.discriminatedUnion('kind', [
  z
    .object({
      kind: z.literal('message'),
      to: z.array(Address).min(1).max(50),
      title: z.string().max(512),
      text: z.string().min(1).max(100_000),
      /** The message's marking, chosen by its writer; it travels with it. */
      classification: z.enum(CLASSIFICATIONS).default('unclassified'),
      /** As for a document: required for a Secret or Top secret message. */
      confirmedMarking: z.enum(CLASSIFICATIONS).optional(),
      /**
       * Files it carries: staged with `messages.files.add`, or a received or sent message's
       * (a forward). A file leaves under no lower marking than the message it came with.
       */
      fileIds: z.array(RecordId).max(MAX_MESSAGE_FILES).default([]),
    })
    .strict(),
  z
    .object({
      kind: z.literal('document'),
      to: z.array(Address).min(1).max(50),
      /** A vault document: its metadata, body and every attachment (signed PDFs included). */
      documentId: RecordId,
      /**
       * The marking the officer confirmed in a dialog that named it: required for a Secret or
       * Top secret document (E_MARKING_UNCONFIRMED otherwise, and nothing is queued).
       */
      confirmedMarking: z.enum(CLASSIFICATIONS).optional(),
    })
    .strict(),
]);

export const OutboxItem = z
  .object({
    id: RecordId,
    envelopeId: z.string().max(128),
    /** `receipt`: an acknowledgement of receipt going back to a document's sender. */
    kind: z.enum(['message', 'document', 'receipt']),
    title: z.string().max(512),
    /** The marking of what is sent (a document's; Unclassified for a message), for the banner. */
    classification: z.enum(CLASSIFICATIONS),
    recipientAddress: Address,
    /** Absent while `waiting`: the envelope is sealed for the recipient's devices once they have keys. */
    recipientDevice: Hex(16).optional(),
    /**
     * `waiting`: the recipient is approved but has no current keys yet; the send is kept in the
     * vault and sealed and queued in the first round after their keys appear.
     */
    state: z.enum(['waiting', 'queued', 'sending', 'failed', 'sent', 'cancelled']),
    bytes: z.number().int().nonnegative(),
    sentBytes: z.number().int().nonnegative(),
    attempts: z.number().int().nonnegative(),
    lastError: ErrorShape.optional(),
    createdAt: z.number().int().nonnegative(),
    sentAt: z.number().int().nonnegative().optional(),
  })
  .strict();
export type OutboxItem = z.infer<typeof OutboxItem>;

export const SyncSendResult = z.object({ items: z.array(OutboxItem).max(64 * 50) }).strict();
export const OutboxList = z.object({ items: z.array(OutboxItem).max(1000) }).strict();
const OutboxRef = z.object({ id: RecordId }).strict();

export const syncContract = {
  /** Enrolment, connection, outbox counts and warnings; no I/O, safe to poll. */
  'sync.status': { input: NoInput, output: SyncStatus },
  /** Generate device keys in the vault, sign them on the token, enrol with HQ (pinned). */
  'sync.enroll': { input: SyncEnrollInput, output: SyncStatus },
  /** HQ's signed directory as last verified (refreshed when online). */
  'sync.directory': { input: NoInput, output: SyncDirectory },
  /** Seal for every approved device of each recipient and queue in the outbox (durable). */
  'sync.send': { input: SyncSendInput, output: SyncSendResult },
  /** Sync now instead of waiting for the next round. */
  'sync.now': { input: NoInput, output: SyncStatus },
  /** The most recent outbox items, newest first. */
  'sync.outbox': { input: NoInput, output: OutboxList },
  'sync.outbox.retry': { input: OutboxRef, output: OutboxItem },
  'sync.outbox.cancel': { input: OutboxRef, output: OutboxItem },
} as const satisfies Record<SyncCallName, { input: z.ZodType; output: z.ZodType }>;
