import { execFile } from 'node:child_process';
import { X509Certificate } from 'node:crypto';
import { chmodSync, existsSync, mkdirSync, readFileSync, renameSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { promisify } from 'node:util';
import type { Sodium } from './sodium';

const run = promisify(execFile);

/** What the relay presents: its TLS certificate (pinned by clients) and its signing key. */
export interface HqIdentity {
  readonly tlsKeyPem: string;
  readonly tlsCertPem: string;
  /** SHA-256 of the certificate (DER), lowercase hex without separators: what clients pin. */
  readonly fingerprint: string;
  /** HQ's Ed25519 key pair; it signs the device directory. */
  readonly signPublicKey: Uint8Array;
  readonly signSecretKey: Uint8Array;
}

export const TLS_KEY_FILE = join('tls', 'key.pem');
export const TLS_CERT_FILE = join('tls', 'cert.pem');
export const HQ_SIGN_KEY_FILE = 'hq-sign.key';

/** Lowercase hex SHA-256 of a PEM certificate's DER bytes. */
export function certificateFingerprint(certPem: string): string {
  return new X509Certificate(certPem).fingerprint256.replace(/:/g, '').toLowerCase();
}

/**
 * Loads the relay's identity from `dataDir`, creating what is missing on first start: a
 * self-signed P-256 certificate made by the system's openssl (development identity; a
 * deployment puts its own certificate there) and an Ed25519 signing key from libsodium.
 * Private keys are written mode 0600 inside 0700 folders, and created under a temporary name
 * then renamed, so a crash never leaves half a key that a later start would trust.
 */
export async function loadOrCreateIdentity(dataDir: string, sodium: Sodium): Promise<HqIdentity> {
  mkdirSync(join(dataDir, 'tls'), { recursive: true, mode: 0o700 });
  chmodSync(dataDir, 0o700);
  const keyPath = join(dataDir, TLS_KEY_FILE);
  const certPath = join(dataDir, TLS_CERT_FILE);
  if (!existsSync(keyPath) || !existsSync(certPath)) {
    const tmpKey = `${keyPath}.tmp`;
    const tmpCert = `${certPath}.tmp`;
    rmSync(tmpKey, { force: true });
    rmSync(tmpCert, { force: true });
    // openssl writes the key with the umask's mode; the folder is 0700 and we chmod at once.
    await run('openssl', [
      'req',
      '-x509',
      '-newkey',
      'ec',
      '-pkeyopt',
      'ec_paramgen_curve:P-256',
      '-nodes',
      '-days',
      '825',
      '-subj',
      '/CN=embassy-hq-dev',
      '-addext',
      'subjectAltName=DNS:localhost,IP:127.0.0.1',
      '-keyout',
      tmpKey,
      '-out',
      tmpCert,
    ]);
    chmodSync(tmpKey, 0o600);
    renameSync(tmpCert, certPath);
    renameSync(tmpKey, keyPath);
  }
  chmodSync(keyPath, 0o600);

  const signPath = join(dataDir, HQ_SIGN_KEY_FILE);
  if (!existsSync(signPath)) {
    const pair = sodium.crypto_sign_keypair();
    const tmp = `${signPath}.tmp`;
    writeFileSync(tmp, Buffer.from(pair.privateKey), { mode: 0o600 });
    renameSync(tmp, signPath);
  }
  chmodSync(signPath, 0o600);
  const secret = new Uint8Array(readFileSync(signPath));
  if (secret.length !== sodium.crypto_sign_SECRETKEYBYTES) throw new Error(`${HQ_SIGN_KEY_FILE} is damaged`);

  const tlsCertPem = readFileSync(certPath, 'utf8');
  return {
    tlsKeyPem: readFileSync(keyPath, 'utf8'),
    tlsCertPem,
    fingerprint: certificateFingerprint(tlsCertPem),
    signSecretKey: secret,
    signPublicKey: sodium.crypto_sign_ed25519_sk_to_pk(secret),
  };
}
