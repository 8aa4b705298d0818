/**
 * Sync's public face. The worker-side parts come first: the vault imports them while this
 * folder's service imports the vault, so they must be ready before the service loads.
 */
export { SYNC_WORKER_OPS } from './sync-worker-protocol';
export { createSyncStore, type SyncStore } from './sync-store';
export { createSyncService, type SyncService, type SyncServiceOptions } from './sync-service';
export { createSyncHandlers } from './sync-handlers';
