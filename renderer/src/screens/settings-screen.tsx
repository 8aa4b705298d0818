import { TrustAnchorsCard } from './trust-anchors-card';
import { useTranslation } from 'react-i18next';
import { LanguageSwitch } from '../components/language-switch';
import { useAppStore } from '../store/store-context';
import { AuditSettings } from './audit-settings';
import { PolicySettings } from './policy-settings';
import { VaultSettings } from './vault/vault-settings';

export function SettingsScreen() {
  const { t } = useTranslation();
  const error = useAppStore((s) => s.settingsError);
  return (
    <section className="screen" aria-labelledby="settings-title">
      <header className="screen-header">
        <h1 id="settings-title">{t('settings.title')}</h1>
      </header>
      <div className="card">
        <h2 id="language-title">{t('app.language')}</h2>
        <p className="muted">{t('settings.languageHelp')}</p>
        <LanguageSwitch id="settings-language" />
        {error && (
          <p className="callout callout-error" role="alert">
            {t('settings.saveFailed', { reason: t(`errors.${error.code}`) })}
          </p>
        )}
      </div>
      <PolicySettings />
      <VaultSettings />
      <AuditSettings />
      <TrustAnchorsCard />
    </section>
  );
}
