import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import Database from 'better-sqlite3-multiple-ciphers';
import { directoryMessage, DirectoryResponse } from '../../shared/sync/relay-protocol';
import { generateDeviceKeys, generatePrekey } from '../../electron/core/sync/prekeys';
import type { DeviceKeys } from '../../electron/core/sync/device-keys';
import type { Sodium } from '../../electron/core/vault/sodium';
import { HQ_SIGN_KEY_FILE } from '../../hq/server/hq-identity';
import { RELAY_DB_FILE } from '../../hq/storage/sqlite-relay-store';
import type { TestRelayServer } from './sync-harness';

/**
 * A fully compromised relay for attack tests: the attacker owns the relay's data folder, its
 * database and HQ's directory key (`DATA/hq-sign.key`). It rewrites device rows and prekeys as
 * it likes and bumps the directory serial, so the running relay (the attacker's process now)
 * signs the rewritten directory with HQ's key; `forgeDirectory` signs any bytes with that key
 * directly. Clients see directories that verify against the HQ key they pinned: whatever they
 * refuse, they refuse on the strength of the officers' token certifications alone.
 */

export interface DeviceRow {
  id: string;
  status: 'pending' | 'approved' | 'revoked';
  sign_public_key: string;
  box_public_key: string;
  enrolment_request: string;
  officer_address: string | null;
  officer_name: string | null;
  officer_department: string | null;
  certificate_fingerprint: string | null;
}

type Editable = Partial<Omit<DeviceRow, 'id'>>;

const b64 = (b: Uint8Array) => Buffer.from(b).toString('base64');

export class CompromisedRelay {
  readonly db: InstanceType<typeof Database>;
  /** HQ's Ed25519 secret key, read from the relay's data folder. */
  readonly hqSignSecretKey: Uint8Array;

  constructor(
    readonly hq: TestRelayServer,
    private readonly sodium: Sodium,
  ) {
    this.db = new Database(join(hq.dataDir, RELAY_DB_FILE));
    this.db.pragma('busy_timeout = 5000');
    this.db.pragma('foreign_keys = OFF');
    this.hqSignSecretKey = new Uint8Array(readFileSync(join(hq.dataDir, HQ_SIGN_KEY_FILE)));
  }

  device(id: string): DeviceRow {
    const row = this.db.prepare('SELECT * FROM devices WHERE id = ?').get(id) as DeviceRow | undefined;
    if (!row) throw new Error(`no device ${id} at the relay`);
    return row;
  }

  /** Rewrites a device's row; the next directory the relay serves carries it, signed by HQ's key. */
  rewriteDevice(id: string, fields: Editable): void {
    const cols = Object.keys(fields);
    this.db.transaction(() => {
      this.db
        .prepare(`UPDATE devices SET ${cols.map((c) => `${c} = ?`).join(', ')} WHERE id = ?`)
        .run(...cols.map((c) => (fields as Record<string, unknown>)[c]), id);
      this.bumpSerial();
    })();
  }

  /**
   * Lists a device of the attacker's own keys (secret keys and a current prekey held by the
   * test) with the given row fields, approved: a ghost the relay made up.
   */
  addGhost(
    fields: Editable & Pick<DeviceRow, 'enrolment_request'>,
    now = Date.now(),
  ): DeviceKeys & {
    prekeySecret: Uint8Array;
  } {
    const keys = generateDeviceKeys(this.sodium);
    const { secret, signed } = generatePrekey(this.sodium, keys, now);
    this.db.transaction(() => {
      this.db
        .prepare(
          `INSERT INTO devices (id, status, sign_public_key, box_public_key, enrolment_request, created_at,
             updated_at, officer_address, officer_name, officer_department, certificate_fingerprint)
           VALUES (?, 'approved', ?, ?, ?, ?, ?, ?, ?, ?, ?)`,
        )
        .run(
          keys.deviceId,
          b64(keys.signPublicKey),
          b64(keys.boxPublicKey),
          fields.enrolment_request,
          now,
          now,
          fields.officer_address ?? null,
          fields.officer_name ?? null,
          fields.officer_department ?? '',
          fields.certificate_fingerprint ?? null,
        );
      this.addPrekey(keys.deviceId, signed);
    })();
    return { ...keys, prekeySecret: secret.secretKey };
  }

  /** Publishes a prekey under `device` (signed by whatever key the attacker chose). */
  addPrekey(
    device: string,
    p: { prekeyId: string; publicKey: Uint8Array; createdAt: number; signature: Uint8Array },
  ): void {
    this.db
      .prepare(
        'INSERT INTO prekeys (device, prekey_id, public_key, created_at, signature) VALUES (?, ?, ?, ?, ?)',
      )
      .run(device, p.prekeyId, b64(p.publicKey), p.createdAt, b64(p.signature));
    this.bumpSerial();
  }

  deletePrekey(device: string, prekeyId: string): void {
    this.db.prepare('DELETE FROM prekeys WHERE device = ? AND prekey_id = ?').run(device, prekeyId);
    this.bumpSerial();
  }

  /** Mail items the relay holds addressed to `device` (any state). */
  mailFor(device: string): number {
    return (
      this.db.prepare('SELECT count(*) AS n FROM mail_items WHERE recipient = ?').get(device) as { n: number }
    ).n;
  }

  /** Signs directory bytes with HQ's key as the relay would serve them. */
  forgeDirectory(bytes: Uint8Array): DirectoryResponse {
    const signature = this.sodium.crypto_sign_detached(directoryMessage(bytes), this.hqSignSecretKey);
    return DirectoryResponse.parse({ directory: b64(bytes), signature: b64(signature) });
  }

  bumpSerial(): void {
    this.db
      .prepare(
        `INSERT INTO meta (key, value) VALUES ('directory_serial', 1)
         ON CONFLICT (key) DO UPDATE SET value = value + 1`,
      )
      .run();
  }

  close(): void {
    this.db.close();
  }
}
