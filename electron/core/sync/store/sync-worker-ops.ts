import type { z } from 'zod';
import { AUDIT_CHAIN_OPS } from './audit-chain';
import { IDENTITY_OPS } from './device-identity';
import { PREKEY_OPS } from './device-prekeys';
import { CONTACT_OPS } from './contacts';
import { DIRECTORY_OPS } from './directory';
import { DOWNLOAD_OPS } from './downloads';
import { INBOX_OPS } from './inbox';
import { OUTBOX_OPS } from './outbox';
import { SEND_OPS } from './outbox-send';
import { WAITING_OPS } from './outbox-waiting';
import { REFUSAL_LOG_OPS } from './refusal-log';
import { RECEIPT_OPS } from './receipt-accept';
import { REGISTER_OPS } from './register-received';
import { STAMP_QUEUE_OPS } from './stamp-queue';
import type { SyncStoreContext } from './store-context';

/**
 * Every sync operation of the vault worker: the one registration point. The vault's worker
 * protocol spreads this table (schemas) and the vault worker its handlers, so an operation is
 * added in its part's table (schema and handler together) and called from the sync engine:
 * two files, nothing else.
 */
export const SYNC_WORKER_OPS = {
  ...IDENTITY_OPS,
  ...PREKEY_OPS,
  ...DIRECTORY_OPS,
  ...SEND_OPS,
  ...WAITING_OPS,
  ...OUTBOX_OPS,
  ...DOWNLOAD_OPS,
  ...INBOX_OPS,
  ...REFUSAL_LOG_OPS,
  ...AUDIT_CHAIN_OPS,
  ...CONTACT_OPS,
  ...STAMP_QUEUE_OPS,
  ...REGISTER_OPS,
  ...RECEIPT_OPS,
} as const;

export type SyncWorkerOpName = keyof typeof SYNC_WORKER_OPS;
type Op<N extends SyncWorkerOpName> = (typeof SYNC_WORKER_OPS)[N];

/** Handlers for the vault worker: each runs its operation on the session's sync context. */
export type SyncWorkerHandlers = {
  [N in SyncWorkerOpName]: (input: z.output<Op<N>['input']>) => Promise<z.output<Op<N>['output']>>;
};

/**
 * The handlers bound to `context` (the vault worker's: it opens the store context of the
 * unlocked vault on first use, and fails with E_VAULT_LOCKED when there is none).
 */
export function syncWorkerHandlers(context: () => Promise<SyncStoreContext>): SyncWorkerHandlers {
  const bind = <N extends SyncWorkerOpName>(name: N) => {
    const op = SYNC_WORKER_OPS[name] as {
      handler: (ctx: SyncStoreContext, input: unknown) => unknown;
    };
    return async (input: unknown) => op.handler(await context(), input);
  };
  return Object.fromEntries(
    (Object.keys(SYNC_WORKER_OPS) as SyncWorkerOpName[]).map((name) => [name, bind(name)]),
  ) as SyncWorkerHandlers;
}
