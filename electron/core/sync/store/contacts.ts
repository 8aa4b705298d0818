import { z } from 'zod';
import { ContactDetails, SafetyDigits } from '../../../../shared/contract/contact-calls';
import { CoreError, ErrorCode } from '../../../../shared/contract/errors';
import type { Directory } from '../../../../shared/sync/relay-protocol';
import { SAFETY_QR_PREFIX } from '../safety-number';
import { findOfficer, officerOfDevice, vouchingCertificate } from './contact-devices';
import { clearMark, markVerified, pairSafetyNumber, verificationOf, verifiedRow } from './contact-safety';
import { requireIdentity } from './device-identity';
import { storedDirectory } from './directory';
import type { SyncStoreContext } from './store-context';
import { Ms, syncOp } from './worker-op';

/**
 * The contact operations of the vault worker: a colleague as the certified view proves them,
 * with the pair's safety number, and the officer's "verified" mark. Everything is computed
 * here from the stored directory: the caller never supplies keys or a number that is believed.
 */

const Address = z.string().min(1).max(254);

interface Pair {
  dir: Directory;
  myDeviceId: string;
  me: string;
  address: string;
  number: string;
}

function pairOf(ctx: SyncStoreContext, address: string): Pair {
  const id = requireIdentity(ctx);
  const dir = storedDirectory(ctx);
  const mine = dir && officerOfDevice(dir, id.device_id);
  if (!dir || !mine) {
    throw new CoreError(ErrorCode.SyncNotEnrolled, "this workstation is not in HQ's certified directory yet");
  }
  const theirs = findOfficer(dir, address);
  if (!theirs) throw new CoreError(ErrorCode.SyncRecipientUnavailable, `no certified officer ${address}`);
  if (theirs.address === mine.address) {
    throw new CoreError(ErrorCode.InvalidInput, 'a safety number is between two officers');
  }
  const number = pairSafetyNumber(ctx, dir, id.device_id, theirs.address) as string;
  return { dir, myDeviceId: id.device_id, me: mine.address, address: theirs.address, number };
}

function details(ctx: SyncStoreContext, p: Pair, now: number): z.output<typeof ContactDetails> {
  const officer = findOfficer(p.dir, p.address);
  if (!officer) throw new CoreError(ErrorCode.SyncRecipientUnavailable, `no certified officer ${p.address}`);
  return {
    address: officer.address,
    name: officer.name,
    department: officer.department,
    devices: officer.devices.map((d) => ({
      deviceId: d.deviceId,
      status: d.status,
      certificate: vouchingCertificate(d),
    })),
    me: p.me,
    safetyNumber: p.number,
    safetyQr: `${SAFETY_QR_PREFIX}${p.number}`,
    verification: verificationOf(verifiedRow(ctx, officer.address), p.number, now),
  };
}

export const CONTACT_OPS = {
  'sync.contact.show': syncOp({
    input: z.object({ address: Address, now: Ms }).strict(),
    output: ContactDetails,
    handler: (ctx, { address, now }) => details(ctx, pairOf(ctx, address), now),
  }),
  /** Marks verified only if `safetyNumber` is the pair's number now (what the officer compared). */
  'sync.contact.verify': syncOp({
    input: z.object({ address: Address, safetyNumber: SafetyDigits, now: Ms }).strict(),
    output: ContactDetails,
    handler: (ctx, { address, safetyNumber, now }) =>
      ctx.db.transaction(() => {
        const p = pairOf(ctx, address);
        if (p.number !== safetyNumber) {
          throw new CoreError(
            ErrorCode.SyncSafetyNumberChanged,
            `the safety number with ${p.address} changed: compare again`,
          );
        }
        markVerified(ctx, p.address, p.number, now);
        return details(ctx, p, now);
      })(),
  }),
  'sync.contact.unverify': syncOp({
    input: z.object({ address: Address, now: Ms }).strict(),
    output: ContactDetails,
    handler: (ctx, { address, now }) => {
      const p = pairOf(ctx, address);
      clearMark(ctx, p.address);
      return details(ctx, p, now);
    },
  }),
} as const;
