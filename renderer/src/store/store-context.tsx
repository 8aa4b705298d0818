import { createContext, useContext, type ReactNode } from 'react';
import { useStore } from 'zustand';
import type { EmbassyClient } from '../../../shared/contract/client';
import type { AppState, AppStore } from './app-store';

const StoreContext = createContext<AppStore | null>(null);
const ClientContext = createContext<EmbassyClient | null>(null);

export function StoreProvider({
  store,
  client,
  children,
}: {
  store: AppStore;
  client: EmbassyClient;
  children: ReactNode;
}) {
  return (
    <ClientContext.Provider value={client}>
      <StoreContext.Provider value={store}>{children}</StoreContext.Provider>
    </ClientContext.Provider>
  );
}

/**
 * The API client, for streaming reads that do not belong in the store (attachment bytes for
 * a preview are held only by the component showing them, and dropped with it).
 */
export function useEmbassyClient(): EmbassyClient {
  const client = useContext(ClientContext);
  if (!client) throw new Error('useEmbassyClient outside StoreProvider');
  return client;
}

/** Select a slice of the app state; components re-render only when their selection changes. */
export function useAppStore<T>(selector: (state: AppState) => T): T {
  const store = useContext(StoreContext);
  if (!store) throw new Error('useAppStore outside StoreProvider');
  return useStore(store, selector);
}
