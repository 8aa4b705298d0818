import { z } from 'zod';
import { CoreError, ErrorCode } from '../../../../shared/contract/errors';
import { AUTH_SESSION_CONTEXT, ENROL_CONTEXT, WIPED_CONTEXT } from '../../../../shared/sync/signing-contexts';
import { asDeviceBoxSecretKey, asDeviceSignSecretKey, type DeviceKeys } from '../device-keys';
import { generateDeviceKeys } from '../prekeys';
import { pinAnchors } from './identity-trust';
import { secretCopy, u8, type SyncStoreContext } from './store-context';
import { Bytes, Hex, Ms, NoInput, syncOp } from './worker-op';

/**
 * The device's identity: its keys (made here, in the worker, with libsodium; the secrets never
 * leave the vault), HQ's address and keys as pinned at enrolment, the enrolment status, the
 * officer's address, the next sequence number and the inbox cursor (one row, `sync_identity`).
 */

const Status = z.enum(['new', 'pending', 'approved', 'revoked']);

/** The identity as the worker answers it: public keys and state, never a secret. */
export const PublicIdentity = z
  .object({
    deviceId: Hex(16),
    signPublicKey: Bytes,
    boxPublicKey: Bytes,
    hqUrl: z.string().max(512),
    hqFingerprint: Hex(32),
    hqSignPublicKey: Bytes,
    status: Status,
    address: z.string().max(254).optional(),
    name: z.string().max(128).optional(),
    department: z.string().max(128).optional(),
    inboxCursor: Ms,
  })
  .strict();
export type PublicIdentity = z.output<typeof PublicIdentity>;

export interface IdentityRow {
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

export function identityRow(ctx: SyncStoreContext): IdentityRow | undefined {
  return ctx.db.prepare('SELECT * FROM sync_identity WHERE id = 1').get() as IdentityRow | undefined;
}

export function requireIdentity(ctx: SyncStoreContext): IdentityRow {
  const r = identityRow(ctx);
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

/** The device's keys, secrets copied out of the row: the caller zeroes them (`forgetKeys`). */
export function deviceKeys(r: IdentityRow): DeviceKeys {
  return {
    deviceId: r.device_id,
    signPublicKey: u8(r.sign_public),
    signSecretKey: asDeviceSignSecretKey(secretCopy(r.sign_secret)),
    boxPublicKey: u8(r.box_public),
    boxSecretKey: asDeviceBoxSecretKey(secretCopy(r.box_secret)),
  };
}

export function forgetKeys(ctx: SyncStoreContext, keys: DeviceKeys): void {
  ctx.sodium.memzero(keys.signSecretKey);
  ctx.sodium.memzero(keys.boxSecretKey);
}

/** Domain-separation labels the device key signs on request (enrolment proof, session answer). */
const SIGNABLE_PREFIXES = [ENROL_CONTEXT, AUTH_SESSION_CONTEXT, WIPED_CONTEXT].map(
  (context) => `${context}\0`,
);

function startsWithAscii(bytes: Uint8Array, prefix: string): boolean {
  if (bytes.length < prefix.length) return false;
  for (let i = 0; i < prefix.length; i++) if (bytes[i] !== prefix.charCodeAt(i)) return false;
  return true;
}

export const IDENTITY_OPS = {
  'sync.identity': syncOp({
    input: NoInput,
    output: z.object({ identity: PublicIdentity.nullable() }).strict(),
    handler: (ctx) => {
      const r = identityRow(ctx);
      return { identity: r ? toPublic(r) : null };
    },
  }),

  /**
   * Makes (or, for the same HQ before approval, reuses) the device keys. Enrolment retried
   * after a cut must present the same keys, or HQ would see a second device.
   */
  'sync.identity.create': syncOp({
    input: z
      .object({
        hqUrl: z.string().max(512),
        hqFingerprint: Hex(32),
        hqSignPublicKey: Bytes,
        now: Ms,
        /** Trust anchors (DER) for officers' identities, pinned in the vault at enrolment. */
        anchors: z.array(Bytes).max(64).optional(),
      })
      .strict(),
    output: PublicIdentity,
    handler: (ctx, input) => {
      const { db } = ctx;
      pinAnchors(ctx, input.anchors ?? []);
      const existing = identityRow(ctx);
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
      const keys = generateDeviceKeys(ctx.sodium);
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
        forgetKeys(ctx, keys);
      }
      return toPublic(requireIdentity(ctx));
    },
  }),

  'sync.identity.update': syncOp({
    input: z
      .object({
        status: Status.optional(),
        address: z.string().max(254).optional(),
        name: z.string().max(128).optional(),
        department: z.string().max(128).optional(),
        inboxCursor: Ms.optional(),
      })
      .strict(),
    output: PublicIdentity,
    handler: (ctx, input) => {
      requireIdentity(ctx);
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
      if (sets.length)
        ctx.db.prepare(`UPDATE sync_identity SET ${sets.join(', ')} WHERE id = 1`).run(...params);
      return toPublic(requireIdentity(ctx));
    },
  }),

  /** Signs an enrolment proof, a session answer or a wipe notice; nothing else (domain separation). */
  'sync.sign': syncOp({
    input: z.object({ message: Bytes }).strict(),
    output: z.object({ signature: Bytes }).strict(),
    handler: (ctx, { message }) => {
      if (!SIGNABLE_PREFIXES.some((p) => startsWithAscii(message, p))) {
        throw new CoreError(
          ErrorCode.InvalidInput,
          'the device key signs only enrolment, session and wipe-notice messages',
        );
      }
      const keys = deviceKeys(requireIdentity(ctx));
      try {
        return { signature: ctx.sodium.crypto_sign_detached(message, keys.signSecretKey) };
      } finally {
        forgetKeys(ctx, keys);
      }
    },
  }),
} as const;
