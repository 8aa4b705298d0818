/**
 * The sync store: sync's half in the vault worker (device keys, prekeys, HQ's directory, the
 * outbox, downloads, the inbox and the refusal log), and sync's face for the vault. The vault
 * (its worker and its worker protocol) imports only this: the operations table, their
 * handlers, and the context it makes per unlocked vault. The core's thread uses sync's other
 * face, `sync/index.ts` (the engine), which the vault must not import: it would put the engine
 * and the relay client into the worker's bundle.
 *
 * Parts (each a table of operations over a `SyncStoreContext`, tests beside each):
 * device-identity.ts, device-prekeys.ts, directory.ts, outbox-send.ts, outbox.ts,
 * downloads.ts, inbox.ts (with inbox-records.ts), refusal-log.ts.
 */
export { createSyncStoreContext, type SyncStoreContext } from './store-context';
export {
  SYNC_WORKER_OPS,
  syncWorkerHandlers,
  type SyncWorkerHandlers,
  type SyncWorkerOpName,
} from './sync-worker-ops';
export type { PublicIdentity } from './device-identity';
export type { DueItem } from './outbox';
export type { ReceivedEntry } from './inbox-records';
export type { ReceiveResult } from './inbox';
