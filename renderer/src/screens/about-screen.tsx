import { useTranslation } from 'react-i18next';
import { CLASSIFICATIONS } from '../../../shared/domain/classification';
import { ClassificationBanner } from '../components/classification-banner';
import { StateBadge } from '../components/state-badge';
import { hqLink } from '../store/hq-link';
import { useAppStore } from '../store/store-context';
import { UpdatesCard } from './updates-card';

const PARTS = ['vault', 'token', 'hq', 'updates'] as const;

/** Version and health of each core part, read through the contract (`app.health`). */
export function AboutScreen() {
  const { t } = useTranslation();
  const health = useAppStore((s) => s.health);
  const healthRequested = useAppStore((s) => s.healthRequested);
  const value = 'value' in health ? health.value : undefined;
  // The HQ link as the status bar shows it (the core's health cannot see the sync engine).
  const syncStatus = useAppStore((s) => s.syncStatus);
  const vaultState = useAppStore((s) => s.vault?.state);
  const hq = hqLink(syncStatus, vaultState);
  return (
    <section className="screen" aria-labelledby="about-title">
      <header className="screen-header">
        <h1 id="about-title">{t('about.title')}</h1>
        <p className="lead">{t('about.intro')}</p>
      </header>

      {health.status === 'error' && (
        <p className="callout callout-error" role="alert" data-error-code={health.error.code}>
          {t(`errors.${health.error.code}`)}
        </p>
      )}

      <div className="card">
        <dl className="facts">
          <dt>{t('about.version')}</dt>
          <dd data-testid="about-version">{value?.version ?? '…'}</dd>
          <dt>{t('about.transport')}</dt>
          <dd>{value ? t(`about.transports.${value.transport}`) : '…'}</dd>
          <dt>{t('about.runtime')}</dt>
          <dd>
            {value
              ? `Node ${value.runtime.node}${value.runtime.electron ? ` · Electron ${value.runtime.electron}` : ''} · ${value.runtime.platform}/${value.runtime.arch}`
              : '…'}
          </dd>
          <dt>{t('about.uptime')}</dt>
          <dd>{value ? t('about.seconds', { count: Math.round(value.uptimeSeconds) }) : '…'}</dd>
        </dl>
      </div>

      <UpdatesCard />

      <div className="section-header">
        <h2>{t('about.parts')}</h2>
        <button
          type="button"
          className="button"
          onClick={() => void healthRequested()}
          disabled={health.status === 'loading'}
        >
          {t('about.refresh')}
        </button>
      </div>
      <ul className="part-list" aria-busy={health.status === 'loading'}>
        {PARTS.map((part) => (
          <li key={part} className="part-row" data-part={part}>
            <span className="part-name">{t(`about.part.${part}`)}</span>
            {part === 'hq' ? (
              <StateBadge state={hq.state} label={t(hq.label)} />
            ) : value ? (
              <StateBadge state={value.parts[part].state} />
            ) : (
              <span>…</span>
            )}
          </li>
        ))}
      </ul>

      <h2>{t('about.markings')}</h2>
      <p className="muted">{t('about.markingsIntro')}</p>
      <div className="marking-list">
        {CLASSIFICATIONS.map((c) => (
          <ClassificationBanner key={c} level={c} compact />
        ))}
      </div>
    </section>
  );
}
