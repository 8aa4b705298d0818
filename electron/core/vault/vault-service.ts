import { CoreError, ErrorCode } from '../../../shared/contract/errors';
import type { PartHealth } from '../../../shared/contract/calls';
import type { VaultStatus, VaultUnlockInput } from '../../../shared/contract/vault-calls';
import type { EscrowRecipient } from './escrow-wrapper';
import { createIdleLock } from './idle-lock';
import { keyFileExists, type KeyFile, type TokenWrapperRecord } from './key-file';
import { createKeyLifecycle, type VaultCreateRequest } from './key-lifecycle';
import { loadSodium, type Sodium } from './sodium';
import type { TokenKeyWrapper } from './token-wrapper';
import { vaultPaths } from './vault-paths';
import type { PdfTextSource } from './pdf-text-link';
import type { LockReason, VaultAuditHooks, VaultState } from './vault-state';
import { wipeVault } from './vault-wipe';
import { defaultWorkerScript, type WorkerScript } from './worker-location';
import type { WorkerInput, WorkerOp, WorkerOutput } from './worker-protocol';

export { vaultPaths } from './vault-paths';
export type { LockReason, VaultAuditHooks } from './vault-state';

export interface VaultServiceOptions {
  readonly profileDir: string;
  /** Where the worker is (default: found beside this code or its bundle). */
  readonly workerScript?: WorkerScript;
  /**
   * Where stored PDFs are read for the search index: the core's PDF sandbox. The worker never
   * parses a PDF; without this, PDFs are stored but not searchable by content.
   */
  readonly pdfText?: PdfTextSource;
  /** Policy: seal a copy of the vault key to this HQ recovery key at creation (or the one policy names then). */
  readonly escrow?: EscrowRecipient | (() => Promise<EscrowRecipient | undefined>);
  /** IT's idle delay in seconds when policy sets one; it then wins over the stored one. */
  readonly idleTimeoutFromPolicy?: () => Promise<number | undefined>;
  /** The token binding (from the token layer); without it, token profiles are E_NOT_SET_UP. */
  readonly tokenWrapper?: TokenKeyWrapper;
  /** Told after every lock (idle, token removal…), so the UI can clear its state. */
  readonly onLock?: (reason: LockReason) => void;
  /** The audit log's moments: unlock, failed unlock, lock (before the close), wipe. */
  readonly audit?: VaultAuditHooks;
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
  create(input: VaultCreateRequest): Promise<VaultStatus>;
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

/**
 * The service composed of its parts: the idle lock (idle-lock.ts), the key's life cycle
 * (key-lifecycle.ts) and the wipe (vault-wipe.ts), over one state object (vault-state.ts).
 * Here: the order of transitions, the status, and the gate in front of the worker.
 */
export function createVaultService(options: VaultServiceOptions): VaultService {
  const paths = vaultPaths(options.profileDir);
  const now = options.now ?? Date.now;
  const state: VaultState = { worker: null, keyFile: null };
  // Loaded when first needed, once.
  const crypto: { sodium: Promise<Sodium> | null } = { sodium: null };
  const sodium = () => (crypto.sodium ??= loadSodium());

  // Transitions (create, unlock, lock, configure) run one at a time, in order.
  const queue: { tail: Promise<unknown> } = { tail: Promise.resolve() };
  const serial = <T>(fn: () => Promise<T>): Promise<T> => {
    const run = queue.tail.then(fn);
    queue.tail = run.catch(() => undefined);
    return run;
  };

  const idle = createIdleLock({
    settingsPath: paths.settings,
    enabled: options.idleLock ?? true,
    capMs: options.idleTimeoutCapMs,
    managedSeconds: options.idleTimeoutFromPolicy,
    now,
    onIdle: () => void serial(() => lockNow('idle')),
  });
  const keys = createKeyLifecycle({
    paths,
    state,
    idle,
    sodium,
    // Resolved when first needed: a core that never opens the vault never looks for the worker.
    script: () => options.workerScript ?? defaultWorkerScript(),
    pdfText: options.pdfText,
    escrow: options.escrow,
    tokenWrapper: options.tokenWrapper,
    onLock: options.onLock,
    audit: options.audit,
    onTokenRemoved: () => void serial(() => lockNow('token-removed')),
    now,
  });

  async function lockNow(reason: LockReason): Promise<VaultStatus> {
    await keys.lock(reason);
    return status();
  }

  async function status(): Promise<VaultStatus> {
    const seconds = await idle.seconds();
    let file: KeyFile | null = null;
    let present = false;
    try {
      present = await keyFileExists(paths.keyFile);
      file = present ? await keys.currentKeyFile() : null;
    } catch {
      // A damaged key file: the vault exists but cannot say more; unlock reports the damage.
    }
    const token = file?.wrappers.find((w): w is TokenWrapperRecord => w.kind === 'token');
    const unlocked = state.worker !== null;
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
      secondsUntilAutoLock: unlocked ? idle.secondsLeft(seconds) : null,
      createdAt: file?.createdAt ?? null,
    };
  }

  return {
    status,
    create: (input) =>
      serial(async () => {
        await keys.create(input);
        return status();
      }),
    unlock: (input) =>
      serial(async () => {
        await keys.unlock(input);
        return status();
      }),
    lock: (reason = 'officer') => serial(() => lockNow(reason)),
    async touch() {
      await idle.input();
      return status();
    },
    setIdleTimeout: (seconds) =>
      serial(async () => {
        await idle.configure(seconds);
        return status();
      }),
    // Wipe does not queue behind a slow transition: it is the emergency path.
    wipe: () => {
      options.audit?.wipeRequested();
      return wipeVault({ paths, state, idle, tokenWrapper: options.tokenWrapper, onLock: options.onLock });
    },
    async run(op, input, transfer) {
      const w = state.worker;
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
