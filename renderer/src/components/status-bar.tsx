import { useTranslation } from 'react-i18next';
import { formatBytes, formatCount } from '../screens/sync/sync-format';
import { hqLink } from '../store/hq-link';
import { lastSyncText } from './last-sync';
import { useAppStore } from '../store/store-context';
import { StateBadge } from './state-badge';
import { SyncIcon } from './sync-icons';
import { useNow } from './use-now';

/** Lock state (health, then the vault's own), HQ link and outbox (the sync slice) at a glance. */
export function StatusBar() {
  const { t } = useTranslation();
  const health = useAppStore((s) => s.health);
  const vault = useAppStore((s) => s.vault);
  const value = 'value' in health ? health.value : undefined;
  return (
    <footer className="status-bar" aria-label={t('status.label')}>
      {health.status === 'error' && !value ? (
        <span className="status-item status-error" role="alert">
          {t('status.unavailable')} — {t(`errors.${health.error.code}`)}
        </span>
      ) : value ? (
        <>
          <span className="status-item" data-testid="status-vault">
            {t('status.vault')}: <StateBadge state={vaultState(vault?.state) ?? value.parts.vault.state} />
          </span>
          <SyncStatusItem />
        </>
      ) : (
        <span className="status-item">{t('status.checking')}</span>
      )}
      <span className="status-spacer" />
      {value && <span className="status-item status-version">v{value.version}</span>}
    </footer>
  );
}

/** The vault's own state is fresher than the last health read. */
function vaultState(state: 'absent' | 'locked' | 'unlocked' | undefined) {
  if (state === undefined) return undefined;
  return state === 'absent' ? 'not-set-up' : state === 'locked' ? 'locked' : 'ok';
}

/** The relative "last sync" is re-read this often even when nothing else changes. */
const CLOCK_MS = 15_000;

/**
 * HQ link, last sync, outbox and warnings: one link to the sync screen (click or Enter).
 * Nothing while the vault is locked: the core knows nothing then, and neither do we.
 */
function SyncStatusItem() {
  const { t, i18n } = useTranslation();
  const sync = useAppStore((s) => s.syncStatus);
  const vault = useAppStore((s) => s.vault?.state);
  const now = useNow(CLOCK_MS);
  if (!sync || sync.enrolment === 'locked') return null;
  const lang = i18n.language;
  // The same words as About's "Link to headquarters" row (one source: store/hq-link.ts).
  const link = t(hqLink(sync, vault).label);

  if (sync.enrolment !== 'approved') {
    const icon = sync.enrolment === 'none' ? 'offline' : sync.enrolment;
    return (
      <a
        href="#/sync"
        className={`status-item status-sync status-enrolment-${sync.enrolment}`}
        data-testid="status-sync"
        data-enrolment={sync.enrolment}
      >
        {t('status.connection')}: <SyncIcon name={icon} />
        <span aria-live="polite">{link}</span>
      </a>
    );
  }

  const warnings = sync.warnings.length;
  return (
    <>
      <a
        href="#/sync"
        className="status-item status-sync"
        data-testid="status-sync"
        data-enrolment="approved"
        data-connection={sync.connection}
      >
        <span className={`status-connection connection-${sync.connection}`}>
          {t('status.connection')}: <SyncIcon name={sync.connection} />
          <span aria-live="polite" data-testid="status-connection">
            {link}
          </span>
        </span>
        <span className="status-sep" aria-hidden="true">
          ·
        </span>
        <span data-testid="status-last-sync">
          {t('sync.lastSync')}:{' '}
          {sync.lastSyncAt === undefined
            ? t('sync.never')
            : lastSyncText(sync.lastSyncAt, Math.max(now, Date.now()), sync.connection, lang)}
        </span>
        <span className="status-sep" aria-hidden="true">
          ·
        </span>
        <span data-testid="status-pending">
          {t('status.pending')}:{' '}
          {sync.pending.count === 0
            ? t('sync.outboxEmpty')
            : t('sync.pendingSummary', {
                count: sync.pending.count,
                n: formatCount(sync.pending.count, lang),
                size: formatBytes(sync.pending.bytes, lang),
              })}
        </span>
        {(warnings > 0 || sync.failed > 0) && (
          <span className="status-warning" data-testid="status-warning">
            <SyncIcon name="warning" />
            {[
              sync.failed > 0
                ? t('sync.failedCount', { count: sync.failed, n: formatCount(sync.failed, lang) })
                : null,
              warnings > 0
                ? t('sync.warningCount', { count: warnings, n: formatCount(warnings, lang) })
                : null,
            ]
              .filter(Boolean)
              .join(' · ')}
          </span>
        )}
      </a>
      <ArrivalsItem />
    </>
  );
}

/**
 * Received since the officer last looked at Documents or Messages (either may hold it: the
 * count does not say which, so this is a notice, not a link to one of them). Worded without
 * "from HQ": HQ desk officers run the same application and receive from missions.
 */
function ArrivalsItem() {
  const { t, i18n } = useTranslation();
  const unseen = useAppStore((s) => s.syncUnseenArrivals);
  if (unseen === 0) return null;
  const n = formatCount(unseen, i18n.language);
  return (
    <span
      className="status-item status-arrivals"
      title={t('status.arrivalsLabel', { n })}
      data-testid="status-arrivals"
    >
      <SyncIcon name="received" />
      <span aria-live="polite">{t('status.arrivals', { count: unseen, n })}</span>
    </span>
  );
}
