import { createHash, randomUUID } from 'node:crypto';
import type Database from 'better-sqlite3-multiple-ciphers';
import { CoreError, ErrorCode } from '../../../shared/contract/errors';
import type { OutboxItem, SyncDirectory, SyncStatus } from '../../../shared/contract/sync-calls';
import { Directory, directoryMessage } from '../../../shared/sync/relay-protocol';
import { CLASSIFICATIONS, type Classification } from '../../../shared/domain/classification';
import type { PendingPdfText, Sodium, VaultRepository } from '../vault';
import {
  EnvelopeError,
  openEnvelope,
  sealEnvelope,
  type DeviceKeys,
  type EnvelopeRecipient,
  type SignedPrekey,
} from './envelope';
import { decodePayload, encodePayload, type PayloadAttachment, type SyncPayload } from './payload';
import {
  DEFAULT_PREKEY_POLICY,
  generateDeviceKeys,
  isPrekeyFresh,
  generatePrekey,
  planPrekeyRotation,
  verifyPrekey,
} from './prekeys';

/**
 * The worker's side of sync: every secret (device keys, prekeys) and every plaintext stays in
 * this thread and in the encrypted vault. The caller (the sync engine on the core's thread)
 * moves only ciphertext between the relay and these operations, so a relay or a network
 * adversary never meets a key, and the main thread never meets plaintext it did not ask for.
 *
 * Each operation is one transaction: an outbox entry and its envelope, or a received item,
 * its seen-set entry and its audit line, are stored together or not at all.
 */

type Db = InstanceType<typeof Database>;

/** Envelope bytes are kept in chunks of this size (ciphertext). */
const ENVELOPE_CHUNK = 256 * 1024;
/** The largest envelope we seal: the relay's item limit. */
const MAX_ENVELOPE = 256 * 1024 * 1024;

export interface PublicIdentity {
  deviceId: string;
  signPublicKey: Uint8Array;
  boxPublicKey: Uint8Array;
  hqUrl: string;
  hqFingerprint: string;
  hqSignPublicKey: Uint8Array;
  status: 'new' | 'pending' | 'approved' | 'revoked';
  address?: string;
  name?: string;
  department?: string;
  inboxCursor: number;
}

interface IdentityRow {
  device_id: string;
  sign_public: Buffer;
  sign_secret: Buffer;
  box_public: Buffer;
  box_secret: Buffer;
  hq_url: string;
  hq_fingerprint: string;
  hq_sign_public: Buffer;
  status: PublicIdentity['status'];
  address: string | null;
  name: string | null;
  department: string | null;
  next_seq: number;
  inbox_cursor: number;
}

interface OutboxRow {
  id: string;
  envelope_id: string;
  relay_envelope_id: string;
  kind: 'message' | 'document';
  title: string;
  recipient_address: string;
  recipient_device: string;
  size: number;
  sha256: string;
  state: OutboxItem['state'];
  sent_bytes: number;
  attempts: number;
  last_error_code: string | null;
  last_error_message: string | null;
  next_attempt_at: number;
  created_at: number;
  sent_at: number | null;
}

export interface DueItem {
  id: string;
  relayEnvelopeId: string;
  recipientDevice: string;
  size: number;
  sha256: string;
  sentBytes: number;
  attempts: number;
}

export type ReceiveResult =
  | { status: 'stored'; kind: 'message' | 'document'; recordId: string; pdfs: PendingPdfText[] }
  | { status: 'duplicate' }
  | { status: 'rejected'; code: string };

/** What `embassy inbox` shows of a received item. */
export interface ReceivedEntry {
  envelopeId: string;
  sender: string;
  senderDevice: string;
  kind: 'message' | 'document';
  recordId: string;
  title: string;
  text: string;
  receivedAt: number;
  attachments: { name: string; size: number; sha256: string }[];
}

/** Domain-separation labels the device key may sign (enrolment proof, auth answer, prekeys). */
const SIGNABLE_PREFIXES = ['embassy-hq/v1/enroll\0', 'embassy-hq/v1/auth-session\0'];

function toOutboxItem(r: OutboxRow): OutboxItem {
  return {
    id: r.id,
    envelopeId: r.envelope_id,
    kind: r.kind,
    title: r.title,
    recipientAddress: r.recipient_address,
    recipientDevice: r.recipient_device,
    state: r.state,
    bytes: r.size,
    sentBytes: r.sent_bytes,
    attempts: r.attempts,
    ...(r.last_error_code
      ? { lastError: { code: r.last_error_code, message: r.last_error_message ?? '' } }
      : {}),
    createdAt: r.created_at,
    ...(r.sent_at !== null ? { sentAt: r.sent_at } : {}),
  };
}

const u8 = (b: Buffer | Uint8Array) => new Uint8Array(b.buffer, b.byteOffset, b.byteLength);
const b64 = (s: string) => new Uint8Array(Buffer.from(s, 'base64'));
const sha256Hex = (bytes: Uint8Array) => createHash('sha256').update(bytes).digest('hex');

function startsWithAscii(bytes: Uint8Array, prefix: string): boolean {
  if (bytes.length < prefix.length) return false;
  for (let i = 0; i < prefix.length; i++) if (bytes[i] !== prefix.charCodeAt(i)) return false;
  return true;
}

export function createSyncStore(db: Db, repo: VaultRepository, sodium: Sodium) {
  const identityRow = db.prepare('SELECT * FROM sync_identity WHERE id = 1');
  const audit = db.prepare(
    'INSERT INTO sync_audit (at, event, code, sender_device, envelope_id, item_id) VALUES (?, ?, ?, ?, ?, ?)',
  );
  const outboxById = db.prepare('SELECT * FROM sync_outbox WHERE id = ?');

  function row(): IdentityRow | undefined {
    return identityRow.get() as IdentityRow | undefined;
  }
  function requireRow(): IdentityRow {
    const r = row();
    if (!r) throw new CoreError(ErrorCode.SyncNotEnrolled, 'this workstation is not enrolled');
    return r;
  }
  function toPublic(r: IdentityRow): PublicIdentity {
    return {
      deviceId: r.device_id,
      signPublicKey: u8(r.sign_public),
      boxPublicKey: u8(r.box_public),
      hqUrl: r.hq_url,
      hqFingerprint: r.hq_fingerprint,
      hqSignPublicKey: u8(r.hq_sign_public),
      status: r.status,
      ...(r.address !== null ? { address: r.address } : {}),
      ...(r.name !== null ? { name: r.name } : {}),
      ...(r.department !== null ? { department: r.department } : {}),
      inboxCursor: r.inbox_cursor,
    };
  }
  function deviceKeys(r: IdentityRow): DeviceKeys {
    return {
      deviceId: r.device_id,
      signPublicKey: u8(r.sign_public),
      signSecretKey: new Uint8Array(r.sign_secret),
      boxPublicKey: u8(r.box_public),
      boxSecretKey: new Uint8Array(r.box_secret),
    };
  }
  function forget(keys: DeviceKeys) {
    sodium.memzero(keys.signSecretKey);
    sodium.memzero(keys.boxSecretKey);
  }

  /** The stored directory, parsed (it was verified when stored). */
  /** Parsed once per serial, not once per received item. */
  let directoryCache: { serial: number; dir: Directory } | null = null;
  function storedDirectory(): Directory | null {
    const serial = db.prepare('SELECT serial FROM sync_directory WHERE id = 1').pluck().get() as
      number | undefined;
    if (serial === undefined) return null;
    if (directoryCache?.serial !== serial) {
      const bytes = db.prepare('SELECT bytes FROM sync_directory WHERE id = 1').pluck().get() as Buffer;
      directoryCache = { serial, dir: Directory.parse(JSON.parse(Buffer.from(bytes).toString('utf8'))) };
    }
    return directoryCache.dir;
  }

  function recipientsFor(
    address: string,
    me: string,
    dir: Directory,
    now: number,
  ): { recipients: EnvelopeRecipient[]; address: string } {
    const officer = dir.officers.find((o) => o.address.toLowerCase() === address.toLowerCase());
    if (!officer) {
      throw new CoreError(ErrorCode.SyncRecipientUnavailable, `no officer ${address} in HQ's directory`);
    }
    const recipients: EnvelopeRecipient[] = [];
    for (const d of officer.devices) {
      if (d.status !== 'approved' || !d.prekey || d.deviceId === me) continue;
      const signed: SignedPrekey = {
        deviceId: d.deviceId,
        prekeyId: d.prekey.prekeyId,
        publicKey: b64(d.prekey.publicKey),
        createdAt: d.prekey.createdAt,
        signature: b64(d.prekey.signature),
      };
      const signPublicKey = b64(d.signPublicKey);
      // A relay could withhold a device's newer prekeys to keep us encrypting to an old one
      // whose secret it hopes to steal later: the same freshness rule sealing applies.
      if (!isPrekeyFresh(signed, now) || !verifyPrekey(sodium, signed, signPublicKey)) continue;
      recipients.push({ deviceId: d.deviceId, signPublicKey, prekey: signed });
    }
    if (recipients.length === 0) {
      throw new CoreError(
        ErrorCode.SyncRecipientUnavailable,
        `${officer.address} has no approved device with current keys`,
      );
    }
    return { recipients, address: officer.address };
  }

  function readDocumentPayload(documentId: string): {
    title: string;
    text: string;
    classification: Classification;
    registryNumber: string;
    parties: { from: string; to: string[] };
    attachments: PayloadAttachment[];
  } {
    const detail = repo.getDocument(documentId);
    const attachments: PayloadAttachment[] = [];
    let total = 0;
    for (const a of detail.attachments) {
      total += a.size;
      if (total > MAX_ENVELOPE - 1024 * 1024) {
        throw new CoreError(ErrorCode.TooLarge, 'the document is too large to send in one envelope');
      }
      const bytes = new Uint8Array(a.size);
      for (let off = 0; off < a.size;) {
        const chunk = repo.readAttachment({ id: a.id, offset: off, length: 1024 * 1024 });
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
      parties: { from: detail.document.from, to: [...detail.document.to] },
      attachments,
    };
  }

  function putEnvelope(envelopeId: string, bytes: Uint8Array) {
    const insert = db.prepare('INSERT INTO sync_envelope_chunks (envelope_id, seq, data) VALUES (?, ?, ?)');
    for (let o = 0, seq = 0; o < bytes.length; o += ENVELOPE_CHUNK, seq++) {
      insert.run(envelopeId, seq, bytes.subarray(o, o + ENVELOPE_CHUNK));
    }
  }

  /** Drops an envelope's ciphertext once no outbox row still needs it. */
  function releaseEnvelope(envelopeId: string) {
    const open = db
      .prepare(
        "SELECT count(*) FROM sync_outbox WHERE envelope_id = ? AND state NOT IN ('sent', 'cancelled')",
      )
      .pluck()
      .get(envelopeId) as number;
    if (open === 0) db.prepare('DELETE FROM sync_envelope_chunks WHERE envelope_id = ?').run(envelopeId);
  }

  function assembleDownload(itemId: string, size: number): Uint8Array {
    const out = new Uint8Array(size);
    let at = 0;
    for (const c of db
      .prepare('SELECT offset, data FROM sync_download_chunks WHERE item_id = ? ORDER BY offset')
      .iterate(itemId) as Iterable<{ offset: number; data: Buffer }>) {
      if (c.offset !== at || at + c.data.length > size) throw new Error('download chunks out of order');
      out.set(c.data, at);
      at += c.data.length;
    }
    if (at !== size) throw new Error('download incomplete');
    return out;
  }

  function partyOf(name: string, address: string): string {
    return name ? `${name} <${address}>` : address;
  }

  const api = {
    identity(): { identity: PublicIdentity | null } {
      const r = row();
      return { identity: r ? toPublic(r) : null };
    },

    /**
     * Makes (or, for the same HQ before approval, reuses) the device keys. Enrolment retried
     * after a cut must present the same keys, or HQ would see a second device.
     */
    createIdentity(input: {
      hqUrl: string;
      hqFingerprint: string;
      hqSignPublicKey: Uint8Array;
      now: number;
    }) {
      const existing = row();
      if (existing) {
        const sameHq =
          existing.hq_fingerprint === input.hqFingerprint &&
          Buffer.compare(existing.hq_sign_public, Buffer.from(input.hqSignPublicKey)) === 0;
        if (sameHq && (existing.status === 'new' || existing.status === 'pending')) return toPublic(existing);
        if (existing.status !== 'new') {
          throw new CoreError(ErrorCode.InvalidInput, 'this workstation is already enrolled with HQ');
        }
        db.prepare('DELETE FROM sync_identity').run();
      }
      const keys = generateDeviceKeys(sodium);
      try {
        db.prepare(
          `INSERT INTO sync_identity (id, device_id, sign_public, sign_secret, box_public, box_secret, hq_url,
             hq_fingerprint, hq_sign_public, status, created_at)
           VALUES (1, ?, ?, ?, ?, ?, ?, ?, ?, 'new', ?)`,
        ).run(
          keys.deviceId,
          keys.signPublicKey,
          keys.signSecretKey,
          keys.boxPublicKey,
          keys.boxSecretKey,
          input.hqUrl,
          input.hqFingerprint,
          input.hqSignPublicKey,
          input.now,
        );
      } finally {
        forget(keys);
      }
      return toPublic(requireRow());
    },

    updateIdentity(input: {
      status?: PublicIdentity['status'];
      address?: string;
      name?: string;
      department?: string;
      inboxCursor?: number;
    }) {
      requireRow();
      const sets: string[] = [];
      const params: (string | number)[] = [];
      const put = (col: string, v: string | number | undefined) => {
        if (v === undefined) return;
        sets.push(`${col} = ?`);
        params.push(v);
      };
      put('status', input.status);
      put('address', input.address);
      put('name', input.name);
      put('department', input.department);
      if (input.inboxCursor !== undefined) {
        // The cursor only moves forward: a stale answer never rewinds it.
        sets.push('inbox_cursor = max(inbox_cursor, ?)');
        params.push(input.inboxCursor);
      }
      if (sets.length) db.prepare(`UPDATE sync_identity SET ${sets.join(', ')} WHERE id = 1`).run(...params);
      return toPublic(requireRow());
    },

    /** Signs an enrolment proof or a session answer; nothing else (domain separation). */
    sign(message: Uint8Array): { signature: Uint8Array } {
      if (!SIGNABLE_PREFIXES.some((p) => startsWithAscii(message, p))) {
        throw new CoreError(
          ErrorCode.InvalidInput,
          'the device key signs only enrolment and session messages',
        );
      }
      const keys = deviceKeys(requireRow());
      try {
        return { signature: sodium.crypto_sign_detached(message, keys.signSecretKey) };
      } finally {
        forget(keys);
      }
    },

    /**
     * Rotates the signed prekey when due, deletes retired secrets past the grace window (that
     * deletion is what forward secrecy rests on), and returns the prekeys HQ has not seen yet.
     */
    planPrekeys(input: { now: number; policy?: { rotateEveryMs: number; graceMs: number } }) {
      const r = requireRow();
      return db.transaction(() => {
        const held = db.prepare('SELECT prekey_id, created_at, retired_at FROM sync_prekeys').all() as {
          prekey_id: string;
          created_at: number;
          retired_at: number | null;
        }[];
        const plan = planPrekeyRotation(
          held.map((h) => ({
            prekeyId: h.prekey_id,
            createdAt: h.created_at,
            ...(h.retired_at !== null ? { retiredAt: h.retired_at } : {}),
          })),
          input.now,
          input.policy ?? DEFAULT_PREKEY_POLICY,
        );
        const del = db.prepare('DELETE FROM sync_prekeys WHERE prekey_id = ?');
        for (const id of plan.deleteIds) del.run(id);
        if (plan.deleteIds.length) audit.run(input.now, 'prekeys-deleted', null, null, null, null);
        if (plan.rotate) {
          db.prepare('UPDATE sync_prekeys SET retired_at = ? WHERE retired_at IS NULL').run(input.now);
          const keys = deviceKeys(r);
          try {
            const { secret, signed } = generatePrekey(sodium, keys, input.now);
            db.prepare(
              `INSERT INTO sync_prekeys (prekey_id, public_key, secret_key, signature, created_at)
               VALUES (?, ?, ?, ?, ?)`,
            ).run(signed.prekeyId, signed.publicKey, secret.secretKey, signed.signature, signed.createdAt);
            sodium.memzero(secret.secretKey);
          } finally {
            forget(keys);
          }
        }
        const unpublished = db
          .prepare(
            'SELECT prekey_id, public_key, signature, created_at FROM sync_prekeys WHERE published = 0 AND retired_at IS NULL',
          )
          .all() as { prekey_id: string; public_key: Buffer; signature: Buffer; created_at: number }[];
        return {
          publish: unpublished.map((p) => ({
            prekeyId: p.prekey_id,
            publicKey: Buffer.from(p.public_key).toString('base64'),
            createdAt: p.created_at,
            signature: Buffer.from(p.signature).toString('base64'),
          })),
          rotated: plan.rotate,
          deleted: plan.deleteIds.length,
        };
      })();
    },

    prekeysPublished(ids: readonly string[]) {
      const mark = db.prepare('UPDATE sync_prekeys SET published = 1 WHERE prekey_id = ?');
      db.transaction(() => ids.forEach((id) => mark.run(id)))();
      return {};
    },

    /**
     * Verifies HQ's signature with the key pinned at enrolment and keeps the directory if it is
     * not older than the one held (a relay cannot roll it back to resurrect a revoked device).
     * Notes revoked devices and changed keys as warnings.
     */
    storeDirectory(input: { bytes: Uint8Array; signature: Uint8Array; now: number }) {
      const r = requireRow();
      const ok =
        input.signature.length === 64 &&
        sodium.crypto_sign_verify_detached(
          input.signature,
          directoryMessage(input.bytes),
          u8(r.hq_sign_public),
        );
      if (!ok) throw new CoreError(ErrorCode.SyncDirectoryInvalid, "HQ's directory signature did not verify");
      let dir: Directory;
      try {
        dir = Directory.parse(JSON.parse(Buffer.from(input.bytes).toString('utf8')));
      } catch {
        throw new CoreError(ErrorCode.SyncDirectoryInvalid, "HQ's directory is malformed");
      }
      return db.transaction(() => {
        const held = db.prepare('SELECT serial FROM sync_directory WHERE id = 1').pluck().get() as
          number | undefined;
        if (held !== undefined && dir.serial < held) {
          audit.run(input.now, 'directory-rollback', ErrorCode.SyncDirectoryInvalid, null, null, null);
          throw new CoreError(ErrorCode.SyncDirectoryInvalid, "HQ's directory is older than the one held");
        }
        db.prepare(
          `INSERT INTO sync_directory (id, serial, issued_at, bytes, signature, fetched_at) VALUES (1, ?, ?, ?, ?, ?)
           ON CONFLICT (id) DO UPDATE SET serial = excluded.serial, issued_at = excluded.issued_at,
             bytes = excluded.bytes, signature = excluded.signature, fetched_at = excluded.fetched_at`,
        ).run(dir.serial, dir.issuedAt, input.bytes, input.signature, input.now);
        directoryCache = { serial: dir.serial, dir };
        const known = db.prepare('SELECT box_public, status FROM sync_known_devices WHERE device_id = ?');
        const upsert = db.prepare(
          `INSERT INTO sync_known_devices (device_id, address, box_public, status) VALUES (?, ?, ?, ?)
           ON CONFLICT (device_id) DO UPDATE SET address = excluded.address, box_public = excluded.box_public,
             status = excluded.status`,
        );
        const warn = db.prepare(
          'INSERT INTO sync_warnings (kind, address, device_id, at) VALUES (?, ?, ?, ?)',
        );
        let warnings = 0;
        for (const o of dir.officers) {
          for (const d of o.devices) {
            const box = b64(d.boxPublicKey);
            const before = known.get(d.deviceId) as { box_public: Buffer; status: string } | undefined;
            if (before && before.status !== 'revoked' && d.status === 'revoked') {
              warn.run('device-revoked', o.address, d.deviceId, input.now);
              warnings++;
            } else if (before && Buffer.compare(before.box_public, Buffer.from(box)) !== 0) {
              warn.run('keys-changed', o.address, d.deviceId, input.now);
              warnings++;
            }
            upsert.run(d.deviceId, o.address, box, d.status);
            if (d.deviceId === r.device_id) {
              db.prepare(
                'UPDATE sync_identity SET status = ?, address = ?, name = ?, department = ? WHERE id = 1',
              ).run(d.status, o.address, o.name, o.department);
            }
          }
        }
        return { serial: dir.serial, warnings };
      })();
    },

    directory(now: number): SyncDirectory {
      const dir = storedDirectory();
      if (!dir) return { serial: 0, issuedAt: 0, officers: [] };
      const me = row()?.device_id;
      return {
        serial: dir.serial,
        issuedAt: dir.issuedAt,
        officers: dir.officers.map((o) => {
          const devices = o.devices.map((d) => ({
            deviceId: d.deviceId,
            status: d.status,
            hasPrekey: d.prekey !== undefined && isPrekeyFresh(d.prekey, now),
          }));
          return {
            address: o.address,
            name: o.name,
            department: o.department,
            devices,
            reachable: devices.some((d) => d.status === 'approved' && d.hasPrekey && d.deviceId !== me),
          };
        }),
      };
    },

    warnings(): SyncStatus['warnings'] {
      return (
        db
          .prepare('SELECT kind, address, device_id, at FROM sync_warnings ORDER BY rowid DESC LIMIT 100')
          .all() as {
          kind: 'device-revoked' | 'keys-changed';
          address: string;
          device_id: string;
          at: number;
        }[]
      ).map((w) => ({ kind: w.kind, address: w.address, deviceId: w.device_id, at: w.at }));
    },

    /**
     * Seals one envelope for every approved device of every recipient and queues one outbox row
     * per device, with the next sequence number, in one transaction.
     */
    send(
      input:
        | { kind: 'message'; to: string[]; title: string; text: string }
        | { kind: 'document'; to: string[]; documentId: string },
      now: number,
    ): { items: OutboxItem[] } {
      const r = requireRow();
      if (r.status === 'revoked') throw new CoreError(ErrorCode.SyncRevoked, 'HQ revoked this workstation');
      if (r.status !== 'approved')
        throw new CoreError(ErrorCode.SyncPending, 'enrolment is not approved yet');
      const dir = storedDirectory();
      if (!dir) throw new CoreError(ErrorCode.SyncOffline, "HQ's directory has not been fetched yet");
      const targets = [...new Set(input.to.map((a) => a.toLowerCase()))].map((a) =>
        recipientsFor(a, r.device_id, dir, now),
      );
      const recipients = targets.flatMap((t) => t.recipients);
      const addressOf = new Map<string, string>();
      for (const t of targets) for (const d of t.recipients) addressOf.set(d.deviceId, t.address);
      const sender = { senderAddress: r.address ?? '', senderName: r.name ?? '' };
      let payload: SyncPayload;
      if (input.kind === 'message') {
        payload = { kind: 'message', title: input.title, text: input.text, sentAt: now, ...sender };
      } else {
        const doc = readDocumentPayload(input.documentId);
        payload = { kind: 'document', sentAt: now, ...sender, ...doc };
      }
      const plain = encodePayload(payload);
      const envelopeId = randomUUID();
      const keys = deviceKeys(r);
      return db.transaction(() => {
        const seq = r.next_seq;
        let sealed: Uint8Array;
        try {
          sealed = sealEnvelope(sodium, {
            sender: keys,
            envelopeId,
            seq,
            createdAt: now,
            kind: input.kind,
            recipients,
            payload: plain,
          });
        } finally {
          forget(keys);
          plain.fill(0);
        }
        if (sealed.length > MAX_ENVELOPE)
          throw new CoreError(ErrorCode.TooLarge, 'the envelope is too large');
        db.prepare('UPDATE sync_identity SET next_seq = ? WHERE id = 1').run(seq + 1);
        putEnvelope(envelopeId, sealed);
        const digest = sha256Hex(sealed);
        const insert = db.prepare(
          `INSERT INTO sync_outbox (id, envelope_id, relay_envelope_id, kind, title, recipient_address,
             recipient_device, size, sha256, state, created_at)
           VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, 'queued', ?)`,
        );
        const ids: string[] = [];
        for (const d of recipients) {
          const id = randomUUID();
          insert.run(
            id,
            envelopeId,
            `${envelopeId}_${d.deviceId.slice(0, 12)}`,
            input.kind,
            payload.title,
            addressOf.get(d.deviceId) ?? '',
            d.deviceId,
            sealed.length,
            digest,
            now,
          );
          ids.push(id);
        }
        // The officer's own copy: a sent message in its thread, a document marked sent.
        const to = targets.map((t) => t.address);
        if (payload.kind === 'message') {
          repo.addSyncedMessage({
            subject: payload.title || payload.text.slice(0, 80),
            from: partyOf(sender.senderName, sender.senderAddress),
            to,
            body: payload.text,
            state: 'sent',
            read: true,
            at: new Date(now).toISOString(),
          });
        } else if (input.kind === 'document') {
          repo.setDocumentStatus(input.documentId, 'sent');
        }
        audit.run(now, 'queued', null, r.device_id, envelopeId, null);
        return { items: ids.map((id) => toOutboxItem(outboxById.get(id) as OutboxRow)) };
      })();
    },

    outboxList(limit: number): { items: OutboxItem[] } {
      const rows = db
        .prepare('SELECT * FROM sync_outbox ORDER BY rowid DESC LIMIT ?')
        .all(limit) as OutboxRow[];
      return { items: rows.map(toOutboxItem) };
    },

    outboxStats(): { count: number; bytes: number; failed: number } {
      const p = db
        .prepare(
          "SELECT count(*) AS n, coalesce(sum(size - sent_bytes), 0) AS b FROM sync_outbox WHERE state IN ('queued', 'sending')",
        )
        .get() as { n: number; b: number };
      const failed = db
        .prepare("SELECT count(*) FROM sync_outbox WHERE state = 'failed'")
        .pluck()
        .get() as number;
      return { count: p.n, bytes: p.b, failed };
    },

    /** Rows ready to (re)send now, oldest first. */
    outboxDue(now: number, limit: number): DueItem[] {
      const rows = db
        .prepare(
          `SELECT * FROM sync_outbox WHERE state IN ('queued', 'sending') AND next_attempt_at <= ?
           ORDER BY rowid LIMIT ?`,
        )
        .all(now, limit) as OutboxRow[];
      return rows.map((r) => ({
        id: r.id,
        relayEnvelopeId: r.relay_envelope_id,
        recipientDevice: r.recipient_device,
        size: r.size,
        sha256: r.sha256,
        sentBytes: r.sent_bytes,
        attempts: r.attempts,
      }));
    },

    outboxRead(id: string, offset: number, length: number): { bytes: Uint8Array } {
      const r = outboxById.get(id) as OutboxRow | undefined;
      if (!r) throw new CoreError(ErrorCode.NotFound, 'no such outbox item');
      const start = Math.min(offset, r.size);
      const end = Math.min(r.size, start + length);
      const out = new Uint8Array(end - start);
      if (end > start) {
        const first = Math.floor(start / ENVELOPE_CHUNK);
        const last = Math.floor((end - 1) / ENVELOPE_CHUNK);
        for (const c of db
          .prepare(
            'SELECT seq, data FROM sync_envelope_chunks WHERE envelope_id = ? AND seq BETWEEN ? AND ? ORDER BY seq',
          )
          .iterate(r.envelope_id, first, last) as Iterable<{ seq: number; data: Buffer }>) {
          const cs = c.seq * ENVELOPE_CHUNK;
          const from = Math.max(start, cs);
          const to = Math.min(end, cs + c.data.length);
          out.set(c.data.subarray(from - cs, to - cs), from - start);
        }
      }
      return { bytes: out };
    },

    outboxUpdate(input: {
      id: string;
      state?: 'sending' | 'sent' | 'failed' | 'queued';
      sentBytes?: number;
      attempt?: boolean;
      error?: { code: string; message: string } | null;
      nextAttemptAt?: number;
      now: number;
    }): OutboxItem {
      return db.transaction(() => {
        const r = outboxById.get(input.id) as OutboxRow | undefined;
        if (!r) throw new CoreError(ErrorCode.NotFound, 'no such outbox item');
        // A cancelled or sent row stays so: a late progress report never resurrects it.
        if (r.state === 'cancelled' || r.state === 'sent') return toOutboxItem(r);
        db.prepare(
          `UPDATE sync_outbox SET state = coalesce(?, state), sent_bytes = coalesce(?, sent_bytes),
             attempts = attempts + ?, last_error_code = ?, last_error_message = ?,
             next_attempt_at = coalesce(?, next_attempt_at), sent_at = ? WHERE id = ?`,
        ).run(
          input.state ?? null,
          input.sentBytes ?? null,
          input.attempt ? 1 : 0,
          input.error === null ? null : (input.error?.code ?? r.last_error_code),
          input.error === null ? null : (input.error?.message ?? r.last_error_message),
          input.nextAttemptAt ?? null,
          input.state === 'sent' ? input.now : null,
          input.id,
        );
        if (input.state === 'sent') {
          audit.run(input.now, 'sent', null, null, r.envelope_id, null);
          releaseEnvelope(r.envelope_id);
        }
        return toOutboxItem(outboxById.get(input.id) as OutboxRow);
      })();
    },

    outboxRetry(id: string, now: number): OutboxItem {
      const r = outboxById.get(id) as OutboxRow | undefined;
      if (!r) throw new CoreError(ErrorCode.NotFound, 'no such outbox item');
      if (r.state !== 'failed') return toOutboxItem(r);
      db.prepare(
        "UPDATE sync_outbox SET state = 'queued', next_attempt_at = ?, attempts = 0 WHERE id = ?",
      ).run(now, id);
      return toOutboxItem(outboxById.get(id) as OutboxRow);
    },

    outboxCancel(id: string, now: number): OutboxItem {
      return db.transaction(() => {
        const r = outboxById.get(id) as OutboxRow | undefined;
        if (!r) throw new CoreError(ErrorCode.NotFound, 'no such outbox item');
        if (r.state === 'sent' || r.state === 'cancelled') return toOutboxItem(r);
        db.prepare("UPDATE sync_outbox SET state = 'cancelled' WHERE id = ?").run(id);
        audit.run(now, 'cancelled', null, null, r.envelope_id, null);
        releaseEnvelope(r.envelope_id);
        return toOutboxItem(outboxById.get(id) as OutboxRow);
      })();
    },

    /** Starts (or resumes) a download: answers how many bytes are already stored. */
    downloadBegin(item: { id: string; sender: string; envelopeId: string; size: number; sha256: string }) {
      db.prepare(
        `INSERT INTO sync_downloads (item_id, sender, envelope_id, size, sha256) VALUES (?, ?, ?, ?, ?)
         ON CONFLICT (item_id) DO NOTHING`,
      ).run(item.id, item.sender, item.envelopeId, item.size, item.sha256);
      const d = db
        .prepare('SELECT size, sha256, received FROM sync_downloads WHERE item_id = ?')
        .get(item.id) as {
        size: number;
        sha256: string;
        received: number;
      };
      if (d.size !== item.size || d.sha256 !== item.sha256) {
        // The relay now describes the item differently: start over.
        db.prepare('DELETE FROM sync_download_chunks WHERE item_id = ?').run(item.id);
        db.prepare('UPDATE sync_downloads SET size = ?, sha256 = ?, received = 0 WHERE item_id = ?').run(
          item.size,
          item.sha256,
          item.id,
        );
        return { offset: 0 };
      }
      return { offset: d.received };
    },

    downloadAppend(itemId: string, offset: number, bytes: Uint8Array) {
      return db.transaction(() => {
        const d = db.prepare('SELECT size, received FROM sync_downloads WHERE item_id = ?').get(itemId) as
          { size: number; received: number } | undefined;
        if (!d) throw new CoreError(ErrorCode.NotFound, 'no such download');
        if (offset !== d.received || offset + bytes.length > d.size) {
          throw new CoreError(ErrorCode.InvalidInput, 'download offset mismatch');
        }
        db.prepare('INSERT INTO sync_download_chunks (item_id, offset, data) VALUES (?, ?, ?)').run(
          itemId,
          offset,
          bytes,
        );
        db.prepare('UPDATE sync_downloads SET received = ? WHERE item_id = ?').run(
          offset + bytes.length,
          itemId,
        );
        return { offset: offset + bytes.length };
      })();
    },

    /** Bytes of a download in progress (the client re-hashes them when it resumes). */
    downloadRead(itemId: string, offset: number, length: number): { bytes: Uint8Array } {
      const parts: Buffer[] = [];
      let have = 0;
      for (const c of db
        .prepare(
          'SELECT offset, data FROM sync_download_chunks WHERE item_id = ? AND offset + length(data) > ? AND offset < ? ORDER BY offset',
        )
        .iterate(itemId, offset, offset + length) as Iterable<{ offset: number; data: Buffer }>) {
        const from = Math.max(0, offset - c.offset);
        const to = Math.min(c.data.length, offset + length - c.offset);
        parts.push(c.data.subarray(from, to));
        have += to - from;
      }
      const out = new Uint8Array(have);
      let at = 0;
      for (const p of parts) {
        out.set(p, at);
        at += p.length;
      }
      return { bytes: out };
    },

    /**
     * Opens a fully downloaded envelope and stores what it carries, its seen-set entry and an
     * audit line in one transaction. Anything refused leaves nothing but the audit line.
     */
    receive(itemId: string, now: number, retryUnknownSender = false): ReceiveResult {
      const r = requireRow();
      const d = db.prepare('SELECT * FROM sync_downloads WHERE item_id = ?').get(itemId) as
        | {
            item_id: string;
            sender: string;
            envelope_id: string;
            size: number;
            sha256: string;
            received: number;
          }
        | undefined;
      if (!d) throw new CoreError(ErrorCode.NotFound, 'no such download');
      const reject = (
        code: string,
        senderDevice: string | null,
        envelopeId: string | null,
      ): ReceiveResult => {
        db.transaction(() => {
          db.prepare('DELETE FROM sync_downloads WHERE item_id = ?').run(itemId);
          audit.run(now, 'rejected', code, senderDevice, envelopeId, itemId);
        })();
        return { status: 'rejected', code };
      };
      if (d.received !== d.size) throw new CoreError(ErrorCode.InvalidInput, 'download incomplete');
      const bytes = assembleDownload(itemId, d.size);
      if (sha256Hex(bytes) !== d.sha256) return reject('E_DIGEST_MISMATCH', d.sender, null);
      // Redelivery of an item already stored (we crashed before the ack): ack it again.
      const already = db.prepare('SELECT 1 FROM sync_seen WHERE item_id = ?').get(itemId);
      if (already) {
        db.prepare('DELETE FROM sync_downloads WHERE item_id = ?').run(itemId);
        return { status: 'duplicate' };
      }
      const dir = storedDirectory();
      const devices = new Map<string, { signPublicKey: Uint8Array; revoked: boolean; address: string }>();
      for (const o of dir?.officers ?? []) {
        for (const dev of o.devices) {
          devices.set(dev.deviceId, {
            signPublicKey: b64(dev.signPublicKey),
            revoked: dev.status === 'revoked',
            address: o.address,
          });
        }
      }
      const prekeys = db.prepare(
        'SELECT prekey_id, public_key, secret_key, created_at FROM sync_prekeys WHERE prekey_id = ?',
      );
      let opened: ReturnType<typeof openEnvelope>;
      try {
        opened = openEnvelope(sodium, bytes, {
          recipientDeviceId: r.device_id,
          claimedSender: d.sender,
          senderKey: (id) => devices.get(id),
          prekeySecret: (id) => {
            const p = prekeys.get(id) as
              { prekey_id: string; public_key: Buffer; secret_key: Buffer; created_at: number } | undefined;
            return p
              ? {
                  prekeyId: p.prekey_id,
                  publicKey: u8(p.public_key),
                  secretKey: new Uint8Array(p.secret_key),
                  createdAt: p.created_at,
                }
              : undefined;
          },
        });
      } catch (e) {
        // An unknown sender may have enrolled after our copy of the directory: keep the
        // download, let the engine refresh the directory and ask again (once).
        if (e instanceof EnvelopeError && e.code === 'E_ENVELOPE_SENDER_UNKNOWN' && retryUnknownSender) {
          return { status: 'rejected', code: e.code };
        }
        if (e instanceof EnvelopeError) return reject(e.code, d.sender, null);
        throw e;
      }
      const { header } = opened;
      let payload: SyncPayload;
      try {
        payload = decodePayload(opened.payload);
      } catch (e) {
        return reject(
          e instanceof EnvelopeError ? e.code : 'E_ENVELOPE_MALFORMED',
          header.senderDeviceId,
          header.envelopeId,
        );
      } finally {
        opened.payload.fill(0);
      }
      if (payload.kind !== header.kind)
        return reject('E_ENVELOPE_MALFORMED', header.senderDeviceId, header.envelopeId);
      // Replay: this sender's sequence number, or this envelope id, was stored before (under
      // another relay item: a redelivery of the same item was handled above).
      const seen = db
        .prepare('SELECT 1 FROM sync_seen WHERE sender_device = ? AND (seq = ? OR envelope_id = ?)')
        .get(header.senderDeviceId, header.seq, header.envelopeId);
      if (seen) return reject('E_ENVELOPE_REPLAY', header.senderDeviceId, header.envelopeId);
      const senderAddress = devices.get(header.senderDeviceId)?.address ?? payload.senderAddress;
      const from = partyOf(payload.senderName, senderAddress);
      const me = r.address ?? '';
      const at = new Date(header.createdAt).toISOString();
      const stored = db.transaction(() => {
        let recordId: string;
        const pdf: PendingPdfText[] = [];
        if (payload.kind === 'message') {
          recordId = repo.addSyncedMessage({
            subject: payload.title || payload.text.slice(0, 80),
            from,
            to: me ? [me] : [],
            body: payload.text,
            state: 'received',
            read: false,
            at,
          }).id;
        } else {
          const classification = (CLASSIFICATIONS as readonly string[]).includes(payload.classification)
            ? (payload.classification as Classification)
            : 'unclassified';
          const doc = repo.addDocument({
            registryNumber: payload.registryNumber || undefined,
            date: at,
            direction: 'incoming',
            classification,
            status: 'sent',
            subject: payload.title,
            // The document's own parties when it names them; else who sent it, to whom.
            from: payload.parties?.from || from,
            to: payload.parties?.to.length ? payload.parties.to : me ? [me] : [],
            body: payload.text,
          });
          recordId = doc.id;
          // Unread until the officer opens it, across restarts.
          repo.markDocumentsRead({ ids: [doc.id], read: false });
          for (const a of payload.attachments) {
            const { pending } = repo.addAttachment({
              documentId: doc.id,
              source: { kind: 'bytes', bytes: a.bytes },
              name: a.name,
              mediaType: a.mediaType,
            });
            if (pending) pdf.push(pending);
            a.bytes.fill(0);
          }
        }
        db.prepare(
          `INSERT INTO sync_seen (sender_device, seq, envelope_id, item_id, kind, record_id, sender_address, received_at)
           VALUES (?, ?, ?, ?, ?, ?, ?, ?)`,
        ).run(
          header.senderDeviceId,
          header.seq,
          header.envelopeId,
          itemId,
          payload.kind,
          recordId,
          senderAddress,
          now,
        );
        db.prepare('DELETE FROM sync_downloads WHERE item_id = ?').run(itemId);
        audit.run(now, 'received', null, header.senderDeviceId, header.envelopeId, itemId);
        return { recordId, pdf };
      })();
      return { status: 'stored', kind: payload.kind, recordId: stored.recordId, pdfs: stored.pdf };
    },

    received(limit: number): ReceivedEntry[] {
      const rows = db
        .prepare('SELECT * FROM sync_seen ORDER BY received_at DESC, rowid DESC LIMIT ?')
        .all(limit) as {
        sender_device: string;
        envelope_id: string;
        kind: 'message' | 'document';
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
        if (s.kind === 'message') {
          const m = repo.getMessage(s.record_id);
          return { ...base, title: m.subject, text: m.body, attachments: [] };
        }
        const doc = repo.getDocument(s.record_id);
        return {
          ...base,
          title: doc.document.subject,
          text: doc.versions[doc.versions.length - 1]?.body ?? '',
          attachments: doc.attachments.map((a) => ({ name: a.name, size: a.size, sha256: a.sha256 })),
        };
      });
    },

    receivedCount(): number {
      return db.prepare('SELECT count(*) FROM sync_seen').pluck().get() as number;
    },

    audit(limit: number) {
      return db
        .prepare(
          'SELECT at, event, code, sender_device, envelope_id, item_id FROM sync_audit ORDER BY rowid DESC LIMIT ?',
        )
        .all(limit) as {
        at: number;
        event: string;
        code: string | null;
        sender_device: string | null;
        envelope_id: string | null;
        item_id: string | null;
      }[];
    },
  };
  return api;
}

export type SyncStore = ReturnType<typeof createSyncStore>;
