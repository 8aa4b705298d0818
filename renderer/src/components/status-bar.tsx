import { useTranslation } from 'react-i18next';
import { useAppStore } from '../store/store-context';
import { StateBadge } from './state-badge';

/** Lock state, HQ link and outbox at a glance, from the same health call as About. */
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
          <span className="status-item" data-testid="status-connection">
            {t('status.connection')}: <StateBadge state={value.parts.hq.state} />
          </span>
          <span className="status-item" data-testid="status-pending">
            {t('status.pending')}: <StateBadge state={value.parts.hq.state} />
          </span>
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
