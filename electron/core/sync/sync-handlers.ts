import type { SyncCallName } from '../../../shared/contract/sync-call-names';
import type { HandlerTable } from '../contract';
import type { SyncService } from './engine';

/** The sync slice of the handler table: the contract has validated every input already. */
export type SyncHandlers = Pick<HandlerTable, SyncCallName>;

export function createSyncHandlers(sync: SyncService): SyncHandlers {
  return {
    'sync.status': () => sync.status(),
    'sync.enroll': (input) => sync.enroll(input),
    'sync.directory': () => sync.directory(),
    'sync.send': (input) => sync.send(input),
    'sync.now': () => sync.syncNow(),
    'sync.outbox': () => sync.outbox(),
    'sync.outbox.retry': (input) => sync.retry(input.id),
    'sync.outbox.cancel': (input) => sync.cancel(input.id),
  };
}
