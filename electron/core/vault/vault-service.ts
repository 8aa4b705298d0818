import { randomBytes } from 'node:crypto';
import { mkdir, readFile, rename, rm, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { CoreError, ErrorCode } from '../../../shared/contract/errors';
import type { PartHealth } from '../../../shared/contract/calls';
import type { VaultCreateInput, VaultStatus, VaultUnlockInput } from '../../../shared/contract/vault-calls';
import {
  DEFAULT_IDLE_TIMEOUT_SECONDS,
  MAX_IDLE_TIMEOUT_SECONDS,
  MIN_IDLE_TIMEOUT_SECONDS,
} from '../../../shared/domain/vault';
import { sealToEscrow, type EscrowRecipient } from './escrow-wrapper';
import {
  fsyncDir,
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
import type { TokenKeyWrapper, TokenUnlockSecret } from './token-wrapper';
import { loadSodium, type Sodium } from './sodium';
import { databaseFiles } from './vault-db';
import { generateVaultKey, keyCheckValue, keyMatches, zeroKey, type VaultKey } from './vault-key';
import { startVaultWorker, type VaultWorker } from './vault-worker-client';
import { defaultWorkerScript, type WorkerScript } from './worker-location';
import type { WorkerInput, WorkerOp, WorkerOutput } from './worker-protocol';

/** Why the vault locked (for the audit log and the UI's message). */
export type LockReason = 'officer' | 'idle' | 'token-removed' | 'suspend' | 'worker-exit' | 'shutdown';

export interface VaultServiceOptions {
  readonly profileDir: string;
  /** Where the worker is (default: found beside this code or its bundle). */
  readonly workerScript?: WorkerScript;
  /** Policy: seal a copy of the vault key to this HQ recovery key at creation. */
  readonly escrow?: EscrowRecipient;
  /** The token binding (from the token layer); without it, token profiles are E_NOT_SET_UP. */
  readonly tokenWrapper?: TokenKeyWrapper;
  /** Told after every lock (idle, token removal…), so the UI can clear its state. */
  readonly onLock?: (reason: LockReason) => void;
  /**
   * Whether the idle lock is armed (default true). Off only where the process itself is the
   * session and no officer is there to touch it: the `embassy` CLI runs one command (a `sync`
   * can last hours) and locks as it exits. An idle timer there would cut a run mid-way.
   */
  readonly idleLock?: boolean;
  /**
   * Tests only: lock after at most this many milliseconds without officer input, below the
   * contract's 30 s minimum. It can only shorten the stored delay, never lengthen it; the
   * contract, the CLI and the UI cannot set it (only code that builds the core can).
   */
  readonly idleTimeoutCapMs?: number;
  readonly now?: () => number;
}

/** The domain operations the handlers may run (everything but key handling). */
export type DomainOp = Exclude<WorkerOp, 'open' | 'wrapPassphrase' | 'close'>;

/**
 * The vault's life cycle on the caller's thread: absent → (create) → unlocked ⇄ locked →
 * (wipe) → absent. Holds no key: keys go to the worker (transferred, so no copy stays here)
 * and the worker thread lives only while unlocked. Every transition is serialised.
 */
export interface VaultService {
  status(): Promise<VaultStatus>;
  create(input: VaultCreateInput): Promise<VaultStatus>;
  unlock(input: VaultUnlockInput): Promise<VaultStatus>;
  lock(reason?: LockReason): Promise<VaultStatus>;
  /**
   * Officer input (the renderer sends it from real keyboard and pointer events): restarts the
   * idle countdown. Nothing else does: background work through `run()` (the sync engine, the
   * page's status polls) never keeps an unattended vault open.
   */
  touch(): Promise<VaultStatus>;
  setIdleTimeout(seconds: number): Promise<VaultStatus>;
  /** Crypto-shred: every wrapped key, then the database files. */
  wipe(): Promise<{ elapsedMs: number }>;
  /**
   * A domain operation in the worker (E_VAULT_ABSENT / E_VAULT_LOCKED unless unlocked). Not
   * officer activity: it does not postpone the idle lock.
   */
  run<O extends DomainOp>(
    op: O,
    input: WorkerInput<O>,
    transfer?: readonly ArrayBufferLike[],
  ): Promise<WorkerOutput<O>>;
  health(): Promise<PartHealth>;
  /** Locks and releases timers (process shutdown). */
  dispose(): Promise<void>;
}

/** The vault's files inside the profile folder. */
export function vaultPaths(profileDir: string) {
  const dir = join(profileDir, 'vault');
  return {
    dir,
    keyFile: join(dir, 'vault.key'),
    db: join(dir, 'vault.db'),
    settings: join(profileDir, 'vault-settings.json'),
  };
}

const encoder = new TextEncoder();

/**
 * Secrets as bytes in their own buffer (so they can be transferred and zeroed). NFC first: the
 * same Vietnamese passphrase typed on two keyboards may arrive composed or decomposed.
 */
function secretBytes(secret: string): Uint8Array {
  return encoder.encode(secret.normalize('NFC'));
}

export function createVaultService(options: VaultServiceOptions): VaultService {
  const paths = vaultPaths(options.profileDir);
  const now = options.now ?? Date.now;
  // Resolved when first needed: a core that never opens the vault never looks for the worker.
  const script = (): WorkerScript => options.workerScript ?? defaultWorkerScript();
  let sodiumPromise: Promise<Sodium> | null = null;
  const sodium = () => (sodiumPromise ??= loadSodium());

  let worker: VaultWorker | null = null;
  let keyFile: KeyFile | null = null;
  let idleTimeoutSeconds: number | null = null;
  const idleLock = options.idleLock ?? true;
  /** When the officer last gave input (a `touch`), or the vault was opened. */
  let lastActivity = now();
  let idleTimer: NodeJS.Timeout | null = null;
  // Transitions (create, unlock, lock, wipe) run one at a time, in order.
  let transitions: Promise<unknown> = Promise.resolve();
  const serial = <T>(fn: () => Promise<T>): Promise<T> => {
    const run = transitions.then(fn);
    transitions = run.catch(() => undefined);
    return run;
  };

  async function idleSeconds(): Promise<number> {
    if (idleTimeoutSeconds !== null) return idleTimeoutSeconds;
    try {
      const raw = JSON.parse(await readFile(paths.settings, 'utf8')) as { idleTimeoutSeconds?: unknown };
      const v = raw.idleTimeoutSeconds;
      idleTimeoutSeconds =
        typeof v === 'number' &&
        Number.isInteger(v) &&
        v >= MIN_IDLE_TIMEOUT_SECONDS &&
        v <= MAX_IDLE_TIMEOUT_SECONDS
          ? v
          : DEFAULT_IDLE_TIMEOUT_SECONDS;
    } catch {
      idleTimeoutSeconds = DEFAULT_IDLE_TIMEOUT_SECONDS;
    }
    return idleTimeoutSeconds;
  }

  /** The idle delay in force: the stored one, shortened by the test-only cap. */
  function idleMs(seconds: number): number {
    const ms = seconds * 1000;
    return options.idleTimeoutCapMs === undefined ? ms : Math.min(ms, options.idleTimeoutCapMs);
  }

  function armIdleTimer(seconds: number): void {
    if (idleTimer) clearTimeout(idleTimer);
    idleTimer = null;
    if (!worker || !idleLock) return;
    const due = lastActivity + idleMs(seconds) - now();
    idleTimer = setTimeout(() => void serial(() => lockNow('idle')), Math.max(0, due));
    idleTimer.unref();
  }

  async function activity(): Promise<void> {
    lastActivity = now();
    if (worker) armIdleTimer(await idleSeconds());
  }

  async function currentKeyFile(): Promise<KeyFile | null> {
    if (keyFile) return keyFile;
    if (!(await keyFileExists(paths.keyFile))) return null;
    keyFile = await readKeyFile(paths.keyFile);
    return keyFile;
  }

  async function status(): Promise<VaultStatus> {
    const seconds = await idleSeconds();
    let file: KeyFile | null = null;
    let present = false;
    try {
      present = await keyFileExists(paths.keyFile);
      file = present ? await currentKeyFile() : null;
    } catch {
      // A damaged key file: the vault exists but cannot say more; unlock reports the damage.
    }
    const token = file?.wrappers.find((w): w is TokenWrapperRecord => w.kind === 'token');
    const unlocked = worker !== null;
    return {
      state: !present ? 'absent' : unlocked ? 'unlocked' : 'locked',
      profile: file?.profile ?? null,
      token:
        file?.profile === 'token' && token
          ? {
              label: token.token.label,
              serial: token.token.serial,
              holder: token.key.holder,
              certFingerprint: token.key.certFingerprint,
            }
          : null,
      escrow: file?.wrappers.some((w) => w.kind === 'escrow') ?? false,
      idleTimeoutSeconds: seconds,
      secondsUntilAutoLock:
        unlocked && idleLock ? Math.max(0, (lastActivity + idleMs(seconds) - now()) / 1000) : null,
      createdAt: file?.createdAt ?? null,
    };
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
    const w = startVaultWorker(script());
    try {
      await w.request('open', { dbPath: paths.db, create, unlock }, transfer);
    } catch (e) {
      await w.terminate();
      throw e;
    }
    worker = w;
    w.onExit(() => {
      if (worker === w) {
        worker = null;
        options.onLock?.('worker-exit');
      }
    });
    lastActivity = now();
    armIdleTimer(await idleSeconds());
  }

  async function create(input: VaultCreateInput): Promise<VaultStatus> {
    if (worker) throw new CoreError(ErrorCode.VaultExists, 'a vault already exists and is unlocked');
    await assertNothingThere();
    await mkdir(paths.dir, { recursive: true, mode: 0o700 });
    const s = await sodium();
    const vaultId = s.to_hex(s.randombytes_buf(16));
    const key: VaultKey = generateVaultKey(s);
    try {
      const wrappers: WrapperRecord[] = [];
      if (input.profile === 'passphrase') {
        // Argon2id runs in a short-lived worker of its own (the caller's loop never waits on it).
        const copy = key.slice();
        const pass = secretBytes(input.passphrase);
        const kdf = startVaultWorker(script());
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
      if (options.escrow) wrappers.push(sealToEscrow(s, key, vaultId, options.escrow));
      const file: KeyFile = {
        format: KEY_FILE_FORMAT,
        version: KEY_FILE_VERSION,
        vaultId,
        createdAt: new Date(now()).toISOString(),
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
      keyFile = file;
      const token = wrappers.find((w): w is TokenWrapperRecord => w.kind === 'token');
      if (token)
        options.tokenWrapper?.watchRemoval?.(
          asTokenWrapped(token),
          () => void serial(() => lockNow('token-removed')),
        );
      return await status();
    } finally {
      zeroKey(key);
    }
  }

  async function unlock(input: VaultUnlockInput): Promise<VaultStatus> {
    if (worker) return status();
    const file = await currentKeyFile();
    if (!file) throw new CoreError(ErrorCode.VaultAbsent, 'no vault on this workstation');
    const s = await sodium();
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
    } else {
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
      options.tokenWrapper.watchRemoval?.(
        asTokenWrapped(wrapper),
        () => void serial(() => lockNow('token-removed')),
      );
    }
    return status();
  }

  /** Closes the database (the worker zeroes its key with the connection) and ends the thread. */
  async function lockNow(reason: LockReason): Promise<VaultStatus> {
    if (idleTimer) clearTimeout(idleTimer);
    idleTimer = null;
    const w = worker;
    worker = null;
    if (w) {
      options.tokenWrapper?.stopWatching?.();
      // A bounded, polite close first (it checkpoints the WAL); the thread ends either way.
      await Promise.race([w.request('close', {}).catch(() => undefined), delay(2000)]);
      await w.terminate();
      options.onLock?.(reason);
    }
    return status();
  }

  async function wipe(): Promise<{ elapsedMs: number }> {
    const started = process.hrtime.bigint();
    if (idleTimer) clearTimeout(idleTimer);
    idleTimer = null;
    const w = worker;
    worker = null;
    options.tokenWrapper?.stopWatching?.();
    // Stop the thread without waiting for a graceful close: the point is speed.
    const stopping = w ? w.terminate() : Promise.resolve();
    // 1. Every wrapped copy of the key: the key file (all wrappers live in it).
    await shredFile(paths.keyFile);
    for (const stale of await listTempKeyFiles()) await shredFile(stale);
    keyFile = null;
    await fsyncDirIfThere(paths.dir);
    await stopping;
    // 2. The database and its side files: unlink is O(1) whatever the size; without the key
    //    their bytes are ciphertext no one can open.
    for (const f of databaseFiles(paths.db)) await rm(f, { force: true });
    await fsyncDirIfThere(paths.dir);
    if (w) options.onLock?.('officer');
    return { elapsedMs: Number(process.hrtime.bigint() - started) / 1e6 };
  }

  async function listTempKeyFiles(): Promise<string[]> {
    const { readdir } = await import('node:fs/promises');
    try {
      return (await readdir(paths.dir))
        .filter((n) => n.startsWith('vault.key.') && n.endsWith('.tmp'))
        .map((n) => join(paths.dir, n));
    } catch {
      return [];
    }
  }

  return {
    status,
    create: (input) => serial(() => create(input)),
    unlock: (input) => serial(() => unlock(input)),
    lock: (reason = 'officer') => serial(() => lockNow(reason)),
    async touch() {
      await activity();
      return status();
    },
    setIdleTimeout: (seconds) =>
      serial(async () => {
        if (
          !Number.isInteger(seconds) ||
          seconds < MIN_IDLE_TIMEOUT_SECONDS ||
          seconds > MAX_IDLE_TIMEOUT_SECONDS
        ) {
          throw new CoreError(ErrorCode.InvalidInput, 'idle timeout out of range');
        }
        await mkdir(options.profileDir, { recursive: true, mode: 0o700 });
        const tmp = `${paths.settings}.${randomBytes(4).toString('hex')}.tmp`;
        await writeFile(tmp, `${JSON.stringify({ idleTimeoutSeconds: seconds })}\n`, { mode: 0o600 });
        await rename(tmp, paths.settings);
        idleTimeoutSeconds = seconds;
        if (worker) armIdleTimer(seconds);
        return status();
      }),
    // Wipe does not queue behind a slow transition: it is the emergency path.
    wipe,
    async run(op, input, transfer) {
      const w = worker;
      if (!w) {
        if (!(await keyFileExists(paths.keyFile)))
          throw new CoreError(ErrorCode.VaultAbsent, 'no vault on this workstation');
        throw new CoreError(ErrorCode.VaultLocked, 'the vault is locked');
      }
      return w.request(op, input, transfer);
    },
    async health() {
      const st = await status();
      if (st.state === 'absent') return { state: 'not-set-up' };
      if (st.state === 'locked') return { state: 'locked' };
      return { state: 'ok' };
    },
    async dispose() {
      await serial(() => lockNow('shutdown'));
    },
  };
}

function delay(ms: number): Promise<void> {
  return new Promise((resolve) => setTimeout(resolve, ms).unref());
}

async function fsyncDirIfThere(dir: string): Promise<void> {
  try {
    await fsyncDir(dir);
  } catch (e) {
    if ((e as NodeJS.ErrnoException).code !== 'ENOENT') throw e;
  }
}
