import { randomBytes } from 'node:crypto';
import { open, readFile, rename, stat, unlink } from 'node:fs/promises';
import { dirname } from 'node:path';
import { z } from 'zod';
import { CoreError, ErrorCode } from '../../../shared/contract/errors';

/**
 * The key file: the only place the vault key exists on disk, and only wrapped. Versioned and
 * self-describing (age / Bitwarden style): every parameter needed to unwrap is recorded, so a
 * future version can read an old file and a reader refuses a version it does not know.
 * JSON, because it is small, read once per unlock, and IT must be able to inspect it.
 */

const B64 = z
  .string()
  .max(8192)
  .regex(/^[A-Za-z0-9+/]*={0,2}$/);
const Hex = z
  .string()
  .max(256)
  .regex(/^[0-9a-f]*$/);

export const KEY_FILE_FORMAT = 'embassy-vault-key';
export const KEY_FILE_VERSION = 1;

/** libsodium's MODERATE limits: the floor we accept for a passphrase profile. */
export const ARGON2_MIN_OPSLIMIT = 3;
export const ARGON2_MIN_MEMLIMIT = 256 * 1024 * 1024;

export const Aead = z
  .object({
    alg: z.literal('xchacha20poly1305-ietf'),
    nonce: B64,
    ciphertext: B64,
  })
  .strict();
export type Aead = z.infer<typeof Aead>;

export const PassphraseWrapperRecord = z
  .object({
    kind: z.literal('passphrase'),
    kdf: z
      .object({
        alg: z.literal('argon2id13'),
        opslimit: z.number().int().min(ARGON2_MIN_OPSLIMIT).max(64),
        memlimit: z
          .number()
          .int()
          .min(ARGON2_MIN_MEMLIMIT)
          .max(4 * 1024 ** 3),
        salt: B64,
      })
      .strict(),
    aead: Aead,
  })
  .strict();
export type PassphraseWrapperRecord = z.infer<typeof PassphraseWrapperRecord>;

/** Binding methods to a token key; see docs/protocols/key-file-v1.md, "Token wrapper". */
export const TOKEN_WRAP_METHODS = [
  'rsa-oaep-sha256',
  'rsa-oaep-sha1',
  'ecdh-p256',
  'rsa-pkcs1-sign',
] as const;

export const TokenWrapperRecord = z
  .object({
    kind: z.literal('token'),
    method: z.enum(TOKEN_WRAP_METHODS),
    token: z
      .object({
        label: z.string().max(64),
        serial: z.string().max(64),
        manufacturer: z.string().max(64),
        model: z.string().max(64),
      })
      .strict(),
    key: z
      .object({
        /** CKA_ID of the private key (hex). */
        id: Hex,
        /** SHA-256 of the certificate DER (hex). */
        certFingerprint: Hex,
        /** Certificate subject common name. */
        holder: z.string().max(300),
      })
      .strict(),
    /** The PKCS#11 module the vault was created with (a hint; the UI may pick another). */
    modulePath: z.string().max(1024),
    /** rsa-oaep-*: the vault key encrypted to the token's public key. */
    ciphertext: B64.optional(),
    /** ecdh-p256: our ephemeral public key (uncompressed point). */
    ephemeralPublicKey: B64.optional(),
    /** rsa-pkcs1-sign: the per-vault random challenge the token signs. */
    challenge: B64.optional(),
    /** ecdh-p256 and rsa-pkcs1-sign: the vault key under the derived wrapping key. */
    aead: Aead.optional(),
  })
  .strict();
export type TokenWrapperRecord = z.infer<typeof TokenWrapperRecord>;

export const EscrowWrapperRecord = z
  .object({
    kind: z.literal('escrow'),
    alg: z.literal('x25519-xsalsa20poly1305-sealedbox'),
    /** Which HQ recovery key: BLAKE2b-128 of its public key (hex), and its label. */
    recipient: z.object({ keyId: Hex, label: z.string().max(128) }).strict(),
    /** crypto_box_seal(vaultId bytes ‖ vault key). */
    ciphertext: B64,
  })
  .strict();
export type EscrowWrapperRecord = z.infer<typeof EscrowWrapperRecord>;

export const WrapperRecord = z.discriminatedUnion('kind', [
  PassphraseWrapperRecord,
  TokenWrapperRecord,
  EscrowWrapperRecord,
]);
export type WrapperRecord = z.infer<typeof WrapperRecord>;

export const KeyFile = z
  .object({
    format: z.literal(KEY_FILE_FORMAT),
    version: z.literal(KEY_FILE_VERSION),
    /** Random 128-bit id (hex); bound into every wrap's associated data and the KCV. */
    vaultId: z.string().regex(/^[0-9a-f]{32}$/),
    createdAt: z.string().max(40),
    /** How the officer unlocks: the first wrapper of this kind is the unlock path. */
    profile: z.enum(['token', 'passphrase']),
    kcv: z.object({ alg: z.literal('blake2b-128-keyed'), value: B64 }).strict(),
    wrappers: z.array(WrapperRecord).min(1).max(8),
  })
  .strict()
  .refine((f) => f.wrappers.some((w) => w.kind === f.profile), {
    message: 'no wrapper for the profile',
  });
export type KeyFile = z.infer<typeof KeyFile>;

/** Associated data of every AEAD wrap: the file format, the vault and the wrapper kind. */
export function wrapAad(vaultId: string, kind: WrapperRecord['kind']): string {
  return `${KEY_FILE_FORMAT}|v${KEY_FILE_VERSION}|${vaultId}|${kind}`;
}

export async function keyFileExists(path: string): Promise<boolean> {
  try {
    await stat(path);
    return true;
  } catch (e) {
    if ((e as NodeJS.ErrnoException).code === 'ENOENT') return false;
    throw e;
  }
}

/** Reads and checks the key file; a damaged or unknown one is E_VAULT_CORRUPT, never "fixed". */
export async function readKeyFile(path: string): Promise<KeyFile> {
  let text: string;
  try {
    text = await readFile(path, 'utf8');
  } catch (e) {
    if ((e as NodeJS.ErrnoException).code === 'ENOENT') {
      throw new CoreError(ErrorCode.VaultAbsent, 'no vault on this workstation');
    }
    throw e;
  }
  let raw: unknown;
  try {
    raw = JSON.parse(text);
  } catch {
    throw new CoreError(ErrorCode.VaultCorrupt, 'the vault key file is damaged (not JSON)');
  }
  const parsed = KeyFile.safeParse(raw);
  if (!parsed.success) {
    const version = (raw as { version?: unknown } | null)?.version;
    throw new CoreError(
      ErrorCode.VaultCorrupt,
      version !== undefined && version !== KEY_FILE_VERSION
        ? `the vault key file has version ${String(version)}, this build reads ${KEY_FILE_VERSION}`
        : 'the vault key file is damaged',
    );
  }
  return parsed.data;
}

/**
 * Writes the key file atomically and durably: temp file in the same folder, fsync, rename,
 * fsync the folder. `exclusive` refuses to replace an existing key file (create never
 * overwrites a vault).
 */
export async function writeKeyFile(path: string, file: KeyFile, exclusive: boolean): Promise<void> {
  const tmp = `${path}.${randomBytes(6).toString('hex')}.tmp`;
  const handle = await open(tmp, 'wx', 0o600);
  try {
    await handle.writeFile(`${JSON.stringify(file, null, 2)}\n`);
    await handle.sync();
  } finally {
    await handle.close();
  }
  if (exclusive && (await keyFileExists(path))) {
    await unlink(tmp);
    throw new CoreError(ErrorCode.VaultExists, 'a vault key file already exists');
  }
  await rename(tmp, path);
  await fsyncDir(dirname(path));
}

/**
 * Crypto-shred of one key file: overwrite its bytes with random data, fsync, unlink, fsync the
 * folder. On a journaling or copy-on-write file system the old blocks may survive the
 * overwrite; that is why the key is wrapped (useless without the token or passphrase) and why
 * the unlink matters more than the overwrite.
 */
export async function shredFile(path: string): Promise<boolean> {
  let handle;
  try {
    handle = await open(path, 'r+');
  } catch (e) {
    if ((e as NodeJS.ErrnoException).code === 'ENOENT') return false;
    throw e;
  }
  try {
    const { size } = await handle.stat();
    if (size > 0) await handle.write(randomBytes(Math.min(size, 1 << 20)), 0, Math.min(size, 1 << 20), 0);
    await handle.sync();
  } finally {
    await handle.close();
  }
  await unlink(path);
  return true;
}

export async function fsyncDir(dir: string): Promise<void> {
  const handle = await open(dir, 'r');
  try {
    await handle.sync();
  } finally {
    await handle.close();
  }
}
