import type { Directory } from '../../../../shared/sync/relay-protocol';
import { safetyNumber } from '../safety-number';
import { findOfficer, officerOfDevice, safetySide } from './contact-devices';
import type { SyncStoreContext } from './store-context';

/**
 * A contact's safety number against this workstation's officer, and the officer's "verified"
 * mark (`sync_verified_contacts`). The mark holds for exactly the number the officer compared:
 * when either side's devices, keys or certificates change, the number changes and the mark
 * is gone (kept as `lost_at`, so the UI can say why).
 */

/** The pair's 60 digits, or null when either officer is not in the certified view. */
export function pairSafetyNumber(
  ctx: SyncStoreContext,
  dir: Directory,
  myDeviceId: string,
  address: string,
): string | null {
  const mine = officerOfDevice(dir, myDeviceId);
  const theirs = findOfficer(dir, address);
  if (!mine || !theirs) return null;
  return safetyNumber(ctx.sodium, safetySide(mine), safetySide(theirs), ctx.safetyDigits);
}

export interface VerifiedRow {
  address: string;
  safety_number: string;
  verified_at: number;
  lost_at: number | null;
}

export function verifiedRow(ctx: SyncStoreContext, address: string): VerifiedRow | undefined {
  return ctx.db
    .prepare(
      'SELECT address, safety_number, verified_at, lost_at FROM sync_verified_contacts WHERE address = ?',
    )
    .get(address.toLowerCase()) as VerifiedRow | undefined;
}

/** Contacts still marked verified (the mark not lost yet). */
export function verifiedContacts(ctx: SyncStoreContext): VerifiedRow[] {
  return ctx.db
    .prepare(
      'SELECT address, safety_number, verified_at, lost_at FROM sync_verified_contacts WHERE lost_at IS NULL',
    )
    .all() as VerifiedRow[];
}

export type Verification =
  | { state: 'unverified' }
  | { state: 'verified'; verifiedAt: number }
  | { state: 'changed'; verifiedAt: number; lostAt: number };

/** The mark as the officer sees it: a number that no longer matches is never "verified". */
export function verificationOf(row: VerifiedRow | undefined, current: string, now: number): Verification {
  if (!row) return { state: 'unverified' };
  if (row.lost_at === null && row.safety_number === current)
    return { state: 'verified', verifiedAt: row.verified_at };
  return { state: 'changed', verifiedAt: row.verified_at, lostAt: row.lost_at ?? now };
}

export function markVerified(ctx: SyncStoreContext, address: string, number: string, now: number): void {
  ctx.db
    .prepare(
      `INSERT INTO sync_verified_contacts (address, safety_number, verified_at, lost_at) VALUES (?, ?, ?, NULL)
       ON CONFLICT (address) DO UPDATE SET safety_number = excluded.safety_number,
         verified_at = excluded.verified_at, lost_at = NULL`,
    )
    .run(address.toLowerCase(), number, now);
}

export function markLost(ctx: SyncStoreContext, address: string, now: number): void {
  ctx.db.prepare('UPDATE sync_verified_contacts SET lost_at = ? WHERE address = ?').run(now, address);
}

export function clearMark(ctx: SyncStoreContext, address: string): void {
  ctx.db.prepare('DELETE FROM sync_verified_contacts WHERE address = ?').run(address.toLowerCase());
}
