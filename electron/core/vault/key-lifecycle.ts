import { rm } from 'node:fs/promises';
import { CoreError, ErrorCode } from '../../../shared/contract/errors';
import { ensurePrivateDir } from '../profile';
import type { VaultCreateInput, VaultUnlockInput } from '../../../shared/contract/vault-calls';
import { sealToEscrow, type EscrowRecipient } from './escrow-wrapper';
import {
  KEY_FILE_FORMAT,
  KEY_FILE_VERSION,
  keyFileExists,
  readKeyFile,
  shredFile,
  writeKeyFile,
  type KeyFile,
  type TokenWrapperRecord,
  type WrapperRecord,
} from './key-file';
import { asTokenWrapped } from './key-wrapper';
import type { Sodium } from './sodium';
import type { TokenKeyWrapper, TokenUnlockSecret } from './token-wrapper';
import type { IdleLock } from './idle-lock';
import { databaseFiles } from './vault-db';
import { generateVaultKey, keyCheckValue, keyMatches, zeroKey, type VaultKey } from './vault-key';
import type { VaultPaths } from './vault-paths';
import type { PdfTextSource } from './pdf-text-link';
import type { LockReason, VaultAuditHooks, VaultState } from './vault-state';
import { startVaultWorker } from './vault-worker-client';
import type { WorkerScript } from './worker-location';
import type { WorkerInput } from './worker-protocol';

/**
 * What create needs once the contract's driver id is resolved: a passphrase, or a token with
 * its library file (from the allow-list, or typed on the command line).
 */
export type VaultCreateRequest =
  | Extract<VaultCreateInput, { profile: 'passphrase' }>
  | (Omit<Extract<VaultCreateInput, { profile: 'token' }>, 'driver' | 'modulePath'> & {
      readonly modulePath: string;
    });

export interface KeyLifecycleOptions {
  readonly paths: VaultPaths;
  readonly state: VaultState;
  readonly idle: IdleLock;
  readonly sodium: () => Promise<Sodium>;
  readonly script: () => WorkerScript;
  /** Where the worker's PDFs are read (the PDF sandbox). */
  readonly pdfText?: PdfTextSource | undefined;
  /** The HQ recovery key to seal to at creation: fixed, or read then (from IT's policy). */
  readonly escrow?: EscrowRecipient | (() => Promise<EscrowRecipient | undefined>);
  readonly tokenWrapper?: TokenKeyWrapper;
  readonly onLock?: (reason: LockReason) => void;
  /** The audit log's moments (unlock, failed unlock, lock). */
  readonly audit?: VaultAuditHooks;
  /** The token left its slot while unlocked: lock (through the service's queue). */
  readonly onTokenRemoved: () => void;
  readonly now: () => number;
}

const encoder = new TextEncoder();

/**
 * Secrets as bytes in their own buffer (so they can be transferred and zeroed). NFC first: the
 * same Vietnamese passphrase typed on two keyboards may arrive composed or decomposed.
 */
function secretBytes(secret: string): Uint8Array {
  return encoder.encode(secret.normalize('NFC'));
}

function delay(ms: number): Promise<void> {
  return new Promise((resolve) => setTimeout(resolve, ms).unref());
}

/**
 * The vault key's life: create (a new random key, wrapped by the token or a passphrase, and
 * by the HQ recovery key when policy asks), unlock (unwrap it and hand it to a new worker)
 * and lock (close the database, which zeroes the key, and end the thread). The key only
 * passes through here on its way to the worker: transferred, then zeroed.
 */
export function createKeyLifecycle(options: KeyLifecycleOptions) {
  const { paths, state, idle } = options;

  async function currentKeyFile(): Promise<KeyFile | null> {
    if (state.keyFile) return state.keyFile;
    if (!(await keyFileExists(paths.keyFile))) return null;
    state.keyFile = await readKeyFile(paths.keyFile);
    return state.keyFile;
  }

  async function assertNothingThere(): Promise<void> {
    if (await keyFileExists(paths.keyFile))
      throw new CoreError(ErrorCode.VaultExists, 'a vault already exists');
    for (const f of databaseFiles(paths.db)) {
      if (await keyFileExists(f)) {
        throw new CoreError(
          ErrorCode.VaultExists,
          'leftover vault database files (without a key): wipe first',
        );
      }
    }
  }

  /** Starts a worker and opens the database in it; on failure nothing stays running. */
  async function openInWorker(
    create: boolean,
    unlock: WorkerInput<'open'>['unlock'],
    transfer: ArrayBufferLike[],
  ): Promise<void> {
    const w = startVaultWorker(options.script(), options.pdfText);
    try {
      await w.request('open', { dbPath: paths.db, create, unlock }, transfer);
    } catch (e) {
      await w.terminate();
      throw e;
    }
    state.worker = w;
    w.onExit(() => {
      if (state.worker === w) {
        state.worker = null;
        idle.stopped();
        options.onLock?.('worker-exit');
      }
    });
    await idle.started();
  }

  async function create(input: VaultCreateRequest): Promise<void> {
    if (state.worker) throw new CoreError(ErrorCode.VaultExists, 'a vault already exists and is unlocked');
    await assertNothingThere();
    await ensurePrivateDir(paths.dir);
    const s = await options.sodium();
    const vaultId = s.to_hex(s.randombytes_buf(16));
    const key: VaultKey = generateVaultKey(s);
    try {
      const wrappers: WrapperRecord[] = [];
      if (input.profile === 'passphrase') {
        // Argon2id runs in a short-lived worker of its own (the caller's loop never waits on it).
        const copy = key.slice();
        const pass = secretBytes(input.passphrase);
        const kdf = startVaultWorker(options.script());
        try {
          wrappers.push(
            await kdf.request('wrapPassphrase', { key: copy, passphrase: pass, vaultId }, [
              copy.buffer,
              pass.buffer,
            ]),
          );
        } finally {
          await kdf.terminate();
        }
      } else {
        if (!options.tokenWrapper) throw new CoreError(ErrorCode.NotSetUp, 'token support is not available');
        const secret: TokenUnlockSecret = {
          modulePath: input.modulePath,
          tokenLabel: input.tokenLabel,
          keyId: input.keyId,
          pin: input.pin,
        };
        try {
          wrappers.push(await options.tokenWrapper.wrap(key, secret, { vaultId }));
        } catch (e) {
          options.tokenWrapper.stopWatching?.();
          throw e;
        }
      }
      const escrow = typeof options.escrow === 'function' ? await options.escrow() : options.escrow;
      if (escrow) wrappers.push(sealToEscrow(s, key, vaultId, escrow));
      const file: KeyFile = {
        format: KEY_FILE_FORMAT,
        version: KEY_FILE_VERSION,
        vaultId,
        createdAt: new Date(options.now()).toISOString(),
        profile: input.profile,
        kcv: {
          alg: 'blake2b-128-keyed',
          value: s.to_base64(keyCheckValue(s, key, vaultId), s.base64_variants.ORIGINAL),
        },
        wrappers,
      };
      await writeKeyFile(paths.keyFile, file, true);
      try {
        await openInWorker(true, { kind: 'key', key }, [key.buffer]);
      } catch (e) {
        // Only what this call just made is removed; an existing vault was refused above.
        await shredFile(paths.keyFile);
        for (const f of databaseFiles(paths.db)) await rm(f, { force: true });
        options.tokenWrapper?.stopWatching?.();
        throw e;
      }
      state.keyFile = file;
      options.audit?.opened('created');
      const token = wrappers.find((w): w is TokenWrapperRecord => w.kind === 'token');
      if (token) options.tokenWrapper?.watchRemoval?.(asTokenWrapped(token), options.onTokenRemoved);
    } finally {
      zeroKey(key);
    }
  }

  async function unlock(input: VaultUnlockInput): Promise<void> {
    if (state.worker) return;
    try {
      await unlockOnce(input);
    } catch (e) {
      options.audit?.unlockFailed(e instanceof CoreError ? e.code : ErrorCode.Internal);
      throw e;
    }
    options.audit?.opened('unlocked');
  }

  async function unlockOnce(input: VaultUnlockInput): Promise<void> {
    const file = await currentKeyFile();
    if (!file) throw new CoreError(ErrorCode.VaultAbsent, 'no vault on this workstation');
    const s = await options.sodium();
    const kcv = s.from_base64(file.kcv.value, s.base64_variants.ORIGINAL);
    if (file.profile === 'passphrase') {
      if (!('passphrase' in input))
        throw new CoreError(ErrorCode.InvalidInput, 'this vault unlocks with a passphrase');
      const wrapper = file.wrappers.find((w) => w.kind === 'passphrase');
      if (!wrapper) throw new CoreError(ErrorCode.VaultCorrupt, 'the key file has no passphrase wrapper');
      const pass = secretBytes(input.passphrase);
      await openInWorker(
        false,
        { kind: 'passphrase', passphrase: pass, wrapper, vaultId: file.vaultId, kcv },
        [pass.buffer as ArrayBuffer],
      );
      return;
    }
    if (!('pin' in input))
      throw new CoreError(ErrorCode.InvalidInput, 'this vault unlocks with the token PIN');
    if (!options.tokenWrapper) throw new CoreError(ErrorCode.NotSetUp, 'token support is not available');
    const wrapper = file.wrappers.find((w): w is TokenWrapperRecord => w.kind === 'token');
    if (!wrapper) throw new CoreError(ErrorCode.VaultCorrupt, 'the key file has no token wrapper');
    let key: VaultKey | null = null;
    try {
      key = await options.tokenWrapper.unwrap(
        asTokenWrapped(wrapper),
        {
          modulePath: wrapper.modulePath,
          tokenLabel: wrapper.token.label,
          keyId: wrapper.key.id,
          pin: input.pin,
        },
        { vaultId: file.vaultId },
      );
      if (!keyMatches(s, key, file.vaultId, kcv)) {
        throw new CoreError(ErrorCode.VaultCorrupt, 'the key file does not match its check value');
      }
      await openInWorker(false, { kind: 'key', key }, [key.buffer]);
    } catch (e) {
      // The token process is needed only while unlocked: end it on a failed unlock too.
      options.tokenWrapper.stopWatching?.();
      throw e;
    } finally {
      zeroKey(key);
    }
    options.tokenWrapper.watchRemoval?.(asTokenWrapped(wrapper), options.onTokenRemoved);
  }

  /** Closes the database (the worker zeroes its key with the connection) and ends the thread. */
  async function lock(reason: LockReason): Promise<void> {
    idle.stopped();
    const w = state.worker;
    state.worker = null;
    if (!w) return;
    options.tokenWrapper?.stopWatching?.();
    // The lock and a signed checkpoint go into the vault it locks, bounded like the close.
    if (options.audit) {
      const audit = options.audit;
      const run = (op: string, input: unknown) => w.request(op as 'audit.append', input as never);
      await Promise.race([audit.closing(reason, run).catch(() => undefined), delay(2000)]);
    }
    // A bounded, polite close first (it checkpoints the WAL); the thread ends either way.
    await Promise.race([w.request('close', {}).catch(() => undefined), delay(2000)]);
    await w.terminate();
    options.onLock?.(reason);
  }

  return { currentKeyFile, create, unlock, lock };
}

export type KeyLifecycle = ReturnType<typeof createKeyLifecycle>;
