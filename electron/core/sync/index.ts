/**
 * sync/'s public face: what other capabilities of the core may import from it.
 *
 * For the vault worker: the sync operations table (schemas and handlers, store/), which the
 * vault's worker protocol and the vault worker spread, and the per-vault store context.
 */
export {
  createSyncStoreContext,
  SYNC_WORKER_OPS,
  syncWorkerHandlers,
  type SyncStoreContext,
  type SyncWorkerOpName,
} from './store';

// For the core's composition root: the engine and its handlers.
export { createSyncService, type SyncService, type SyncServiceOptions } from './engine';
export { createSyncHandlers } from './sync-handlers';
