import type { HandlerTable } from '../contract';
import type { VaultService } from '../vault';
import type { AuditLog } from './audit-log';

/** `audit.list`: the officer's own log from the vault, after what waits has been written. */
export function createAuditHandlers(vault: VaultService, log: AuditLog): Pick<HandlerTable, 'audit.list'> {
  return {
    'audit.list': async (input) => {
      await log.flush();
      const page = await vault.run('audit.list', input);
      return { ...page, pending: log.pending() };
    },
  };
}
