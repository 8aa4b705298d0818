import { z } from 'zod';
import { AuditBatch, verifyDeviceLog, type AuditDeviceReport, type OpenedBatch } from '../../shared/audit';
import { DeviceId } from '../../shared/sync/relay-protocol';
import { loadSodium, type Sodium } from '../server/sodium';
import { AdminError, AdminErrorCode, withStore, type RelayLocation } from './device-admin';

/**
 * HQ's check of the audit logs in a relay's mailbox (`embassy hq audit verify`): each device's
 * sealed batches are opened with HQ's audit secret key and checked as one chain against the
 * device key the relay enrolled (docs/protocols/audit-log-v1.md). Opening happens here, on
 * the investigator's machine, never in the relay.
 */

/** HQ's audit key pair file (`embassy hq audit keygen`): X25519, base64. */
export const AuditKeyFile = z
  .object({
    type: z.literal('embassy.hq.audit-key'),
    publicKey: z.string().regex(/^[A-Za-z0-9+/]{43}=$/),
    secretKey: z.string().regex(/^[A-Za-z0-9+/]{43}=$/),
  })
  .strict();
export type AuditKeyFile = z.infer<typeof AuditKeyFile>;

export function generateAuditKey(sodium: Sodium): AuditKeyFile {
  const k = sodium.crypto_box_keypair();
  const b64 = (b: Uint8Array) => Buffer.from(b).toString('base64');
  return { type: 'embassy.hq.audit-key', publicKey: b64(k.publicKey), secretKey: b64(k.privateKey) };
}

function openBatch(sodium: Sodium, sealed: Uint8Array, pk: Uint8Array, sk: Uint8Array): OpenedBatch {
  try {
    const plain = sodium.crypto_box_seal_open(sealed, pk, sk);
    const parsed = AuditBatch.safeParse(JSON.parse(Buffer.from(plain).toString('utf8')));
    return parsed.success ? parsed.data : null;
  } catch {
    return null;
  }
}

/** Reports for one device, or for every device that has batches or ever enrolled. */
export async function verifyAudit(
  where: RelayLocation,
  key: AuditKeyFile,
  deviceId?: string,
): Promise<AuditDeviceReport[]> {
  if (deviceId !== undefined && !DeviceId.safeParse(deviceId).success)
    throw new AdminError(AdminErrorCode.InvalidInput, 'a device id is 32 lowercase hex characters');
  const sodium = await loadSodium();
  const pk = new Uint8Array(Buffer.from(key.publicKey, 'base64'));
  const sk = new Uint8Array(Buffer.from(key.secretKey, 'base64'));
  try {
    return await withStore(where, async (store) => {
      const devices = deviceId === undefined ? await store.listDevices() : [await store.getDevice(deviceId)];
      const reports: AuditDeviceReport[] = [];
      for (const d of devices) {
        if (!d) throw new AdminError(AdminErrorCode.DeviceUnknown, 'no such device at this relay');
        const batches = (await store.listAuditBatches(d.id)).map((b) => openBatch(sodium, b.sealed, pk, sk));
        reports.push(
          verifyDeviceLog(d.id, new Uint8Array(Buffer.from(d.signPublicKey, 'base64')), batches, {
            hash: (input) => sodium.crypto_generichash(32, input, null),
            verify: (sig, msg, pub) => sodium.crypto_sign_verify_detached(sig, msg, pub),
          }),
        );
      }
      return reports;
    });
  } finally {
    sodium.memzero(sk);
  }
}
