import type { PartHealth } from '../../../shared/contract/calls';
import type { SyncStatus } from '../../../shared/contract/sync-calls';

/** The link to headquarters, as the status bar and About both show it. */
export interface HqLink {
  /** The badge's colour and the words of `state.<state>` where no finer words apply. */
  readonly state: PartHealth['state'];
  /** The i18n key of the words shown (the same key in both places). */
  readonly label: string;
}

/**
 * One source of truth for the HQ link: the sync engine's status (`sync.status`), read while
 * the vault is open. `app.health` cannot know it (the engine lives behind the vault), so
 * About's row used to say "Not set up" beside a status bar saying "Online".
 */
export function hqLink(sync: SyncStatus | null, vault: 'absent' | 'locked' | 'unlocked' | undefined): HqLink {
  if (vault === 'absent') return { state: 'not-set-up', label: 'state.not-set-up' };
  if (vault !== 'unlocked' || !sync || sync.enrolment === 'locked')
    return { state: 'locked', label: 'state.locked' };
  switch (sync.enrolment) {
    case 'none':
      return { state: 'not-set-up', label: 'sync.enrolment.none' };
    case 'pending':
      return { state: 'degraded', label: 'sync.enrolment.pending' };
    case 'revoked':
      return { state: 'error', label: 'sync.enrolment.revoked' };
    case 'approved':
      return {
        state:
          sync.connection === 'online' || sync.connection === 'syncing'
            ? 'ok'
            : sync.connection === 'connecting'
              ? 'degraded'
              : 'error',
        label: `sync.connection.${sync.connection}`,
      };
  }
}
