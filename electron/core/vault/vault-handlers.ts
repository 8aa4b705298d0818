import { CoreError, ErrorCode } from '../../../shared/contract/errors';
import type { VaultCallName } from '../../../shared/contract/vault-call-names';
import { DEFAULT_IDLE_TIMEOUT_SECONDS } from '../../../shared/domain/vault';
import type { HandlerTable } from '../contract/dispatcher';

/** The vault's slice of the handler table. */
export type VaultHandlers = Pick<HandlerTable, VaultCallName>;

/**
 * Placeholder until the vault service lands: the contract is published so the UI can be built
 * against it; every content call answers E_NOT_SET_UP.
 */
export function createVaultHandlers(): VaultHandlers {
  const notYet = async (): Promise<never> => {
    throw new CoreError(ErrorCode.NotSetUp, 'the vault is not built yet');
  };
  return {
    'vault.status': async () => ({
      state: 'absent',
      profile: null,
      token: null,
      escrow: false,
      idleTimeoutSeconds: DEFAULT_IDLE_TIMEOUT_SECONDS,
      secondsUntilAutoLock: null,
      createdAt: null,
    }),
    'vault.create': notYet,
    'vault.unlock': notYet,
    'vault.lock': notYet,
    'vault.touch': notYet,
    'vault.configure': notYet,
    'vault.wipe': notYet,
    'vault.loadSampleData': notYet,
    'documents.list': notYet,
    'documents.get': notYet,
    'documents.add': notYet,
    'attachments.add': notYet,
    'attachments.read': notYet,
    'messages.threads': notYet,
    'messages.list': notYet,
    'messages.add': notYet,
    'messages.markRead': notYet,
    search: notYet,
  };
}
