import { useEffect } from 'react';
import { useTranslation } from 'react-i18next';
import { useAppStore } from '../store/store-context';

/**
 * Signed updates on the About screen: the installed version and the policy's channel, then
 * check → download (with progress) → verified → restart to install, or why IT's signed release
 * refused what the server offered. The core decides; this card only asks and shows.
 */
export function UpdatesCard() {
  const { t } = useTranslation();
  const updates = useAppStore((s) => s.updates);
  const error = useAppStore((s) => s.updatesError);
  const loaded = useAppStore((s) => s.updatesLoaded);
  const check = useAppStore((s) => s.updateCheckRequested);
  const download = useAppStore((s) => s.updateDownloadRequested);
  const install = useAppStore((s) => s.updateInstallRequested);
  const state = updates?.state;

  useEffect(() => {
    void loaded();
  }, [loaded]);
  // The download call answers when it ends: its progress is read from the status meanwhile.
  useEffect(() => {
    if (state !== 'downloading' && state !== 'checking') return;
    const timer = setInterval(() => void loaded(), 500);
    return () => clearInterval(timer);
  }, [state, loaded]);

  if (!updates) return null;
  const busy = state === 'checking' || state === 'downloading' || state === 'installing';
  return (
    <div className="card" data-testid="updates-card" data-state={state}>
      <h2>{t('updates.title')}</h2>
      <dl className="facts">
        <dt>{t('updates.installed')}</dt>
        <dd>{updates.installedVersion}</dd>
        <dt>{t('updates.channel')}</dt>
        <dd>{updates.channel ?? t('updates.channelUnknown')}</dd>
        <dt>{t('updates.stateLabel')}</dt>
        <dd data-testid="updates-state">
          {t(`updates.state.${updates.state}`, { version: updates.availableVersion ?? '' })}
          {updates.progress && state === 'downloading' && ` ${Math.round(updates.progress.percent)} %`}
        </dd>
      </dl>
      {updates.refused && (
        <p className="callout callout-error" role="alert" data-error-code={updates.refused.code}>
          {t(`errors.${updates.refused.code}`, { defaultValue: updates.refused.message })}
        </p>
      )}
      {error && (
        <p className="callout callout-error" role="alert" data-error-code={error.code}>
          {t(`errors.${error.code}`)}
        </p>
      )}
      {state !== 'unsupported' && (
        <div className="actions">
          {state === 'available' ? (
            <button type="button" className="button" onClick={() => void download()}>
              {t('updates.download')}
            </button>
          ) : state === 'verified' ? (
            <button type="button" className="button button-primary" onClick={() => void install()}>
              {t('updates.restart')}
            </button>
          ) : (
            <button type="button" className="button" disabled={busy} onClick={() => void check()}>
              {t('updates.check')}
            </button>
          )}
        </div>
      )}
    </div>
  );
}
