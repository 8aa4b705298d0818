import { X509Certificate } from 'node:crypto';
import { CoreError, ErrorCode } from '../../../../shared/contract/errors';
import { deviceIdOf } from '../../../../shared/sync/device-id';
import type { Directory, DirectoryOfficer } from '../../../../shared/sync/relay-protocol';
import {
  CertificationError,
  fingerprintOf,
  verifyDeviceCertification,
  type IdentityTrust,
} from '../device-certification';
import { fromBase64, type SyncStoreContext } from './store-context';

/**
 * The workstation's side of "identity rooted in officers' tokens" in the vault: the anchors
 * pinned at enrolment, and the certified view of a directory HQ signed. The view keeps only
 * devices whose token certification verifies for exactly the listed keys and whose certificate
 * names the address the relay lists them under; each officer's address, name and department
 * come from that certification. Every other part of the store reads the view, never the
 * relay's entries, so a device the relay added or changed is neither sealed to nor believed.
 */

/** Pins trust anchors (DER certificates) in the vault; refuses what is not a CA certificate. */
export function pinAnchors(ctx: SyncStoreContext, ders: readonly Uint8Array[]): void {
  const insert = ctx.db.prepare('INSERT OR IGNORE INTO sync_trust_anchors (fingerprint, der) VALUES (?, ?)');
  for (const der of ders) {
    let cert: X509Certificate;
    try {
      cert = new X509Certificate(Buffer.from(der));
    } catch {
      throw new CoreError(ErrorCode.InvalidInput, 'a trust anchor is not a certificate');
    }
    if (!cert.ca) throw new CoreError(ErrorCode.InvalidInput, 'a trust anchor must be a CA certificate');
    insert.run(fingerprintOf(cert), cert.raw);
  }
}

/** The anchors pinned in the vault plus those the core holds (shipped, configured), and the CRLs. */
export function identityTrust(
  ctx: SyncStoreContext,
  anchors: readonly Uint8Array[],
  crls: readonly Uint8Array[],
): IdentityTrust {
  const pinned = ctx.db
    .prepare('SELECT der FROM sync_trust_anchors ORDER BY fingerprint')
    .pluck()
    .all() as Buffer[];
  const certs: X509Certificate[] = [];
  for (const der of [...pinned, ...anchors]) {
    try {
      certs.push(new X509Certificate(Buffer.from(der)));
    } catch {
      // An unreadable anchor anchors nothing.
    }
  }
  return { anchors: certs, crls: crls.map((c) => new Uint8Array(c)) };
}

/** Why the view left a listed device out. */
export type RefusalReason =
  CertificationError['reason'] | 'address-mismatch' | 'fingerprint-mismatch' | 'id-mismatch';

/** A listed device the view left out, under the address the relay claimed. */
export interface RefusedDevice {
  readonly address: string;
  readonly deviceId: string;
  readonly reason: RefusalReason;
}

export interface CertifiedView {
  /** The directory with only certified devices, officers named by their certificates. */
  readonly directory: Directory;
  readonly refused: readonly RefusedDevice[];
}

/** Checks every device of `dir` (see the module comment). */
export function certifyDirectory(
  ctx: SyncStoreContext,
  dir: Directory,
  trust: IdentityTrust,
  now: number,
): CertifiedView {
  const officers = new Map<string, DirectoryOfficer>();
  const refused: RefusedDevice[] = [];
  const sha256 = (b: Uint8Array) => ctx.sodium.crypto_hash_sha256(b);
  for (const o of dir.officers) {
    for (const d of o.devices) {
      const signPublicKey = fromBase64(d.signPublicKey);
      let reason: RefusalReason | undefined;
      let officer: ReturnType<typeof verifyDeviceCertification> | undefined;
      if (deviceIdOf(signPublicKey, sha256) !== d.deviceId) reason = 'id-mismatch';
      else {
        try {
          officer = verifyDeviceCertification(
            d.certification,
            signPublicKey,
            fromBase64(d.boxPublicKey),
            trust,
            now,
          );
        } catch (e) {
          if (!(e instanceof CertificationError)) throw e;
          reason = e.reason;
        }
      }
      if (officer && officer.address !== o.address.toLowerCase()) reason = 'address-mismatch';
      else if (officer && officer.certificateFingerprint !== d.certificateFingerprint)
        reason = 'fingerprint-mismatch';
      if (reason || !officer) {
        refused.push({ address: o.address, deviceId: d.deviceId, reason: reason ?? 'malformed' });
        continue;
      }
      const entry = officers.get(officer.address) ?? {
        address: officer.address,
        name: officer.name,
        department: officer.department,
        devices: [],
      };
      entry.devices.push(d);
      officers.set(officer.address, entry);
    }
  }
  const sorted = [...officers.values()].sort((a, b) =>
    a.address < b.address ? -1 : a.address > b.address ? 1 : 0,
  );
  return { directory: { ...dir, officers: sorted }, refused };
}
