import type { ContactCallName } from '../../../shared/contract/contact-call-names';
import { CoreError, ErrorCode } from '../../../shared/contract/errors';
import type { HandlerTable } from '../contract';
import type { VaultService } from '../vault';

/** The contact slice of the handler table: the vault worker computes everything from the directory. */
export type ContactHandlers = Pick<HandlerTable, ContactCallName>;

export function createContactHandlers(
  vault: Pick<VaultService, 'run' | 'status'>,
  now: () => number = () => Date.now(),
): ContactHandlers {
  const unlocked = async () => {
    if ((await vault.status()).state !== 'unlocked') {
      throw new CoreError(ErrorCode.VaultLocked, 'the vault is locked');
    }
  };
  return {
    'contact.show': async ({ address }) => {
      await unlocked();
      return vault.run('sync.contact.show', { address, now: now() });
    },
    // Audit: the lead's audit log records "contact verified" / "mark removed" here.
    'contact.verify': async ({ address, safetyNumber }) => {
      await unlocked();
      return vault.run('sync.contact.verify', { address, safetyNumber, now: now() });
    },
    'contact.unverify': async ({ address }) => {
      await unlocked();
      return vault.run('sync.contact.unverify', { address, now: now() });
    },
  };
}
