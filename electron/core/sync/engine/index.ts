/**
 * The core's sync engine (the officer's side of sync, on the core's thread), in parts:
 * - `round-scheduler.ts`: when rounds run (interval, backoff with full jitter, push, "sync now");
 * - `round.ts`: one round (directory, prekeys, then outbox and inbox side by side);
 * - `outbox-sender.ts`: uploads of due outbox rows;
 * - `inbox-receiver.ts`, `bulk-queue.ts`, `receive-item.ts`: the mailbox while the round lasts;
 * - `enrolment.ts`, `relay-connection.ts`, `engine-status.ts`;
 * - `sync-service.ts`: the parts put together behind the contract's calls.
 */
export { createSyncService, type SyncService, type SyncServiceOptions } from './sync-service';
export type { RoundReport } from './round-report';
export { ENGINE_CHUNK_BYTES } from './relay-connection';
