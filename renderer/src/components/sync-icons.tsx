import type { OutboxItem, SyncStatus } from '../../../shared/contract/sync-calls';

/**
 * Line icons for the HQ link and outbox states. Always next to words: the shape tells the
 * state apart without colour, the words say it.
 */
const PATHS = {
  offline: 'M7 18h10a4 4 0 0 0 .6-8A6 6 0 0 0 6 9a4.5 4.5 0 0 0 1 9z M4 4l16 16',
  connecting: 'M12 4a8 8 0 1 0 8 8 M12 8v4l3 2',
  online: 'M7 18h10a4 4 0 0 0 .6-8A6 6 0 0 0 6 9a4.5 4.5 0 0 0 1 9z M9.5 13.5l2 2 3.5-4',
  syncing:
    'M4 12a8 8 0 0 1 14-5l2-2v6h-6l2-2a5 5 0 0 0-9 3 M20 12a8 8 0 0 1-14 5l-2 2v-6h6l-2 2a5 5 0 0 0 9-3',
  queued: 'M12 4a8 8 0 1 0 0 16 8 8 0 0 0 0-16z M12 8v4l3 2',
  // A key with an hourglass tick: held until the recipient's keys arrive.
  waiting: 'M8 15a4 4 0 1 1 3.5-6H21v3h-2v2h-3v-2h-4.5A4 4 0 0 1 8 15z M8 10v2',
  sending: 'M4 12l16-8-6 16-2-6z M12 14l8-10',
  failed: 'M12 3l10 18H2z M12 10v5 M12 17.5v.5',
  sent: 'M12 4a8 8 0 1 0 0 16 8 8 0 0 0 0-16z M8.5 12.5l2.5 2.5 4.5-5',
  cancelled: 'M12 4a8 8 0 1 0 0 16 8 8 0 0 0 0-16z M6.5 6.5l11 11',
  warning: 'M12 3l10 18H2z M12 10v5 M12 17.5v.5',
  pending: 'M7 3h10 M7 21h10 M8 3c0 5 8 5 8 9s-8 4-8 9 M16 3c0 5-8 5-8 9s8 4 8 9',
  revoked: 'M12 4a8 8 0 1 0 0 16 8 8 0 0 0 0-16z M6.5 6.5l11 11',
  // A tray with an arrow coming in: something arrived from HQ.
  received: 'M4 13h4l1.5 3h5L16 13h4v6H4z M12 4v8 M8.5 8.5L12 12l3.5-3.5',
} as const;

export type SyncIconName = keyof typeof PATHS;
export type ConnectionState = SyncStatus['connection'];
export type OutboxState = OutboxItem['state'];

export function SyncIcon({ name, className = 'sync-icon' }: { name: SyncIconName; className?: string }) {
  return (
    <svg
      className={`${className} sync-icon-${name}`}
      viewBox="0 0 24 24"
      aria-hidden="true"
      focusable="false"
    >
      <path
        d={PATHS[name]}
        fill="none"
        stroke="currentColor"
        strokeWidth="1.8"
        strokeLinecap="round"
        strokeLinejoin="round"
      />
    </svg>
  );
}
