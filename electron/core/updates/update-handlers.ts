import type { HandlerTable } from '../contract';
import type { UpdateStatus } from '../../../shared/contract/update-calls';
import type { SignedUpdates } from './signed-updates';

/** Where the build cannot update itself (browser preview, CLI): said, not pretended. */
const unsupported = (installedVersion: string): UpdateStatus => ({
  installedVersion,
  channel: null,
  source: null,
  state: 'unsupported',
  availableVersion: null,
  progress: null,
  refused: null,
});

/** `updates.*`: the contract's face of the signed updater (null where the shell gave none). */
export function createUpdateHandlers(
  updates: SignedUpdates | null,
  installedVersion: string,
): Pick<HandlerTable, 'updates.status' | 'updates.check' | 'updates.download' | 'updates.install'> {
  if (!updates) {
    const status = async () => unsupported(installedVersion);
    return {
      'updates.status': status,
      'updates.check': status,
      'updates.download': status,
      'updates.install': status,
    };
  }
  return {
    'updates.status': async () => updates.status(),
    'updates.check': () => updates.check(),
    'updates.download': () => updates.download(),
    'updates.install': async () => {
      await updates.install();
      return updates.status();
    },
  };
}
