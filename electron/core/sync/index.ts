/**
 * sync/'s public face for the core's thread: the sync engine (`engine/`) and the slice of the
 * handler table that serves the contract's sync calls. The core (`core.ts`) imports this.
 *
 * sync/ has a second face, `store/index.ts`, for the vault worker only: the operations table
 * the worker spreads into its protocol, their handlers and the per-vault store context. The
 * vault imports that face and never this one (lint: eslint.config.js), so the worker's bundle
 * does not carry the engine, the relay client or `ws`: with one face for both, the chunk the
 * worker loads grew from 346 kB to 513 kB (engine and relay modules included).
 */
export { createSyncService, type SyncService, type SyncServiceOptions } from './engine';
export { createSyncHandlers } from './sync-handlers';
/** The pinned TLS transport, for other clients of HQ's relay (its TSA: signing/tsa-client.ts). */
export { PinnedAgent } from './relay/pinned-agent';
