import { useEffect, useRef } from 'react';
import { useTranslation } from 'react-i18next';
import { ClassificationBanner } from './components/classification-banner';
import { LanguageSwitch } from './components/language-switch';
import { NavBar } from './components/nav-bar';
import { StatusBar } from './components/status-bar';
import { AboutScreen } from './screens/about-screen';
import { SearchScreen } from './screens/search-screen';
import { SettingsScreen } from './screens/settings-screen';
import { SignScreen } from './screens/sign/sign-screen';
import { SyncScreen } from './screens/sync/sync-screen';
import { DocumentsScreen } from './screens/vault/documents-screen';
import { MessagesScreen } from './screens/vault/messages-screen';
import { VaultGate } from './screens/vault/vault-gate';
import { LockControl } from './components/lock-control';
import { HelpButton } from './components/guide/help-button';
import { HelpDialog } from './components/guide/help-dialog';
import { TourDialog } from './components/guide/tour-dialog';
import { SearchBox } from './components/search-box';
import { useAppStore } from './store/store-context';
import { ROUTES, routeFromHash, type Route } from './store/routes';
import { screenMarking } from './store/screen-marking';

/** The app shell: marking, header, navigation, the current screen, status bar. */
export function App() {
  const { t, i18n } = useTranslation();
  const route = useAppStore((s) => s.route);
  const navigated = useAppStore((s) => s.navigated);
  const routeReentered = useAppStore((s) => s.routeReentered);
  const language = useAppStore((s) => s.language);
  const vaultUnlocked = useAppStore((s) => s.vault?.state === 'unlocked');
  const marking = useAppStore((s) => screenMarking(s, route));
  const syncWatchStarted = useAppStore((s) => s.syncWatchStarted);
  const syncWatchStopped = useAppStore((s) => s.syncWatchStopped);
  const main = useRef<HTMLElement>(null);

  // Sync status is known only while the vault is open: ask for it from unlock to lock.
  useEffect(() => {
    if (!vaultUnlocked) return;
    syncWatchStarted();
    return syncWatchStopped;
  }, [vaultUnlocked, syncWatchStarted, syncWatchStopped]);

  // Language: the store is the source of truth (persisted through the core); i18n follows.
  useEffect(() => {
    if (i18n.language !== language) void i18n.changeLanguage(language);
    document.documentElement.lang = language;
    document.title = t('app.title');
  }, [i18n, language, t]);

  // Routing: the hash is the address, the store follows; focus moves to the new screen.
  useEffect(() => {
    const onHash = () => {
      const next = routeFromHash(window.location.hash);
      navigated(next);
      main.current?.focus();
    };
    const onKey = (e: KeyboardEvent) => {
      if (!e.altKey || e.ctrlKey || e.metaKey) return;
      const index = Number(e.key) - 1;
      const target: Route | undefined = ROUTES[index];
      if (target) {
        e.preventDefault();
        if (routeFromHash(window.location.hash) === target) routeReentered(target);
        else window.location.hash = `#/${target}`;
      }
    };
    window.addEventListener('hashchange', onHash);
    window.addEventListener('keydown', onKey);
    return () => {
      window.removeEventListener('hashchange', onHash);
      window.removeEventListener('keydown', onKey);
    };
  }, [navigated, routeReentered]);

  return (
    <div className="app-shell">
      <a className="skip-link" href="#main">
        {t('app.skipToContent')}
      </a>
      <ClassificationBanner level={marking} live />
      <header className="top-bar">
        <div className="brand">
          <svg className="brand-mark" viewBox="0 0 24 24" aria-hidden="true" focusable="false">
            <path d="M12 2l8 3v6c0 5-3.4 9.4-8 11-4.6-1.6-8-6-8-11V5z" fill="currentColor" />
          </svg>
          <div>
            <div className="brand-title">{t('app.title')}</div>
            <div className="brand-subtitle">{t('app.subtitle')}</div>
          </div>
        </div>
        <div className="top-actions">
          {vaultUnlocked && <SearchBox />}
          <LockControl />
          <HelpButton />
          <LanguageSwitch id="top-language" />
        </div>
      </header>
      <NavBar />
      <main id="main" ref={main} tabIndex={-1} className="main" data-route={route}>
        <Screen route={route} />
      </main>
      <StatusBar />
      <HelpDialog />
      <TourDialog />
    </div>
  );
}

function Screen({ route }: { route: Route }) {
  switch (route) {
    case 'about':
      return <AboutScreen />;
    case 'settings':
      return <SettingsScreen />;
    case 'sign':
      return <SignScreen />;
    case 'documents':
      return (
        <VaultGate>
          <DocumentsScreen />
        </VaultGate>
      );
    case 'messages':
      return (
        <VaultGate>
          <MessagesScreen />
        </VaultGate>
      );
    case 'sync':
      return (
        <VaultGate>
          <SyncScreen />
        </VaultGate>
      );
    case 'search':
      return (
        <VaultGate>
          <SearchScreen />
        </VaultGate>
      );
  }
}

/** Shown when neither Electron's preload nor the preview bridge is available. */
export function NoCore() {
  const { t } = useTranslation();
  return (
    <main className="no-core" role="alert">
      <h1>{t('app.noCore.title')}</h1>
      <p>{t('app.noCore.body')}</p>
    </main>
  );
}
