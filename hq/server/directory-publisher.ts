import type { IncomingMessage, ServerResponse } from 'node:http';
import {
  DIRECTORY_VERSION,
  directoryMessage,
  MAX_DIRECTORY_BYTES,
  RelayErrorCode,
  type Directory,
  type DirectoryOfficer,
  type DirectoryResponse,
} from '../../shared/sync/relay-protocol';
import type { DirectorySnapshot } from '../storage/relay-store';
import { authenticate } from './device-auth';
import { sendJson } from './http-io';
import type { RelayContext } from './relay-context';
import { RelayError } from './relay-error';

/** Approved and revoked devices grouped by officer address, sorted; names from each newest device. */
export function directoryOf(snapshot: DirectorySnapshot, issuedAt: number): Directory {
  const officers = new Map<string, DirectoryOfficer>();
  // Devices come sorted by id; the officer's name and department are those of its newest device.
  const newest = new Map<string, number>();
  for (const d of snapshot.devices) {
    const o = officers.get(d.officer.address) ?? {
      address: d.officer.address,
      name: d.officer.name,
      department: d.officer.department,
      devices: [],
    };
    if (d.createdAt >= (newest.get(d.officer.address) ?? -1)) {
      newest.set(d.officer.address, d.createdAt);
      o.name = d.officer.name;
      o.department = d.officer.department;
    }
    o.devices.push({
      deviceId: d.id,
      signPublicKey: d.signPublicKey,
      boxPublicKey: d.boxPublicKey,
      status: d.status === 'approved' ? 'approved' : 'revoked',
      certificateFingerprint: d.officer.certificateFingerprint,
      // The token's certification of exactly these keys: clients trust the device on it alone.
      certification: d.enrolmentRequest,
      ...(d.prekey ? { prekey: d.prekey } : {}),
    });
    officers.set(d.officer.address, o);
  }
  return {
    version: DIRECTORY_VERSION,
    serial: snapshot.serial,
    issuedAt,
    officers: [...officers.values()].sort((a, b) =>
      a.address < b.address ? -1 : a.address > b.address ? 1 : 0,
    ),
  };
}

/**
 * `GET /v1/directory`: the HQ-signed directory. The signature is made again only when the
 * store's serial moved (any device or prekey change); until then the last one is served.
 */
export class DirectoryPublisher {
  /** The last signed directory, reused while the serial stays the same. */
  private signed: { serial: number; body: DirectoryResponse } | undefined;

  constructor(private readonly ctx: RelayContext) {}

  async handle(req: IncomingMessage, res: ServerResponse): Promise<void> {
    await authenticate(this.ctx, req);
    const serial = await this.ctx.store.getDirectorySerial();
    if (this.signed?.serial !== serial) this.signed = await this.sign();
    sendJson(res, 200, this.signed.body);
  }

  private async sign(): Promise<{ serial: number; body: DirectoryResponse }> {
    const snapshot = await this.ctx.store.getDirectorySnapshot();
    const bytes = Buffer.from(JSON.stringify(directoryOf(snapshot, Date.now())), 'utf8');
    if (bytes.length > MAX_DIRECTORY_BYTES) {
      throw new RelayError(500, RelayErrorCode.Internal, 'the directory is larger than the protocol allows');
    }
    const signature = this.ctx.sodium.crypto_sign_detached(
      directoryMessage(bytes),
      this.ctx.identity.signSecretKey,
    );
    return {
      serial: snapshot.serial,
      body: { directory: bytes.toString('base64'), signature: Buffer.from(signature).toString('base64') },
    };
  }
}
