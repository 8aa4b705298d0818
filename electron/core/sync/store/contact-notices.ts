import type { Directory, DirectoryDevice } from '../../../../shared/sync/relay-protocol';
import { findOfficer, officerOfDevice, vouchingCertificate } from './contact-devices';
import { markLost, pairSafetyNumber, verifiedContacts } from './contact-safety';
import { warn } from './refusal-log';
import type { SyncStoreContext } from './store-context';

/**
 * Notices about known officers' devices when a new certified view replaces the one held
 * (directory-v2.md, "Notices"): a device added, a device no longer listed, a device whose token
 * certificate changed; then every verified contact whose safety number moved loses its mark.
 * Each notice names the certificate that vouches for the device. A revoked device and changed
 * keys are noted by directory.ts (against `sync_known_devices`), with the same certificate.
 *
 * Only officers the previous view already listed count (a colleague HQ lists for the first
 * time is not news about a contact); this workstation's own officer counts too, so a device
 * enrolled with the officer's token elsewhere is noticed. The first directory notes nothing.
 */

const byId = (devices: readonly DirectoryDevice[]) => new Map(devices.map((d) => [d.deviceId, d]));

/** Answers how many notices it wrote. */
export function noteContactChanges(
  ctx: SyncStoreContext,
  before: Directory | null,
  after: Directory,
  myDeviceId: string,
  now: number,
): number {
  if (!before) return 0;
  let n = 0;
  /** The first device whose change was noted, per address: what a lost mark points at. */
  const changed = new Map<string, DirectoryDevice>();
  const note = (kind: Parameters<typeof warn>[1], address: string, d: DirectoryDevice) => {
    warn(ctx, kind, address, d.deviceId, now, vouchingCertificate(d));
    if (!changed.has(address)) changed.set(address, d);
    n++;
  };
  for (const old of before.officers) {
    const officer = findOfficer(after, old.address);
    const was = byId(old.devices);
    const is = byId(officer?.devices ?? []);
    for (const [id, d] of is) {
      const prior = was.get(id);
      if (!prior) {
        if (id !== myDeviceId) note('device-added', old.address, d);
      } else if (prior.certificateFingerprint !== d.certificateFingerprint) {
        note('certificate-changed', old.address, d);
      }
    }
    for (const [id, d] of was) {
      if (!is.has(id) && id !== myDeviceId && d.status === 'approved') note('device-removed', old.address, d);
    }
  }
  return n + dropStaleVerifications(ctx, after, myDeviceId, changed, now);
}

/** Every verified contact whose safety number is no longer the one compared loses the mark. */
function dropStaleVerifications(
  ctx: SyncStoreContext,
  dir: Directory,
  myDeviceId: string,
  changed: ReadonlyMap<string, DirectoryDevice>,
  now: number,
): number {
  let n = 0;
  const mine = officerOfDevice(dir, myDeviceId);
  for (const row of verifiedContacts(ctx)) {
    if (pairSafetyNumber(ctx, dir, myDeviceId, row.address) === row.safety_number) continue;
    markLost(ctx, row.address, now);
    // Point at what moved: the contact's device, else mine, else any device of theirs.
    const device =
      changed.get(row.address) ??
      (mine ? changed.get(mine.address) : undefined) ??
      findOfficer(dir, row.address)?.devices[0] ??
      mine?.devices.find((d) => d.deviceId === myDeviceId);
    if (device)
      warn(ctx, 'verification-lost', row.address, device.deviceId, now, vouchingCertificate(device));
    else warn(ctx, 'verification-lost', row.address, myDeviceId, now);
    n++;
  }
  return n;
}
