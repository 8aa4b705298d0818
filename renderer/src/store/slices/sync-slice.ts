import type { CallInput } from '../../../../shared/contract/calls';
import type { ContractError } from '../../../../shared/contract/errors';
import type { OutboxItem, SyncDirectory, SyncStatus } from '../../../../shared/contract/sync-calls';
import { toBase64 } from '../../../../shared/encoding';
import { isVaultGone, type Slice, type SliceDeps } from '../slice';
import type { UploadSource } from './documents-slice';

/** How often `sync.status` is asked while the vault is unlocked (the call does no I/O). */
export const SYNC_POLL_MS = 2_000;

export interface SyncSlice {
  /** Null while the vault is locked or before the first answer. */
  syncStatus: SyncStatus | null;
  /** HQ's signed directory as the core last verified it; null until asked. */
  syncDirectory: SyncDirectory | null;
  syncDirectoryError: ContractError | null;
  /** Newest first; null until asked. */
  syncOutbox: OutboxItem[] | null;
  syncOutboxError: ContractError | null;
  syncEnrolBusy: boolean;
  syncEnrolError: ContractError | null;
  /** The last failed "sync now", retry or cancel. */
  syncActionError: ContractError | null;
  syncSendError: ContractError | null;
  /**
   * Items received (documents and messages) since the officer last looked at Documents or
   * Messages: the status bar shows it until then. Counted from `inboxVersion`.
   */
  syncUnseenArrivals: number;
  /** The vault opened: ask `sync.status` now and every SYNC_POLL_MS until stopped. */
  syncWatchStarted(): void;
  syncWatchStopped(): void;
  syncStatusRequested(): Promise<void>;
  /** A screen shows the outbox: refresh it with every status poll (progress bars). */
  syncOutboxWatched(watched: boolean): void;
  syncOutboxRequested(): Promise<void>;
  syncDirectoryRequested(): Promise<void>;
  /** The PIN travels in the call only: it is never put in the store. */
  syncEnrolSubmitted(input: CallInput<'sync.enroll'>): Promise<boolean>;
  syncNowRequested(): Promise<void>;
  /**
   * Queues a send; a message's new `files` are first staged in the vault (each at most
   * MAX_MESSAGE_FILE_BYTES) and sent after the files it already names (a forward's).
   */
  syncSendSubmitted(
    input: CallInput<'sync.send'>,
    files?: readonly UploadSource[],
  ): Promise<OutboxItem[] | null>;
  syncSendErrorCleared(): void;
  /** Documents or Messages is on screen: what arrived has been seen (the list marks it). */
  syncArrivalsSeen(): void;
  outboxRetryRequested(id: string): Promise<void>;
  outboxCancelRequested(id: string): Promise<void>;
  /** Lock, wipe or vault gone: forget everything sync showed, drop answers still in flight. */
  syncReset(): void;
}

export const emptySync = {
  syncStatus: null,
  syncDirectory: null,
  syncDirectoryError: null,
  syncOutbox: null,
  syncOutboxError: null,
  syncEnrolBusy: false,
  syncEnrolError: null,
  syncActionError: null,
  syncSendError: null,
  syncUnseenArrivals: 0,
} satisfies Partial<SyncSlice>;

export const syncSlice =
  ({ client }: SliceDeps): Slice<SyncSlice> =>
  (set, get) => {
    // Per store (not module-level): the poll timer and what the last answers said.
    let watching = false;
    let outboxWatched = false;
    let timer: ReturnType<typeof setTimeout> | undefined;
    /** Bumped on reset: an answer that left before the lock must not land after it. */
    let epoch = 0;
    let seenInboxVersion: number | null = null;
    let polling = false;

    const unlocked = () => get().vault?.state === 'unlocked';

    /** A failed call: the vault going away is handled once, elsewhere; else keep the error. */
    const failed = (error: ContractError, record: (e: ContractError) => void) => {
      if (isVaultGone(error)) get().vaultGone();
      else record(error);
    };

    const statusArrived = (status: SyncStatus) => {
      // 'locked' means the core knows nothing: keep nothing either.
      if (status.enrolment === 'locked') return;
      const previous = seenInboxVersion;
      seenInboxVersion = status.inboxVersion;
      set({ syncStatus: status });
      if (previous !== null && previous !== status.inboxVersion) {
        // A restarted core counts from 0 again: then at least one item is new.
        const arrived = status.inboxVersion > previous ? status.inboxVersion - previous : 1;
        set((s) => ({ syncUnseenArrivals: s.syncUnseenArrivals + arrived }));
        // Something was received: the lists that may show it are read again.
        get().documentsInvalidated();
        if (get().threads !== null) void get().threadsRequested();
        const open = get().openDocument;
        if (open) void get().documentOpened(open.document.id);
      }
    };

    const schedule = () => {
      clearTimeout(timer);
      if (watching) timer = setTimeout(() => void tick(), SYNC_POLL_MS);
    };

    const tick = async () => {
      if (!watching) return;
      if (!polling && unlocked()) {
        polling = true;
        try {
          await get().syncStatusRequested();
          const enrolment = get().syncStatus?.enrolment;
          if (outboxWatched && (enrolment === 'approved' || enrolment === 'revoked')) {
            await get().syncOutboxRequested();
          }
        } finally {
          polling = false;
        }
      }
      schedule();
    };

    return {
      ...emptySync,
      syncWatchStarted() {
        if (watching) return;
        watching = true;
        void tick();
      },
      syncWatchStopped() {
        watching = false;
        clearTimeout(timer);
        timer = undefined;
      },
      async syncStatusRequested() {
        if (!unlocked()) return;
        const at = epoch;
        const result = await client.call('sync.status', {});
        if (at !== epoch) return;
        if (result.ok) statusArrived(result.value);
        else failed(result.error, () => undefined); // the next poll asks again
      },
      syncOutboxWatched(watched) {
        outboxWatched = watched;
        if (watched) void get().syncOutboxRequested();
      },
      async syncOutboxRequested() {
        if (!unlocked()) return;
        const at = epoch;
        const result = await client.call('sync.outbox', {});
        if (at !== epoch) return;
        if (result.ok) set({ syncOutbox: result.value.items, syncOutboxError: null });
        else failed(result.error, (e) => set({ syncOutboxError: e }));
      },
      async syncDirectoryRequested() {
        const at = epoch;
        const result = await client.call('sync.directory', {});
        if (at !== epoch) return;
        if (result.ok) set({ syncDirectory: result.value, syncDirectoryError: null });
        else failed(result.error, (e) => set({ syncDirectoryError: e }));
      },
      async syncEnrolSubmitted(input) {
        const at = epoch;
        set({ syncEnrolBusy: true, syncEnrolError: null });
        const result = await client.call('sync.enroll', input);
        if (at !== epoch) return false;
        set({ syncEnrolBusy: false });
        if (!result.ok) {
          failed(result.error, (e) => set({ syncEnrolError: e }));
          return false;
        }
        statusArrived(result.value);
        return true;
      },
      async syncNowRequested() {
        const at = epoch;
        set({ syncActionError: null });
        const result = await client.call('sync.now', {});
        if (at !== epoch) return;
        if (result.ok) statusArrived(result.value);
        else failed(result.error, (e) => set({ syncActionError: e }));
        if (outboxWatched) await get().syncOutboxRequested();
      },
      async syncSendSubmitted(input, files = []) {
        const at = epoch;
        set({ syncSendError: null });
        const staged: string[] = [];
        for (const file of files) {
          const bytes = new Uint8Array(await file.slice(0, file.size).arrayBuffer());
          const added = await client.call('messages.files.add', {
            name: file.name,
            base64: toBase64(bytes),
            ...(file.type ? { mediaType: file.type } : {}),
          });
          if (at !== epoch) return null;
          if (!added.ok) {
            failed(added.error, (e) => set({ syncSendError: e }));
            return null;
          }
          staged.push(added.value.id);
        }
        const result = await client.call(
          'sync.send',
          input.kind === 'message' && staged.length > 0
            ? { ...input, fileIds: [...(input.fileIds ?? []), ...staged] }
            : input,
        );
        if (at !== epoch) return null;
        if (!result.ok) {
          failed(result.error, (e) => set({ syncSendError: e }));
          return null;
        }
        // Show the queued items at once; the next poll brings their progress.
        const sent = new Set(result.value.items.map((i) => i.id));
        set({
          syncOutbox: [...result.value.items, ...(get().syncOutbox ?? []).filter((i) => !sent.has(i.id))],
        });
        void get().syncStatusRequested();
        // A document sent is marked so in the vault: refresh the open one and the list.
        if (input.kind === 'document') {
          get().documentsInvalidated();
          if (get().openDocument?.document.id === input.documentId)
            void get().documentOpened(input.documentId);
        }
        return result.value.items;
      },
      syncSendErrorCleared: () => set({ syncSendError: null }),
      syncArrivalsSeen() {
        if (get().syncUnseenArrivals !== 0) set({ syncUnseenArrivals: 0 });
      },
      outboxRetryRequested: (id) => outboxAction('sync.outbox.retry', id),
      outboxCancelRequested: (id) => outboxAction('sync.outbox.cancel', id),
      syncReset() {
        epoch++;
        seenInboxVersion = null;
        set(emptySync);
      },
    };

    async function outboxAction(call: 'sync.outbox.retry' | 'sync.outbox.cancel', id: string) {
      const at = epoch;
      set({ syncActionError: null });
      const result = await client.call(call, { id });
      if (at !== epoch) return;
      if (!result.ok) {
        failed(result.error, (e) => set({ syncActionError: e }));
        return;
      }
      const item = result.value;
      set({ syncOutbox: (get().syncOutbox ?? []).map((i) => (i.id === item.id ? item : i)) });
      await get().syncStatusRequested();
    }
  };
