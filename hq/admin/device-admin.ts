import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { DeviceId, RelayErrorCode, type DeviceStatus } from '../../shared/sync/relay-protocol';
import { PgRelayStore } from '../storage/pg-relay-store';
import { NoRelaySchemaError } from '../storage/pg-schema';
import type { RelayStore } from '../storage/relay-store';
import { RELAY_DB_FILE, SqliteRelayStore } from '../storage/sqlite-relay-store';
import { reviewDevice, type CertificateReview, type TrustSource } from './device-inspection';

/** Where a relay keeps its data: a data folder (SQLite), or a PostgreSQL database. */
export interface RelayLocation {
  readonly dataDir: string;
  /** `postgres://…` when the relay runs on PostgreSQL (`hq serve --db`). */
  readonly db?: string;
}

/** What `embassy hq devices --json` prints for each device (no enrolment blob: it can be large). */
export interface DeviceSummary {
  readonly id: string;
  readonly status: DeviceStatus;
  /** The officer's address (e-mail SAN or CN of the token certificate); null before schema 2. */
  readonly address: string | null;
  readonly name: string | null;
  readonly department: string | null;
  /** SHA-256 of the officer's token certificate. */
  readonly certificateFingerprint: string | null;
  /** SHA-256 of the trusted CA that approved the device at enrolment, or null. */
  readonly approvedByCa: string | null;
  readonly signPublicKey: string;
  readonly boxPublicKey: string;
  readonly enrolmentRequestBytes: number;
  readonly createdAt: string;
  readonly updatedAt: string;
  /** The token certificate as an administrator judges it (device-inspection.ts). */
  readonly certificate: CertificateReview;
}

/**
 * The admin commands' codes, printed by the CLI and never sent on the wire: the relay's own
 * (shared/sync/sync-error-codes.ts) where the refusal means the same, and one of their own.
 */
export const AdminErrorCode = {
  /** `--data` names a folder that holds no relay database. */
  NoRelayData: 'E_NO_RELAY_DATA',
  InvalidInput: RelayErrorCode.InvalidInput,
  DeviceUnknown: RelayErrorCode.DeviceUnknown,
  DeviceRevoked: RelayErrorCode.DeviceRevoked,
  /** Approving a device whose certificate does not chain to a trusted CA, without `--force`. */
  CertificateUntrusted: 'E_CERTIFICATE_UNTRUSTED',
} as const;
export type AdminErrorCode = (typeof AdminErrorCode)[keyof typeof AdminErrorCode];

/** A refusal the admin commands print as is. */
export class AdminError extends Error {
  override readonly name = 'AdminError';
  constructor(
    readonly code: AdminErrorCode,
    message: string,
  ) {
    super(message);
  }
}

/** An existing relay's store; never creates one (a typo in --data or --db must not start a new relay). */
async function openExisting({ dataDir, db }: RelayLocation): Promise<RelayStore> {
  if (db !== undefined) {
    try {
      return await PgRelayStore.open(db, { create: false, poolSize: 2 });
    } catch (e) {
      if (!(e instanceof NoRelaySchemaError)) throw e;
      throw new AdminError(
        AdminErrorCode.NoRelayData,
        "no relay data in that database (start 'embassy hq serve --db' on it first)",
      );
    }
  }
  if (!existsSync(join(dataDir, RELAY_DB_FILE))) {
    throw new AdminError(
      AdminErrorCode.NoRelayData,
      `no relay data in ${dataDir} (start 'embassy hq serve' there first)`,
    );
  }
  return SqliteRelayStore.open(dataDir);
}

/** Runs `f` on an existing relay's store and closes it. */
export async function withStore<T>(where: RelayLocation, f: (store: RelayStore) => Promise<T>): Promise<T> {
  const store = await openExisting(where);
  try {
    return await f(store);
  } finally {
    await store.close();
  }
}

/** The relay's trust for reviews: its data folder and the `--trust-ca` files `hq serve` is given. */
const trustOf = (where: RelayLocation, trustCaFiles: readonly string[]): TrustSource => ({
  dataDir: where.dataDir,
  trustCaFiles,
});

export function listDevices(
  where: RelayLocation,
  trustCaFiles: readonly string[] = [],
): Promise<DeviceSummary[]> {
  const now = Date.now();
  return withStore(where, async (store) => {
    const all = await store.listDevices();
    return all.map((d) => ({
      id: d.id,
      status: d.status,
      address: d.officer?.address ?? null,
      name: d.officer?.name ?? null,
      department: d.officer?.department ?? null,
      certificateFingerprint: d.officer?.certificateFingerprint ?? null,
      approvedByCa: d.approvedByCa ?? null,
      signPublicKey: d.signPublicKey,
      boxPublicKey: d.boxPublicKey,
      enrolmentRequestBytes: Buffer.from(d.enrolmentRequest, 'base64').length,
      createdAt: new Date(d.createdAt).toISOString(),
      updatedAt: new Date(d.updatedAt).toISOString(),
      certificate: reviewDevice(d, all, trustOf(where, trustCaFiles), now),
    }));
  });
}

/** How an approval may proceed: `force` approves a certificate that reaches no trusted CA. */
export interface ApproveOptions {
  readonly force?: boolean;
  readonly trustCaFiles?: readonly string[];
  /** One line for the operator's log when an approval is forced. */
  readonly log?: (line: string) => void;
}

/**
 * Approves or revokes a device. The running relay reads device status on every request, so
 * the change applies to its next request without a restart. Revocation is final.
 */
export function setDeviceStatus(
  where: RelayLocation,
  deviceId: string,
  status: 'approved' | 'revoked',
  options: ApproveOptions = {},
) {
  if (!DeviceId.safeParse(deviceId).success) {
    throw new AdminError(AdminErrorCode.InvalidInput, 'a device id is 32 lowercase hex characters');
  }
  return withStore(where, async (store) => {
    if (status === 'approved') await checkApproval(store, where, deviceId, options);
    const device = await store.setDeviceStatus(deviceId, status, Date.now());
    if (!device) throw new AdminError(AdminErrorCode.DeviceUnknown, `no device ${deviceId} at this relay`);
    if (device.status !== status) {
      throw new AdminError(
        AdminErrorCode.DeviceRevoked,
        `device ${deviceId} was revoked; it must enrol new keys`,
      );
    }
    return { id: device.id, status: device.status };
  });
}

/**
 * An approval of a certificate that reaches no trusted CA needs `force`; when forced, it is
 * recorded in the relay's store (`admin_log`) and logged, with what was overridden.
 */
async function checkApproval(
  store: RelayStore,
  where: RelayLocation,
  deviceId: string,
  options: ApproveOptions,
): Promise<void> {
  const all = await store.listDevices();
  const device = all.find((d) => d.id === deviceId);
  if (!device || device.status !== 'pending') return;
  const review = reviewDevice(device, all, trustOf(where, options.trustCaFiles ?? []), Date.now());
  if (review.chain === 'trusted') return;
  const detail =
    `chain ${review.chain}${review.chainDetail ? ` (${review.chainDetail})` : ''}; ` +
    `subject ${review.subject ?? '?'}; issuer ${review.issuer ?? '?'}; ` +
    `address ${device.officer?.address ?? '?'}`;
  if (!options.force) {
    throw new AdminError(
      AdminErrorCode.CertificateUntrusted,
      `device ${deviceId}: its certificate does not chain to a trusted CA (${review.chain}); ` +
        "check it with 'embassy hq devices', then approve with --force",
    );
  }
  await store.adminLog.record({ at: Date.now(), action: 'approve-forced', device: deviceId, detail });
  options.log?.(`approve-forced ${deviceId}: ${detail}`);
}
