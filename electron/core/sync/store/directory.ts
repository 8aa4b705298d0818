import { z } from 'zod';
import { CoreError, ErrorCode } from '../../../../shared/contract/errors';
import { SyncDirectory } from '../../../../shared/contract/sync-calls';
import { Directory, directoryMessage } from '../../../../shared/sync/relay-protocol';
import type { DevicePrekey } from '../device-keys';
import type { EnvelopeRecipient } from '../envelope';
import { isPrekeyFresh, verifyPrekey } from '../prekeys';
import { identityRow, requireIdentity } from './device-identity';
import { logEvent, warn } from './refusal-log';
import { fromBase64, u8, type SyncStoreContext } from './store-context';
import { Bytes, Ms, syncOp } from './worker-op';

/**
 * HQ's device directory as last verified (`sync_directory`), the devices known from it
 * (`sync_known_devices`, to notice a revocation or changed keys), and what the other parts ask
 * of it: who can receive for an address, and which key a sender signs with. Its in-memory
 * state is the parsed directory (ctx.directory), parsed once per serial, not once per item.
 */

/** The stored directory, parsed (it was verified when stored), or null before the first. */
export function storedDirectory(ctx: SyncStoreContext): Directory | null {
  const { db, directory: state } = ctx;
  const serial = db.prepare('SELECT serial FROM sync_directory WHERE id = 1').pluck().get() as
    number | undefined;
  if (serial === undefined) return null;
  if (state.parsed?.serial !== serial) {
    const bytes = db.prepare('SELECT bytes FROM sync_directory WHERE id = 1').pluck().get() as Buffer;
    state.parsed = { serial, dir: Directory.parse(JSON.parse(Buffer.from(bytes).toString('utf8'))) };
  }
  return state.parsed.dir;
}

/**
 * The devices an envelope for `address` is sealed to: every approved device of that officer
 * (but mine) whose current prekey is fresh and signed by the device's key. Throws
 * E_SYNC_RECIPIENT_UNAVAILABLE when there is none.
 */
export function recipientsFor(
  ctx: SyncStoreContext,
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
    const signed: DevicePrekey = {
      deviceId: d.deviceId,
      prekeyId: d.prekey.prekeyId,
      publicKey: fromBase64(d.prekey.publicKey),
      createdAt: d.prekey.createdAt,
      signature: fromBase64(d.prekey.signature),
    };
    const signPublicKey = fromBase64(d.signPublicKey);
    // A relay could withhold a device's newer prekeys to keep us encrypting to an old one
    // whose secret it hopes to steal later: the same freshness rule sealing applies.
    if (!isPrekeyFresh(signed, now) || !verifyPrekey(ctx.sodium, signed, signPublicKey)) continue;
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

/** A sender device as the directory lists it. */
export interface KnownSender {
  signPublicKey: Uint8Array;
  revoked: boolean;
  address: string;
}

/** Every device of the stored directory, by id (empty before the first directory). */
export function directorySenders(ctx: SyncStoreContext): Map<string, KnownSender> {
  const devices = new Map<string, KnownSender>();
  for (const o of storedDirectory(ctx)?.officers ?? []) {
    for (const dev of o.devices) {
      devices.set(dev.deviceId, {
        signPublicKey: fromBase64(dev.signPublicKey),
        revoked: dev.status === 'revoked',
        address: o.address,
      });
    }
  }
  return devices;
}

/** Records changes against the devices known before (revoked, keys changed) as warnings; answers how many. */
function noteDeviceChanges(ctx: SyncStoreContext, dir: Directory, myDeviceId: string, now: number): number {
  const { db } = ctx;
  const known = db.prepare('SELECT box_public, status FROM sync_known_devices WHERE device_id = ?');
  const upsert = db.prepare(
    `INSERT INTO sync_known_devices (device_id, address, box_public, status) VALUES (?, ?, ?, ?)
     ON CONFLICT (device_id) DO UPDATE SET address = excluded.address, box_public = excluded.box_public,
       status = excluded.status`,
  );
  let warnings = 0;
  for (const o of dir.officers) {
    for (const d of o.devices) {
      const box = fromBase64(d.boxPublicKey);
      const before = known.get(d.deviceId) as { box_public: Buffer; status: string } | undefined;
      if (before && before.status !== 'revoked' && d.status === 'revoked') {
        warn(ctx, 'device-revoked', o.address, d.deviceId, now);
        warnings++;
      } else if (before && Buffer.compare(before.box_public, Buffer.from(box)) !== 0) {
        warn(ctx, 'keys-changed', o.address, d.deviceId, now);
        warnings++;
      }
      upsert.run(d.deviceId, o.address, box, d.status);
      if (d.deviceId === myDeviceId) {
        db.prepare(
          'UPDATE sync_identity SET status = ?, address = ?, name = ?, department = ? WHERE id = 1',
        ).run(d.status, o.address, o.name, o.department);
      }
    }
  }
  return warnings;
}

export const DIRECTORY_OPS = {
  /**
   * Verifies HQ's signature with the key pinned at enrolment and keeps the directory if it is
   * not older than the one held (a relay cannot roll it back to resurrect a revoked device).
   * Notes revoked devices and changed keys as warnings.
   */
  'sync.directory.store': syncOp({
    input: z.object({ bytes: Bytes, signature: Bytes, now: Ms }).strict(),
    output: z.object({ serial: z.number().int(), warnings: z.number().int() }).strict(),
    handler: (ctx, input) => {
      const { db } = ctx;
      const r = requireIdentity(ctx);
      const ok =
        input.signature.length === 64 &&
        ctx.sodium.crypto_sign_verify_detached(
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
          logEvent(ctx, { at: input.now, event: 'directory-rollback', code: ErrorCode.SyncDirectoryInvalid });
          throw new CoreError(ErrorCode.SyncDirectoryInvalid, "HQ's directory is older than the one held");
        }
        db.prepare(
          `INSERT INTO sync_directory (id, serial, issued_at, bytes, signature, fetched_at) VALUES (1, ?, ?, ?, ?, ?)
           ON CONFLICT (id) DO UPDATE SET serial = excluded.serial, issued_at = excluded.issued_at,
             bytes = excluded.bytes, signature = excluded.signature, fetched_at = excluded.fetched_at`,
        ).run(dir.serial, dir.issuedAt, input.bytes, input.signature, input.now);
        ctx.directory.parsed = { serial: dir.serial, dir };
        return { serial: dir.serial, warnings: noteDeviceChanges(ctx, dir, r.device_id, input.now) };
      })();
    },
  }),

  /** The directory as the UI shows it: who is reachable now. */
  'sync.directory.get': syncOp({
    input: z.object({ now: Ms }).strict(),
    output: SyncDirectory,
    handler: (ctx, { now }) => {
      const dir = storedDirectory(ctx);
      if (!dir) return { serial: 0, issuedAt: 0, officers: [] };
      const me = identityRow(ctx)?.device_id;
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
  }),
} as const;
