import '@fontsource/be-vietnam-pro/400.css';
import '@fontsource/be-vietnam-pro/500.css';
import '@fontsource/be-vietnam-pro/600.css';
import '@fontsource/be-vietnam-pro/700.css';
import './styles/tokens.css';
import './styles/app.css';
import { StrictMode } from 'react';
import { createRoot } from 'react-dom/client';
import { I18nextProvider } from 'react-i18next';
import { DEFAULT_LANGUAGE } from '../../shared/domain/language';
import { selectClient } from './api/select-client';
import { App, NoCore } from './app';
import { createI18n } from './i18n/i18n';
import { createAppStore } from './store/app-store';
import { routeFromHash } from './store/routes';
import { StoreProvider } from './store/store-context';

async function boot(): Promise<void> {
  const root = createRoot(document.getElementById('root') as HTMLElement);
  const client = selectClient();
  if (!client) {
    const i18n = await createI18n(navigator.language.startsWith('vi') ? 'vi' : DEFAULT_LANGUAGE);
    root.render(
      <I18nextProvider i18n={i18n}>
        <NoCore />
      </I18nextProvider>,
    );
    return;
  }
  const store = createAppStore(client, routeFromHash(window.location.hash));
  // Language before first paint, so the officer never sees the other language flash.
  await store.getState().settingsLoaded();
  const i18n = await createI18n(store.getState().language);
  void store.getState().healthRequested();
  void store.getState().vaultStatusRequested();
  void store.getState().policyLoaded();
  root.render(
    <StrictMode>
      <I18nextProvider i18n={i18n}>
        <StoreProvider store={store} client={client}>
          <App />
        </StoreProvider>
      </I18nextProvider>
    </StrictMode>,
  );
}

void boot();
