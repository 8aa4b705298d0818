import { createDispatcher, type Dispatch, type DispatchObserver, type HandlerTable } from './contract';
import { readHealth, type RuntimeInfo } from './health';
import { ensurePrivateDirSync } from './profile';
import { createPdfSandbox, type PdfSandboxOptions, type PdfSandboxStats } from './pdf-sandbox';
import { createSettingsStore } from './settings';
import { createTokenHostPool, driverModulePath, isKnownDriver, knownDrivers } from './token';
import { CoreError, ErrorCode } from '../../shared/contract/errors';
import {
  createDocumentTransitions,
  type DocumentTransitions,
  createTokenKeyWrapper,
  createVaultHandlers,
  createVaultService,
  loadSodium,
  type VaultService,
  type VaultServiceOptions,
} from './vault';
import {
  approvalVerifier,
  createDocumentApprovalHandlers,
  createDocumentSigningHandlers,
  createValidationDataHandlers,
  createTimestampQueue,
  createSigningHandlers,
  createSigningService,
  loadTrust,
  trustAnchorsInUse,
  type SigningServiceOptions,
  type TrustSources,
} from './signing';
import {
  createContactHandlers,
  createSyncHandlers,
  createSyncService,
  type SyncService,
  type SyncServiceOptions,
} from './sync';
import { defaultItRootPath } from './it-signing';
import { createPolicyHandlers, createPolicyService, type PolicyService } from './policy';
import { createPolicyGates } from './core-policy';
import { createSignedUpdates, createUpdateHandlers, missionOf } from './updates';
import type { BaseUpdater } from 'electron-updater';
import { createExportHandlers } from './export';
import {
  auditedCalls,
  auditedPolicy,
  auditedUpdates,
  createAuditHandlers,
  createAuditLog,
  vaultAuditHooks,
  type AuditLog,
} from './audit';

export interface CoreOptions {
  /** The officer's profile folder (settings now; vault, keys and outbox later). */
  readonly profileDir: string;
  readonly version: string;
  /** Electron's version when the core runs inside Electron, else null. */
  readonly electron?: string | null;
  readonly observe?: DispatchObserver;
  /** Vault wiring: token binding, escrow policy, lock notifications, worker location. */
  readonly vault?: Omit<VaultServiceOptions, 'profileDir'>;
  /** Sync engine options (tests shorten intervals; the CLI turns background rounds off). */
  readonly sync?: Omit<SyncServiceOptions, 'vault' | 'signing'> & { readonly background?: boolean };
  /** Token and signing: module override, token process options, extra trust sources. */
  readonly signing?: {
    readonly modulePath?: string;
    readonly tokenHost?: SigningServiceOptions['tokenHost'];
    readonly trust?: TrustSources;
  };
  /**
   * The PDF sandbox: how its process starts (the app passes a utilityProcess launcher), its
   * time and memory limits. Every PDF the core reads is parsed there.
   */
  readonly pdfSandbox?: PdfSandboxOptions;
  /** IT policy: the pinned root (default `resources/it-root.json`; null: none, tests). */
  readonly policy?: { readonly pinnedRootPath?: string | null; readonly now?: () => number };
  /** Signed updates: electron-updater's updater for this platform, built by the shell; absent: unsupported. */
  readonly updates?: {
    readonly updater: BaseUpdater;
    /** Asks the officer for an update folder (main's dialog); null when cancelled. */
    readonly pickFolder?: () => Promise<string | null>;
  };
  /**
   * Files the officer saves (`export.attachment`): main's save dialog, with a name suggested;
   * null when cancelled. Absent (preview, CLI): the caller delivers (a download).
   */
  readonly export?: { readonly pickSavePath?: (suggestedName: string) => Promise<string | null> };
}

export interface Core {
  /** The one entry point every transport calls. */
  readonly dispatch: Dispatch;
  /** The handler table itself, for direct in-process calls (benchmarks, tests). */
  readonly handlers: HandlerTable;
  /** The vault service (main wires idle/suspend/lock events to it; shutdown disposes it). */
  readonly vault: VaultService;
  /** The sync engine (the CLI runs one round and reads its report). */
  readonly sync: SyncService;
  /** What the PDF sandbox lived through (starts, crashes, timeouts): tests and health. */
  readonly pdfSandboxStats: () => PdfSandboxStats;
  /** IT's policy in force (the sync engine imports what HQ publishes). */
  readonly policy: PolicyService;
  /** The audit log: any part records security events here (`record(kind, refs)`). */
  readonly audit: AuditLog;
  /**
   * Documents' status changes made in the core (officer, approval, signing): `onTransition`
   * attaches a consequence. (The acknowledgement of receipt is queued in the worker, in the
   * transaction that registers the received document.)
   */
  readonly transitions: DocumentTransitions;
  /** Ends what the core started (the token process, the PDF sandbox). */
  close(): Promise<void>;
}

/** Composes the core's parts into the handler table that every transport serves. */
export function createCore(options: CoreOptions): Core {
  const runtime: RuntimeInfo = {
    version: options.version,
    electron: options.electron ?? null,
    startedAt: Date.now(),
  };
  // The profile is the officer's alone: 0700, tightened if it already existed wider.
  ensurePrivateDirSync(options.profileDir);
  const settings = createSettingsStore(options.profileDir);
  // The audit log writes into the vault's chain when it is open (vault is defined below; the
  // sink is first called a turn of the event loop after the first event).
  const audit = createAuditLog({ sink: (op, input) => vault.run(op, input as never) });
  const policy = auditedPolicy(
    createPolicyService({
      profileDir: options.profileDir,
      pinnedRootPath:
        options.policy?.pinnedRootPath === null
          ? undefined
          : (options.policy?.pinnedRootPath ?? defaultItRootPath()),
      now: options.policy?.now,
    }),
    audit,
  );
  const gates = createPolicyGates(policy);
  const enrolledIdentity = async () =>
    (await vault.run('sync.identity', {}).catch(() => ({ identity: null }))).identity;
  const updates = options.updates
    ? createSignedUpdates({
        updater: options.updates.updater,
        profileDir: options.profileDir,
        trustedRoot: () => policy.root(),
        policySource: async () => {
          const p = await policy.current();
          return (
            p && { kind: 'hq', url: p.updates.url, channel: p.updates.channel, pinSha256: p.hq.certSha256 }
          );
        },
        // The mission, for per-mission targets: the department it enrolled under, read from the
        // vault when it is open (else none: the rollout share decides). Staged rollout keeps the
        // profile's own stable id, so a locked vault does not move a workstation in or out.
        missionId: async () => missionOf((await enrolledIdentity())?.department),
      })
    : null;
  // One token process per module, shared by the vault's key binding and signing; policy decides
  // which libraries may be loaded at all, before any process starts.
  const tokens = createTokenHostPool({ pollMs: 500, ...options.signing?.tokenHost });
  // One PDF sandbox for the core: the vault's indexing and signing read PDFs through it only.
  const pdf = createPdfSandbox(options.pdfSandbox);
  const startClient = async (modulePath: string) => {
    await gates.driver(modulePath);
    return tokens.acquire(modulePath);
  };
  const vault = createVaultService({
    tokenWrapper: createTokenKeyWrapper({ startClient, sodium: loadSodium }),
    pdfText: (bytes, maxChars, format) => pdf.text(bytes, maxChars, format),
    escrow: gates.escrow,
    idleTimeoutFromPolicy: gates.idleSeconds,
    ...options.vault,
    // Lock stops sync at once (its keys and transfers live with the open vault).
    audit: vaultAuditHooks(audit),
    onLock: (reason) => {
      // A crashed worker could not write its lock: it waits for the next unlock.
      if (reason === 'worker-exit') audit.record('vault.locked', { reason });
      void sync.stop();
      options.vault?.onLock?.(reason);
    },
    profileDir: options.profileDir,
  });
  const signing = createSigningService({
    // An explicit module (CLI --module) wins; else the one IT set in settings; else probing.
    modulePath: options.signing?.modulePath,
    modulePathFromSettings: async () => {
      const s = await settings.get();
      return s.pkcs11Module ?? (s.pkcs11Driver ? driverModulePath(s.pkcs11Driver) : undefined);
    },
    // IT's policy names the TSA when it names one. Else settings': HQ's TSA is on the relay,
    // its pinned certificate the enrolled one, else settings' pin.
    tsaFromSettings: async () => {
      const fromPolicy = await gates.tsa();
      if (fromPolicy) return fromPolicy;
      const { tsaUrl, tsaPin } = await settings.get();
      if (!tsaUrl) return undefined;
      const hq = (await sync.status().catch(() => undefined))?.hq;
      const pin = hq && new URL(hq.url).origin === new URL(tsaUrl).origin ? hq.fingerprint : tsaPin;
      return { url: tsaUrl, ...(pin ? { pin } : {}) };
    },
    startClient,
    trust: async () => gates.withPolicyTrust(await loadTrust(options.signing?.trust ?? {})),
    pdf,
  });
  const stampQueue = createTimestampQueue({ vault, signing });
  const sync = createSyncService({
    vault,
    signing,
    importPolicy: (text) => policy.import(text),
    auditKey: gates.auditKey,
    // Each round is a connection: the timestamps that waited for one are added then.
    afterRound: () => void stampQueue.flush().catch(() => undefined),
    // Officers' identities rest on the same pinned anchors and CRLs as signatures (policy's too).
    identityTrust: async () => {
      const t = await gates.withPolicyTrust(await loadTrust(options.signing?.trust ?? {}));
      return { anchors: t.anchors.map((c) => new Uint8Array(c.raw)), crls: t.crls ?? [] };
    },
    ...options.sync,
  });
  // The one door for status changes made in the core (onTransition attaches consequences).
  const transitions = createDocumentTransitions(vault);
  // Registering a received document queues its receipt: it leaves with a round now, not the
  // next background one.
  const vaultHandlers = createVaultHandlers(vault, approvalVerifier(signing), transitions, () =>
    sync.queued(),
  );
  const handlers: HandlerTable = {
    'app.health': async (_input, ctx) => {
      const st = await vault.status();
      return readHealth(
        runtime,
        ctx.transport,
        Date.now(),
        await vault.health(),
        { state: updates && (await policy.current()) ? 'ok' : 'not-set-up' },
        { state: st.profile !== 'token' ? 'not-set-up' : st.state === 'unlocked' ? 'ok' : 'locked' },
      );
    },
    'settings.get': async () => settings.get(),
    'trust.anchors': async () => ({
      anchors: await trustAnchorsInUse(options.signing?.trust ?? {}, (base) => gates.withPolicyTrust(base)),
    }),
    // A driver is named by id from the allow-list; a library file only by the CLI (call-access.ts).
    'settings.update': async (change) => {
      if (change.pkcs11Driver !== undefined && !isKnownDriver(change.pkcs11Driver)) {
        throw new CoreError(ErrorCode.InvalidInput, 'unknown token driver');
      }
      if (change.pkcs11Driver !== undefined) await gates.driver(driverModulePath(change.pkcs11Driver));
      if (change.pkcs11Module !== undefined) await gates.driver(change.pkcs11Module);
      if (change.tsaUrl !== undefined || change.tsaPin !== undefined) await gates.notManaged('tsa');
      return settings.update(change);
    },
    'token.drivers': async () => ({ drivers: knownDrivers() }),
    ...vaultHandlers,
    // Online, HQ hears of the wipe first (a notice signed by the device key: it revokes the
    // device); offline or slow, the wipe does not wait more than a few seconds.
    'vault.wipe': async () => {
      const hq = await sync.reportWiped();
      return { wiped: true as const, elapsedMs: (await vault.wipe()).elapsedMs, hq };
    },
    'vault.configure': async (input, ctx) => {
      await gates.notManaged('idleLock');
      return vaultHandlers['vault.configure'](input, ctx);
    },
    // The officer's token driver, once chosen for the vault, is the one signing uses too.
    'vault.create': async (input, ctx) => {
      await gates.vaultProfile(input);
      const status = await vaultHandlers['vault.create'](input, ctx);
      if (input.profile === 'token') {
        await settings.update(
          input.driver ? { pkcs11Driver: input.driver } : { pkcs11Module: input.modulePath },
        );
      }
      if (options.sync?.background !== false) sync.start();
      return status;
    },
    'vault.unlock': async (input, ctx) => {
      const status = await vaultHandlers['vault.unlock'](input, ctx);
      if (status.state === 'unlocked' && options.sync?.background !== false) sync.start();
      if (status.state === 'unlocked') void stampQueue.flush().catch(() => undefined);
      return status;
    },
    ...createSigningHandlers(signing),
    ...createDocumentSigningHandlers({ vault, signing, audit, stampQueue, transitions }),
    ...createDocumentApprovalHandlers({ vault, signing, transitions }),
    ...createValidationDataHandlers({ vault, signing }),
    ...createSyncHandlers(sync),
    ...createContactHandlers(vault, options.sync?.now),
    ...createPolicyHandlers(policy),
    ...createUpdateHandlers(updates, options.version, options.updates?.pickFolder),
    ...createAuditHandlers(vault, audit),
    ...createExportHandlers({ vault, audit, pickSavePath: options.export?.pickSavePath }),
  };
  // The wrappers call the handlers as they were (a copy), then record the outcome.
  Object.assign(handlers, auditedCalls({ ...handlers }, audit), auditedUpdates({ ...handlers }, audit));
  return {
    dispatch: createDispatcher(handlers, options.observe),
    handlers,
    vault,
    sync,
    pdfSandboxStats: () => pdf.stats(),
    policy,
    audit,
    transitions,
    close: async () => {
      await sync.stop();
      await vault.dispose();
      await signing.close();
      await tokens.close();
      await pdf.close();
      updates?.dispose();
    },
  };
}
