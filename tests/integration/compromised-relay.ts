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

/** One history the relay shows some clients (see `CompromisedRelay.saveBranch`). */
export interface Branch {
  after: number;
  serial: number;
  versions: Record<string, unknown>[];
  devices: DeviceRow[];
}

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

  /** The directory serial the relay's store is at. */
  serial(): number {
    return (
      (
        this.db.prepare(`SELECT value FROM meta WHERE key = 'directory_serial'`).get() as
          { value: number } | undefined
      )?.value ?? 0
    );
  }

  /** Whether the relay records its directory's versions (a relay from before the chain does not). */
  private hasChain(): boolean {
    return (
      this.db.prepare(`SELECT 1 FROM sqlite_master WHERE name = 'directory_versions'`).get() !== undefined
    );
  }

  /**
   * Forks the directory's history after `serial`: the relay forgets the versions it published
   * since and its serial goes back to `serial`, so its next change is signed (with HQ's key) as
   * another version of the same serials: another history, for other clients.
   */
  forkAfter(serial: number): void {
    this.db.transaction(() => {
      if (this.hasChain()) this.db.prepare('DELETE FROM directory_versions WHERE serial > ?').run(serial);
      this.db.prepare(`UPDATE meta SET value = ? WHERE key = 'directory_serial'`).run(serial);
    })();
  }

  /**
   * What the relay shows now after `serial` (its published versions, its serial and the rows of
   * `devices`), to be shown again to another client later with {@link showBranch}: with one
   * branch per victim, the relay keeps each client on its own history.
   */
  saveBranch(serial: number, devices: readonly string[]): Branch {
    return {
      after: serial,
      serial: this.serial(),
      versions: this.hasChain()
        ? (this.db.prepare('SELECT * FROM directory_versions WHERE serial > ?').all(serial) as Record<
            string,
            unknown
          >[])
        : [],
      devices: devices.map((id) => this.device(id)),
    };
  }

  showBranch(b: Branch): void {
    this.db.transaction(() => {
      if (this.hasChain()) {
        this.db.prepare('DELETE FROM directory_versions WHERE serial > ?').run(b.after);
        for (const v of b.versions) {
          const cols = Object.keys(v);
          this.db
            .prepare(
              `INSERT INTO directory_versions (${cols.join(', ')}) VALUES (${cols.map(() => '?').join(', ')})`,
            )
            .run(...cols.map((c) => v[c]));
        }
      }
      for (const d of b.devices) {
        this.db.prepare('UPDATE devices SET status = ? WHERE id = ?').run(d.status, d.id);
      }
      this.db.prepare(`UPDATE meta SET value = ? WHERE key = 'directory_serial'`).run(b.serial);
    })();
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
