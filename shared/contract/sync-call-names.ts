/** The sync calls' names, zod-free (the preload bundles this list). */
export const SYNC_CALL_NAMES = [
  'sync.status',
  'sync.enroll',
  'sync.directory',
  'sync.send',
  'sync.now',
  'sync.outbox',
  'sync.outbox.retry',
  'sync.outbox.cancel',
] as const;

export type SyncCallName = (typeof SYNC_CALL_NAMES)[number];
