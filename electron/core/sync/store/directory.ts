import { z } from 'zod';
import { CoreError, ErrorCode } from '../../../../shared/contract/errors';
import { SyncDirectory } from '../../../../shared/contract/sync-calls';
import {
  Directory,
  DirectoryChainStep,
  DIRECTORY_VERSION,
  directoryMessage,
  MAX_DIRECTORY_CHAIN_STEPS,
} from '../../../../shared/sync/relay-protocol';
import type { DevicePrekey } from '../device-keys';
import type { EnvelopeRecipient } from '../envelope';
import { isPrekeyFresh, verifyPrekey } from '../prekeys';
import { identityRow, requireIdentity } from './device-identity';
import { checkExtends, heldSerial, recordChain } from './directory-chain';
import { vouchingCertificate } from './contact-devices';
import { noteContactChanges } from './contact-notices';
import { certifyDirectory, identityTrust, type CertifiedView, type RefusedDevice } from './identity-trust';
import { logEvent, warn } from './refusal-log';
import { fromBase64, u8, type SyncStoreContext } from './store-context';
import { Bytes, Ms, NoInput, syncOp } from './worker-op';

/**
 * HQ's device directory as last verified (`sync_directory`), the devices known from it
 * (`sync_known_devices`, to notice a revocation or changed keys), and what the other parts ask
 * of it: who can receive for an address, and which key a sender signs with. Its in-memory
 * state is the parsed directory (ctx.directory), parsed once per serial, not once per item.
 */

const EMPTY_VIEW = (serial: number): CertifiedView => ({
  directory: { version: DIRECTORY_VERSION, serial, issuedAt: 0, previous: null, officers: [] },
  refused: [],
});

/**
 * The stored directory's certified view (identity-trust.ts): only devices whose token
 * certification verified, under the address their certificate names; null before the first.
 */
export function storedView(ctx: SyncStoreContext): CertifiedView | null {
  const { db, directory: state } = ctx;
  const row = db.prepare('SELECT serial, certified FROM sync_directory WHERE id = 1').get() as
    { serial: number; certified: Buffer | null } | undefined;
  if (row === undefined) return null;
  if (state.parsed?.serial !== row.serial) {
    // Written by this module after verification; a vault from before certification has none
    // until the next directory arrives, and trusts no device meanwhile.
    const view = row.certified
      ? (JSON.parse(Buffer.from(row.certified).toString('utf8')) as CertifiedView)
      : EMPTY_VIEW(row.serial);
    state.parsed = { serial: row.serial, dir: Directory.parse(view.directory), refused: view.refused };
  }
  return { directory: state.parsed.dir, refused: state.parsed.refused };
}

/** The certified directory (see {@link storedView}), or null before the first. */
export function storedDirectory(ctx: SyncStoreContext): Directory | null {
  return storedView(ctx)?.directory ?? null;
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
  const refused = storedView(ctx)?.refused.filter((r) => r.address.toLowerCase() === address.toLowerCase());
  if (!officer) {
    if (refused?.length) {
      throw new CoreError(
        ErrorCode.SyncDeviceUncertified,
        `HQ lists ${address} only with devices its token does not vouch for`,
      );
    }
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

/** A sender device as its certification proves it (the certified view). */
export interface KnownSender {
  signPublicKey: Uint8Array;
  revoked: boolean;
  address: string;
  /** The officer's name as their token certificate gives it. */
  name: string;
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
        name: o.name,
      });
    }
  }
  return devices;
}

/** Records changes against the devices known before (revoked, keys changed) as warnings; answers how many. */
function noteDeviceChanges(
  ctx: SyncStoreContext,
  dir: Directory,
  myDeviceId: string,
  myBox: Uint8Array,
  now: number,
): number {
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
        warn(ctx, 'device-revoked', o.address, d.deviceId, now, vouchingCertificate(d));
        warnings++;
      } else if (before && Buffer.compare(before.box_public, Buffer.from(box)) !== 0) {
        warn(ctx, 'keys-changed', o.address, d.deviceId, now, vouchingCertificate(d));
        warnings++;
      }
      upsert.run(d.deviceId, o.address, box, d.status);
      if (d.deviceId === myDeviceId && Buffer.compare(Buffer.from(box), Buffer.from(myBox)) === 0) {
        db.prepare(
          'UPDATE sync_identity SET status = ?, address = ?, name = ?, department = ? WHERE id = 1',
        ).run(d.status, o.address, o.name, o.department);
      }
    }
  }
  return warnings;
}

/**
 * HQ's word on my own device's status (approved or revoked), whether or not my certification
 * verifies against the anchors this workstation holds: HQ decides whether I may use the relay.
 * My address and name come only from the certified view (noteDeviceChanges).
 */
function noteMyStatus(ctx: SyncStoreContext, dir: Directory, myDeviceId: string, myBox: Uint8Array): void {
  for (const o of dir.officers) {
    const mine = o.devices.find((d) => d.deviceId === myDeviceId);
    if (mine && Buffer.compare(Buffer.from(fromBase64(mine.boxPublicKey)), Buffer.from(myBox)) === 0) {
      ctx.db.prepare('UPDATE sync_identity SET status = ? WHERE id = 1').run(mine.status);
    }
  }
}

/**
 * A notice and an audit line for each device refused now that the view held before did not
 * refuse for the same reason: the relay listed a device its officer's token does not vouch for.
 */
function noteRefusals(
  ctx: SyncStoreContext,
  before: readonly RefusedDevice[],
  refused: readonly RefusedDevice[],
  now: number,
): number {
  const held = new Set(before.map((r) => `${r.deviceId} ${r.address} ${r.reason}`));
  let n = 0;
  for (const r of refused) {
    if (held.has(`${r.deviceId} ${r.address} ${r.reason}`)) continue;
    warn(ctx, 'device-refused', r.address, r.deviceId, now);
    logEvent(ctx, {
      at: now,
      event: 'device-refused',
      code: ErrorCode.SyncDeviceUncertified,
      senderDevice: r.deviceId,
    });
    n++;
  }
  return n;
}

export const DIRECTORY_OPS = {
  /**
   * Verifies HQ's signature with the key pinned at enrolment and keeps the directory if it
   * extends the one held (directory-chain.ts: a relay can neither roll it back to resurrect a
   * revoked device nor show this workstation another history than its colleagues').
   * Notes revoked devices and changed keys as warnings.
   */
  'sync.directory.store': syncOp({
    input: z
      .object({
        bytes: Bytes,
        signature: Bytes,
        now: Ms,
        /** Anchors the core holds (shipped, configured), besides those pinned in the vault. */
        anchors: z.array(Bytes).max(64).optional(),
        /** CRLs the workstation holds (DER). */
        crls: z.array(Bytes).max(256).optional(),
        /** The versions the relay lists as published since the held one (`?since=`). */
        steps: z.array(DirectoryChainStep).max(MAX_DIRECTORY_CHAIN_STEPS).optional(),
      })
      .strict(),
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
      // Refused (and noted) before anything is written: the held directory stays.
      const chain = checkExtends(ctx, dir, input.bytes, input.steps ?? [], input.now);
      return db.transaction(() => {
        const held = heldSerial(ctx);
        const before = held === null ? [] : (storedView(ctx)?.refused ?? []);
        const beforeDir = held === null ? null : storedDirectory(ctx);
        db.prepare(
          `INSERT INTO sync_directory (id, serial, issued_at, bytes, signature, fetched_at) VALUES (1, ?, ?, ?, ?, ?)
           ON CONFLICT (id) DO UPDATE SET serial = excluded.serial, issued_at = excluded.issued_at,
             bytes = excluded.bytes, signature = excluded.signature, fetched_at = excluded.fetched_at`,
        ).run(dir.serial, dir.issuedAt, input.bytes, input.signature, input.now);
        const view = certifyDirectory(
          ctx,
          dir,
          identityTrust(ctx, input.anchors ?? [], input.crls ?? []),
          input.now,
        );
        db.prepare('UPDATE sync_directory SET certified = ? WHERE id = 1').run(
          Buffer.from(JSON.stringify(view), 'utf8'),
        );
        ctx.directory.parsed = { serial: dir.serial, dir: view.directory, refused: view.refused };
        const warnings =
          recordChain(ctx, chain, input.now) +
          noteDeviceChanges(ctx, view.directory, r.device_id, u8(r.box_public), input.now) +
          noteRefusals(ctx, before, view.refused, input.now) +
          noteContactChanges(ctx, beforeDir, view.directory, r.device_id, input.now);
        noteMyStatus(ctx, dir, r.device_id, u8(r.box_public));
        return { serial: dir.serial, warnings };
      })();
    },
  }),

  /** The held directory's serial, the relay's `since` (null before the first). */
  'sync.directory.serial': syncOp({
    input: NoInput,
    output: z.object({ serial: z.number().int().nonnegative().nullable() }).strict(),
    handler: (ctx) => ({ serial: heldSerial(ctx) }),
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
