import type { z } from 'zod';
import { CoreError, ErrorCode } from '../../../shared/contract/errors';
import type {
  OutboxItem,
  SyncDirectory,
  SyncEnrollInput,
  SyncSendInput,
  SyncStatus,
} from '../../../shared/contract/sync-calls';
import {
  enrolmentMessage,
  tokenEnrolmentMessage,
  type EnrolmentCertification,
  type InboxItem,
} from '../../../shared/sync/relay-protocol';
import type { SigningService } from '../signing';
import { loadSodium, type VaultService } from '../vault';
import { createRelayClient, RelayClientError, type DeviceRelay, type RelayClient } from './relay-client';

/** The core's sync engine, as the handlers and the CLI see it. */
export interface SyncService {
  status(): Promise<SyncStatus>;
  enroll(input: z.output<typeof SyncEnrollInput>): Promise<SyncStatus>;
  directory(): Promise<SyncDirectory>;
  send(input: z.output<typeof SyncSendInput>): Promise<{ items: OutboxItem[] }>;
  /** One full round now (prekeys, directory, outbox, inbox); answers the status after it. */
  syncNow(): Promise<SyncStatus>;
  outbox(): Promise<{ items: OutboxItem[] }>;
  retry(id: string): Promise<OutboxItem>;
  cancel(id: string): Promise<OutboxItem>;
  /** What one round did (for `embassy sync --once --json`). */
  lastRound(): RoundReport | null;
  /** The vault opened: start background sync if enrolled. */
  start(): void;
  /** The vault locked or the core is closing: stop all transfers now. */
  stop(): Promise<void>;
}

export interface RoundReport {
  sent: number;
  received: number;
  rejected: number;
  duplicates: number;
  pending: number;
  failed: number;
  errors: { code: string; message: string }[];
}

export interface SyncServiceOptions {
  readonly vault: VaultService;
  readonly signing: Pick<SigningService, 'signRaw'>;
  readonly now?: () => number;
  /** Background rounds (default 30 s; a push or "sync now" starts one at once). */
  readonly intervalMs?: number;
  /** Backoff after a failed round or upload: base and ceiling (full jitter). */
  readonly backoff?: { baseMs: number; maxMs: number };
  /** Prekey rotation policy (tests shorten it). */
  readonly prekeyPolicy?: { rotateEveryMs: number; graceMs: number };
  /** Relay client options (tests lower timeouts). */
  readonly relay?: { timeoutMs?: number };
  /** Transfers in flight at once (default 4). */
  readonly concurrency?: number;
  /** Keep a WebSocket to the relay for live mail (default on). */
  readonly push?: boolean;
}

const READ_PIECE = 4 * 1024 * 1024;
/**
 * Upload PATCH size. Big: on a long link each request costs a round trip of idle line (the
 * relay takes up to 8 MiB). `bench/sync-engine-link.bench.ts` measures the engine's uploads
 * with it.
 */
export const ENGINE_CHUNK_BYTES = 4 * 1024 * 1024;

/** Runs `fn` over `items`, at most `n` at a time. */
async function pool<T>(items: readonly T[], n: number, fn: (item: T) => Promise<void>): Promise<void> {
  let next = 0;
  const worker = async () => {
    while (next < items.length) await fn(items[next++] as T);
  };
  await Promise.all(Array.from({ length: Math.min(n, items.length) }, worker));
}

/** Items larger than this are transferred one at a time (see poolBySize). */
const BULK_ITEM_BYTES = 1024 * 1024;

/**
 * `pool`, with large items apart: small ones `n` at a time, large ones one at a time beside
 * them. On a thin link, parallel bulk transfers add no throughput (they share the link), but
 * each keeps its own queue in the network, and every small request (a message, an inbox
 * listing, an acknowledgement) waits behind all of them.
 */
async function poolBySize<T extends { size: number }>(
  items: readonly T[],
  n: number,
  fn: (item: T) => Promise<void>,
): Promise<void> {
  const large = items.filter((i) => i.size > BULK_ITEM_BYTES);
  const small = items.filter((i) => i.size <= BULK_ITEM_BYTES);
  await Promise.all([pool(small, n, fn), pool(large, 1, fn)]);
}

/** How often a round whose outbox is still sending looks at the inbox when no push arrives. */
const INBOX_POLL_MS = 5_000;

function toError(e: unknown): { code: string; message: string; retryable: boolean } {
  if (e instanceof RelayClientError) {
    return { code: e.code, message: e.message.slice(0, 500), retryable: e.retryable };
  }
  if (e instanceof CoreError) return { code: e.code, message: e.message.slice(0, 500), retryable: false };
  return { code: ErrorCode.Internal, message: 'sync failed', retryable: true };
}

/** Relay and network codes as the contract names them. */
function contractError(e: unknown): CoreError {
  if (e instanceof CoreError) return e;
  const { code, message } = toError(e);
  if (code === 'E_PINNING') return new CoreError(ErrorCode.SyncPinning, message);
  if (code === 'E_NETWORK' || code === 'E_TIMEOUT') return new CoreError(ErrorCode.SyncOffline, message);
  if (code === 'E_DEVICE_REVOKED') return new CoreError(ErrorCode.SyncRevoked, message);
  if (code === 'E_DEVICE_PENDING') return new CoreError(ErrorCode.SyncPending, message);
  return new CoreError(ErrorCode.SyncRefused, `${code}: ${message}`);
}

const MECHANISM: Record<string, EnrolmentCertification['algorithm']> = {
  'rsa-pkcs1-sha256': 'rsa-pkcs1-sha256',
  'rsa-pss-sha256': 'rsa-pss-sha256',
  'ecdsa-sha256': 'ecdsa-p256-sha256',
};

const b64 = (bytes: Uint8Array) =>
  Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength).toString('base64');
const utf8 = (text: string) => new Uint8Array(Buffer.from(text, 'utf8'));

function commonName(subject: string): string {
  const cn = subject.split('\n').find((l) => l.startsWith('CN='));
  return (cn ? cn.slice(3) : subject).slice(0, 128);
}

export function createSyncService(options: SyncServiceOptions): SyncService {
  const { vault } = options;
  const now = options.now ?? (() => Date.now());
  const intervalMs = options.intervalMs ?? 30_000;
  const backoff = options.backoff ?? { baseMs: 2_000, maxMs: 5 * 60_000 };
  const concurrency = options.concurrency ?? 4;

  let connection: SyncStatus['connection'] = 'offline';
  let lastSyncAt: number | undefined;
  let lastError: { code: string; message: string } | undefined;
  let inboxVersion = 0;
  let rejected = 0;
  let report: RoundReport | null = null;
  let running = false;
  let timer: NodeJS.Timeout | null = null;
  let current: Promise<RoundReport> | null = null;
  let again = false;
  let failures = 0;
  let abort = new AbortController();
  let client: { key: string; relay: RelayClient } | null = null;
  let pushHandle: { close(): void } | null = null;

  const jitter = (attempt: number) =>
    Math.floor(Math.random() * Math.min(backoff.maxMs, backoff.baseMs * 2 ** Math.min(attempt, 20)));

  async function unlocked(): Promise<boolean> {
    return (await vault.status()).state === 'unlocked';
  }

  function relayFor(url: string, fingerprint: string): RelayClient {
    const key = `${url}|${fingerprint}`;
    if (!client || client.key !== key) {
      client = {
        key,
        relay: createRelayClient({
          baseUrl: url.replace(/\/$/, ''),
          fingerprintHex: fingerprint,
          chunkBytes: ENGINE_CHUNK_BYTES,
          ...(options.relay?.timeoutMs ? { timeoutMs: options.relay.timeoutMs } : {}),
        }),
      };
    }
    return client.relay;
  }

  async function identity() {
    return (await vault.run('sync.identity', {})).identity;
  }

  /** One device client per identity and relay: its session is reused across rounds. */
  let device: { key: string; dev: DeviceRelay } | null = null;
  async function deviceRelay(): Promise<{
    dev: DeviceRelay;
    id: NonNullable<Awaited<ReturnType<typeof identity>>>;
  }> {
    const id = await identity();
    if (!id) throw new CoreError(ErrorCode.SyncNotEnrolled, 'this workstation is not enrolled');
    const relay = relayFor(id.hqUrl, id.hqFingerprint);
    const key = `${client?.key ?? ''}|${id.deviceId}`;
    if (!device || device.key !== key) {
      device = {
        key,
        dev: relay.withDevice({
          deviceId: id.deviceId,
          sign: async (message) => (await vault.run('sync.sign', { message })).signature,
        }),
      };
    }
    return { dev: device.dev, id };
  }

  async function status(): Promise<SyncStatus> {
    if (!(await unlocked())) {
      return {
        enrolment: 'locked',
        connection: 'offline',
        pending: { count: 0, bytes: 0 },
        failed: 0,
        inboxVersion,
        rejected,
        warnings: [],
      };
    }
    const id = await identity();
    const stats = await vault.run('sync.outbox.stats', {});
    const warnings = id ? await vault.run('sync.warnings', {}) : [];
    return {
      enrolment: !id || id.status === 'new' ? 'none' : id.status,
      ...(id && id.status !== 'new' ? { deviceId: id.deviceId } : {}),
      ...(id?.address ? { address: id.address } : {}),
      ...(id ? { hq: { url: id.hqUrl, fingerprint: id.hqFingerprint } } : {}),
      connection,
      ...(lastSyncAt !== undefined ? { lastSyncAt } : {}),
      pending: { count: stats.count, bytes: stats.bytes },
      failed: stats.failed,
      inboxVersion,
      rejected,
      ...(lastError ? { lastError } : {}),
      warnings,
    };
  }

  /** Sends one outbox row: resumable, idempotent (the relay keys it by our envelope id). */
  async function upload(
    dev: DeviceRelay,
    item: Awaited<ReturnType<typeof dueItems>>[number],
    signal: AbortSignal,
  ) {
    await vault.run('sync.outbox.update', { id: item.id, state: 'sending', now: now() });
    const bytes = new Uint8Array(item.size);
    for (let off = 0; off < item.size; off += READ_PIECE) {
      const piece = await vault.run('sync.outbox.read', { id: item.id, offset: off, length: READ_PIECE });
      bytes.set(piece.bytes, off);
    }
    let reported = 0;
    await dev.upload(
      { recipient: item.recipientDevice, envelopeId: item.relayEnvelopeId, bytes, sha256: item.sha256 },
      (sent) => {
        // Progress for the UI, at most every 256 KiB; a lost update only understates it.
        if (sent - reported >= 256 * 1024 || sent === item.size) {
          reported = sent;
          void vault
            .run('sync.outbox.update', { id: item.id, sentBytes: sent, now: now() })
            .catch(() => undefined);
        }
      },
      signal,
    );
    await vault.run('sync.outbox.update', {
      id: item.id,
      state: 'sent',
      sentBytes: item.size,
      error: null,
      now: now(),
    });
  }

  /** The officer asked ("sync now", `sync --once`): the next round does not wait out backoff. */
  let forceNext = false;
  async function dueItems(force = false) {
    return (await vault.run('sync.outbox.due', { now: force ? Number.MAX_SAFE_INTEGER : now(), limit: 200 }))
      .items;
  }

  /** Downloads one mailbox item into the vault (resuming), opens and stores it, then acks. */
  async function receiveItem(dev: DeviceRelay, item: InboxItem, signal: AbortSignal, r: RoundReport) {
    let offset = (
      await vault.run('sync.download.begin', {
        id: item.id,
        sender: item.sender,
        envelopeId: item.envelopeId,
        size: item.size,
        sha256: item.sha256,
      })
    ).offset;
    if (offset < item.size) {
      let queue = Promise.resolve();
      await dev.download(
        item,
        {
          offset: () => offset,
          // A download resumed from an earlier round: the client re-hashes what is held.
          readBack: async function* () {
            const held = offset;
            for (let at = 0; at < held;) {
              const piece = await vault.run('sync.download.read', {
                itemId: item.id,
                offset: at,
                length: Math.min(READ_PIECE, held - at),
              });
              if (piece.bytes.length === 0) break;
              at += piece.bytes.length;
              yield piece.bytes;
            }
          },
          write: (chunk) => {
            const at = offset;
            offset += chunk.length;
            queue = queue.then(async () => {
              await vault.run('sync.download.append', { itemId: item.id, offset: at, bytes: chunk });
            });
            return queue;
          },
        },
        signal,
      );
      await queue;
    }
    let result = await vault.run('sync.receive', { itemId: item.id, now: now(), retryUnknownSender: true });
    if (result.status === 'rejected' && result.code === 'E_ENVELOPE_SENDER_UNKNOWN') {
      // A device enrolled after our copy of the directory: refresh it once and try again.
      await refreshDirectory(dev);
      result = await vault.run('sync.receive', { itemId: item.id, now: now() });
    }
    if (result.status === 'stored') {
      r.received++;
      inboxVersion++;
    } else if (result.status === 'duplicate') {
      r.duplicates++;
    } else {
      r.rejected++;
      rejected++;
    }
    // Acknowledged only now: what was stored is durable in the vault; what was refused is
    // in the audit log and must not come back.
    await dev.ack(item.id, signal);
  }

  /** HQ's directory, checked here against the key pinned at enrolment and again in the vault. */
  async function refreshDirectory(dev: DeviceRelay) {
    const id = await identity();
    if (!id) throw new CoreError(ErrorCode.SyncNotEnrolled, 'not enrolled');
    const sodium = await loadSodium();
    let signature: Uint8Array | null = null;
    const { bytes } = await dev.directory(id.hqSignPublicKey, (message, sig, publicKey) => {
      signature = sig;
      return sig.length === 64 && sodium.crypto_sign_verify_detached(sig, message, publicKey);
    });
    if (!signature) throw new CoreError(ErrorCode.SyncDirectoryInvalid, 'the directory carries no signature');
    await vault.run('sync.directory.store', { bytes, signature, now: now() });
  }

  /**
   * Uploads every due outbox row, several at once (on a long, thin link one request's round
   * trips would idle it), page after page until nothing is due: a round sends the whole
   * backlog. A failed row goes back to `queued` with its backoff (or `failed` if it cannot
   * succeed); a retryable failure means the link is down: the round stops sending.
   */
  async function sendOutbox(dev: DeviceRelay, force: boolean, signal: AbortSignal, r: RoundReport) {
    let linkDown: unknown = null;
    const tried = new Set<string>();
    for (let page = 0; page < 10_000 && !signal.aborted && !linkDown; page++) {
      // A row this round already tried (and left due) ends it: the next round retries it.
      const due = (await dueItems(force)).filter((item) => !tried.has(item.id));
      if (due.length === 0) break;
      for (const item of due) tried.add(item.id);
      await poolBySize(due, concurrency, async (item) => {
        if (signal.aborted || linkDown) return;
        try {
          await upload(dev, item, signal);
          r.sent++;
        } catch (e) {
          const err = toError(e);
          const state = err.retryable ? 'queued' : 'failed';
          await vault.run('sync.outbox.update', {
            id: item.id,
            state,
            attempt: true,
            error: { code: err.code, message: err.message },
            nextAttemptAt: now() + jitter(item.attempts + 1),
            now: now(),
          });
          if (err.retryable) linkDown ??= e; // the link is down: stop this round, back off
        }
      });
    }
    if (linkDown) throw linkDown;
  }

  /**
   * Large items of a round's mailbox, downloaded one at a time beside the passes over small ones
   * (see poolBySize): a 20 MB document takes many minutes on a thin link, and the messages that
   * come after it must not wait for it. Queued by id (each pass lists it again until it is
   * acknowledged); the first failure stops it and is reported by the round.
   */
  interface BulkReceiver {
    enqueue(item: InboxItem): void;
    /** The cursors of items queued or downloading. */
    pending(): number[];
    idle(): boolean;
    failure(): unknown;
  }

  function bulkReceiver(dev: DeviceRelay, signal: AbortSignal, r: RoundReport): BulkReceiver {
    const queue: InboxItem[] = [];
    const known = new Map<string, number>();
    let running = false;
    let failure: unknown = null;
    const run = async () => {
      running = true;
      try {
        for (let item = queue.shift(); item; item = queue.shift()) {
          if (signal.aborted || failure) break;
          try {
            await receiveItem(dev, item, signal, r);
            known.delete(item.id);
          } catch (e) {
            failure = e;
          }
          nudgeInbox?.(); // a waiting pass looks again (and a round may end)
        }
      } finally {
        running = false;
        nudgeInbox?.();
      }
    };
    return {
      enqueue(item) {
        if (known.has(item.id) || failure) return;
        known.set(item.id, item.cursor);
        queue.push(item);
        if (!running) void run();
      },
      pending: () => [...known.values()],
      idle: () => !running && queue.length === 0,
      failure: () => failure,
    };
  }

  /**
   * Downloads, verifies, stores and acknowledges the mailbox's small items, page by page, and
   * hands large ones to `bulk`. The relay lists only unacknowledged items, so a cursor kept low
   * is harmless; one moved past an item not yet stored would skip it. It moves only over items
   * done: below the first that failed, is queued or is downloading.
   */
  async function receiveInbox(dev: DeviceRelay, signal: AbortSignal, r: RoundReport, bulk: BulkReceiver) {
    const saved = (await identity())?.inboxCursor ?? 0;
    let listed = saved;
    let failedAt: number | null = null;
    let failure: unknown = null;
    for (let page = 0; page < 10_000 && !signal.aborted && !failure; page++) {
      const inbox = await dev.inbox(listed, 50, signal);
      const small = inbox.items.filter((i) => i.size <= BULK_ITEM_BYTES);
      for (const item of inbox.items) if (item.size > BULK_ITEM_BYTES) bulk.enqueue(item);
      await pool(small, concurrency, async (item) => {
        if (signal.aborted || failure) {
          failedAt = Math.min(failedAt ?? item.cursor, item.cursor);
          return;
        }
        try {
          await receiveItem(dev, item, signal, r);
        } catch (e) {
          failedAt = Math.min(failedAt ?? item.cursor, item.cursor);
          failure ??= e;
        }
      });
      listed = inbox.items[inbox.items.length - 1]?.cursor ?? listed;
      const undone = Math.min(failedAt ?? Infinity, ...bulk.pending());
      const cursor = Math.min(listed, undone - 1);
      if (cursor > ((await identity())?.inboxCursor ?? 0)) {
        await vault.run('sync.identity.update', { inboxCursor: cursor });
      }
      if (!inbox.more) break;
    }
    if (failure) throw failure;
  }

  /** Wakes a round's receiver waiting for mail while its outbox sends (push, or sending's end). */
  let nudgeInbox: (() => void) | null = null;

  function inboxNudged(ms: number, signal: AbortSignal): Promise<void> {
    return new Promise((resolve) => {
      const done = () => {
        clearTimeout(timeout);
        signal.removeEventListener('abort', done);
        if (nudgeInbox === done) nudgeInbox = null;
        resolve();
      };
      const timeout = setTimeout(done, ms);
      signal.addEventListener('abort', done, { once: true });
      nudgeInbox = done;
    });
  }

  /**
   * The inbox, for as long as the outbox is sending or a large item is downloading: mail that
   * arrives meanwhile (woken by the relay's push, else polled every INBOX_POLL_MS) is fetched
   * now, not after the last upload or download, and a cut link (transfers resume by themselves)
   * means trying again shortly, with backoff, rather than leaving the inbox to the next round.
   * Once sending and large downloads are over, one last pass.
   */
  async function receiveWhileSending(
    dev: DeviceRelay,
    signal: AbortSignal,
    r: RoundReport,
    outbox: { done: boolean },
  ) {
    const bulk = bulkReceiver(dev, signal, r);
    const handled = () => r.received + r.duplicates + r.rejected;
    const busy = () => !outbox.done || !bulk.idle();
    for (let failed = 0; ;) {
      const last = !busy();
      const before = handled();
      try {
        await receiveInbox(dev, signal, r, bulk);
        failed = 0;
      } catch (e) {
        if (last || signal.aborted || !toError(e).retryable) throw e;
        // A pass that stored mail before the cut made progress: the link works between cuts,
        // so try again soon. Only passes that got nothing back off further.
        failed = handled() > before ? 1 : failed + 1;
      }
      if (bulk.failure()) throw bulk.failure();
      // Done after the pass that began with nothing sending or downloading and queued nothing
      // new, or a clean pass during which both ended.
      if (signal.aborted || (!busy() && (last || failed === 0))) return;
      if (busy())
        await inboxNudged(failed > 0 ? Math.min(30_000, 1000 * 2 ** failed) : INBOX_POLL_MS, signal);
    }
  }

  async function round(): Promise<RoundReport> {
    const r: RoundReport = {
      sent: 0,
      received: 0,
      rejected: 0,
      duplicates: 0,
      pending: 0,
      failed: 0,
      errors: [],
    };
    const signal = abort.signal;
    try {
      if (!(await unlocked())) throw new CoreError(ErrorCode.VaultLocked, 'the vault is locked');
      const { dev, id } = await deviceRelay();
      if (id.status === 'new') throw new CoreError(ErrorCode.SyncNotEnrolled, 'enrolment was not completed');
      if (id.status === 'revoked') throw new CoreError(ErrorCode.SyncRevoked, 'HQ revoked this workstation');
      connection = 'connecting';
      // The directory needs a session, and opening one is the approval check: the relay refuses
      // pending and revoked devices (handled below, whichever request meets it first).
      await refreshDirectory(dev);
      if (id.status === 'pending') await vault.run('sync.identity.update', { status: 'approved' });
      connection = 'syncing';
      const plan = await vault.run('sync.prekeys.plan', {
        now: now(),
        ...(options.prekeyPolicy ? { policy: options.prekeyPolicy } : {}),
      });
      if (plan.publish.length) {
        await dev.publishPrekeys(plan.publish);
        await vault.run('sync.prekeys.published', { ids: plan.publish.map((p) => p.prekeyId) });
        await refreshDirectory(dev);
      }
      ensurePush(dev);

      // Sending and receiving run side by side: the link is full duplex, and mail from HQ must
      // not wait behind a long outbox (a 20 MB upload at satellite speed takes many minutes).
      const force = forceNext;
      forceNext = false;
      const outbox = { done: false };
      const [sending, receiving] = await Promise.allSettled([
        sendOutbox(dev, force, signal, r).finally(() => {
          outbox.done = true;
          nudgeInbox?.();
        }),
        receiveWhileSending(dev, signal, r, outbox),
      ]);
      if (sending.status === 'rejected') throw sending.reason;
      if (receiving.status === 'rejected') throw receiving.reason;
      lastSyncAt = now();
      connection = 'online';
      lastError = undefined;
      failures = 0;
    } catch (e) {
      const err = toError(e);
      if (err.code === 'E_DEVICE_PENDING') {
        await vault.run('sync.identity.update', { status: 'pending' }).catch(() => undefined);
        connection = 'online';
      } else if (err.code === 'E_DEVICE_REVOKED') {
        await vault.run('sync.identity.update', { status: 'revoked' }).catch(() => undefined);
      }
      r.errors.push({ code: err.code, message: err.message });
      lastError = { code: contractError(e).code, message: err.message };
      if (err.retryable || err.code === 'E_NETWORK' || err.code === 'E_TIMEOUT') {
        connection = 'offline';
        failures++;
      } else if (connection !== 'online') {
        connection = 'offline';
      }
    }
    if (await unlocked().catch(() => false)) {
      const stats = await vault.run('sync.outbox.stats', {});
      r.pending = stats.count;
      r.failed = stats.failed;
    }
    report = r;
    return r;
  }

  function ensurePush(dev: DeviceRelay) {
    if (options.push === false || pushHandle) return;
    try {
      pushHandle = dev.push(
        () => {
          nudgeInbox?.();
          return kick();
        },
        () => {
          pushHandle = null;
        },
      );
    } catch {
      pushHandle = null;
    }
  }

  /** Runs a round now, or right after the one in progress; one at a time. */
  function kick(): Promise<RoundReport> {
    if (current) {
      again = true;
      return current;
    }
    current = round().finally(() => {
      current = null;
      if (again && running) {
        again = false;
        void kick();
      } else {
        schedule();
      }
    });
    return current;
  }

  function schedule() {
    if (!running) return;
    if (timer) clearTimeout(timer);
    const delay = failures > 0 ? backoff.baseMs + jitter(failures) : intervalMs;
    timer = setTimeout(() => void kick(), delay);
    timer.unref();
  }

  return {
    status,

    async enroll(input) {
      if (!(await unlocked())) throw new CoreError(ErrorCode.VaultLocked, 'the vault is locked');
      const existing = await identity();
      if (existing && existing.status !== 'new' && existing.status !== 'pending') {
        throw new CoreError(ErrorCode.InvalidInput, 'this workstation is already enrolled');
      }
      const relay = relayFor(input.hqUrl, input.fingerprint);
      let health;
      try {
        health = await relay.health();
      } catch (e) {
        throw contractError(e);
      }
      const hqSignPublicKey = new Uint8Array(Buffer.from(health.hqSignPublicKey, 'base64'));
      const id = await vault.run('sync.identity.create', {
        hqUrl: input.hqUrl.replace(/\/$/, ''),
        hqFingerprint: input.fingerprint,
        hqSignPublicKey,
        now: now(),
      });
      const department = input.department ?? '';
      let name = '';
      // One token signature binds both device keys to the officer's certificate; its holder
      // (CN) is the name HQ lists. The certificate is checked before the PIN is used.
      const signed = await options.signing.signRaw(
        { token: input.token, pin: input.pin, ...(input.keyId ? { keyId: input.keyId } : {}) },
        (certificate) => {
          name = commonName(certificate.subject);
          return tokenEnrolmentMessage(id.signPublicKey, id.boxPublicKey, name, department);
        },
      );
      const algorithm = MECHANISM[signed.mechanism];
      if (!algorithm) throw new CoreError(ErrorCode.TokenMechanismUnsupported, 'unsupported token key');
      const certification: EnrolmentCertification = {
        version: 1,
        officer: { name, department },
        certificates: [signed.certificate, ...signed.chain].map((c) => c.raw.toString('base64')),
        algorithm,
        tokenSignature: b64(signed.signature),
      };
      const request = utf8(JSON.stringify(certification));
      const proof = (
        await vault.run('sync.sign', {
          message: enrolmentMessage(id.signPublicKey, id.boxPublicKey, request),
        })
      ).signature;
      let enrolled;
      try {
        enrolled = await relay.enroll({
          signPublicKey: b64(id.signPublicKey),
          boxPublicKey: b64(id.boxPublicKey),
          request: b64(request),
          proof: b64(proof),
        });
      } catch (e) {
        throw contractError(e);
      }
      if (enrolled.deviceId !== id.deviceId)
        throw new CoreError(ErrorCode.SyncRefused, 'HQ answered for another device');
      await vault.run('sync.identity.update', { status: enrolled.status, name, department });
      if (running) void kick();
      return status();
    },

    async directory() {
      if (!(await unlocked())) throw new CoreError(ErrorCode.VaultLocked, 'the vault is locked');
      return vault.run('sync.directory.get', { now: now() });
    },

    async send(input) {
      if (!(await unlocked())) throw new CoreError(ErrorCode.VaultLocked, 'the vault is locked');
      const result = await vault.run('sync.send', { send: input, now: now() });
      if (running) void kick();
      return result;
    },

    async syncNow() {
      if (!(await unlocked())) throw new CoreError(ErrorCode.VaultLocked, 'the vault is locked');
      const id = await identity();
      if (!id || id.status === 'new') throw new CoreError(ErrorCode.SyncNotEnrolled, 'not enrolled');
      forceNext = true;
      await kick();
      if (again && current) await current;
      return status();
    },

    async outbox() {
      if (!(await unlocked())) return { items: [] };
      return vault.run('sync.outbox.list', { limit: 200 });
    },

    async retry(id) {
      const item = await vault.run('sync.outbox.retry', { id, now: now() });
      if (running) void kick();
      return item;
    },

    cancel: (id) => vault.run('sync.outbox.cancel', { id, now: now() }),

    lastRound: () => report,

    start() {
      if (running) return;
      running = true;
      abort = new AbortController();
      failures = 0;
      void (async () => {
        const id = await identity().catch(() => null);
        if (id && id.status !== 'new' && running) void kick();
      })();
    },

    async stop() {
      running = false;
      if (timer) clearTimeout(timer);
      timer = null;
      abort.abort();
      pushHandle?.close();
      pushHandle = null;
      connection = 'offline';
      if (current) await current.catch(() => undefined);
      // Idle keep-alive sockets would hold a command-line process open.
      client?.relay.close();
      client = null;
      device = null;
    },
  };
}
