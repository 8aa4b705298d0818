import { createStore, type StoreApi } from 'zustand';
import type { Health } from '../../../shared/contract/calls';
import type { EmbassyClient } from '../../../shared/contract/client';
import type { ContractError } from '../../../shared/contract/errors';
import { DEFAULT_LANGUAGE, type Language } from '../../../shared/domain/language';
import { DEFAULT_ROUTE, type Route } from './routes';
import type { Slice, SliceDeps } from './slice';
import { contactsSlice, emptyContacts, type ContactsSlice } from './slices/contacts-slice';
import { documentsSlice, emptyDocuments, type DocumentsSlice } from './slices/documents-slice';
import {
  documentWorkflowSlice,
  emptyDocumentWorkflow,
  type DocumentWorkflowSlice,
} from './slices/document-workflow-slice';
import { emptyMessages, messagesSlice, type MessagesSlice } from './slices/messages-slice';
import { emptySearch, searchSlice, type SearchSlice } from './slices/search-slice';
import { emptySigning, signingSlice, type SigningSlice } from './slices/signing-slice';
import { policySlice, type PolicySlice } from './slices/policy-slice';
import { updatesSlice, type UpdatesSlice } from './slices/updates-slice';
import { auditSlice, type AuditSlice } from './slices/audit-slice';
import { syncSlice, type SyncSlice } from './slices/sync-slice';
import { vaultSlice, type VaultSlice } from './slices/vault-slice';
import { markingsSlice, type MarkingsSlice } from './slices/markings-slice';
import { guideSlice, type GuideSlice } from './slices/guide-slice';

/**
 * The app's state, as slices (Zustand's slices pattern). The store is built by a factory
 * that receives the `EmbassyClient`, so tests pass a fake and no component calls the API
 * directly. Actions are named for the event that happened.
 */

export interface NavigationSlice {
  route: Route;
  navigated(route: Route): void;
  /**
   * The officer asked for the screen already shown (its link, or Alt+1…6): no hash change, but
   * Documents goes back from an open document to the list, as "Documents" promises.
   */
  routeReentered(route: Route): void;
}

export interface SettingsSlice {
  language: Language;
  /** The settings call failed (e.g. language could not be saved); shown in Settings. */
  settingsError: ContractError | null;
  settingsLoaded(): Promise<void>;
  languageChosen(language: Language): Promise<void>;
}

export type Loadable<T> =
  | { status: 'idle' }
  | { status: 'loading'; value?: T }
  | { status: 'ready'; value: T }
  | { status: 'error'; error: ContractError; value?: T };

export interface HealthSlice {
  health: Loadable<Health>;
  healthRequested(): Promise<void>;
}

export type AppState = NavigationSlice &
  SettingsSlice &
  HealthSlice &
  VaultSlice &
  DocumentsSlice &
  DocumentWorkflowSlice &
  MessagesSlice &
  SearchSlice &
  SigningSlice &
  SyncSlice &
  PolicySlice &
  UpdatesSlice &
  AuditSlice &
  ContactsSlice &
  MarkingsSlice &
  GuideSlice;
export type AppStore = StoreApi<AppState>;

const navigationSlice =
  (initialRoute: Route): Slice<NavigationSlice> =>
  (set, get) => ({
    route: initialRoute,
    navigated: (route) => set({ route }),
    routeReentered: (route) => {
      if (route === 'documents' && get().openDocument) get().documentClosed();
    },
  });

const settingsSlice =
  (client: EmbassyClient): Slice<SettingsSlice> =>
  (set) => ({
    language: DEFAULT_LANGUAGE,
    settingsError: null,
    async settingsLoaded() {
      const result = await client.call('settings.get', {});
      if (result.ok) set({ language: result.value.language, settingsError: null });
      else set({ settingsError: result.error });
    },
    async languageChosen(language) {
      // Switch at once; persist through the core; say so if it could not be saved.
      set({ language });
      const result = await client.call('settings.update', { language });
      set(
        result.ok
          ? { language: result.value.language, settingsError: null }
          : { settingsError: result.error },
      );
    },
  });

const healthSlice =
  (client: EmbassyClient): Slice<HealthSlice> =>
  (set, get) => ({
    health: { status: 'idle' },
    async healthRequested() {
      const previous = get().health;
      const value = 'value' in previous ? previous.value : undefined;
      set({ health: value ? { status: 'loading', value } : { status: 'loading' } });
      const result = await client.call('app.health', {});
      set({
        health: result.ok
          ? { status: 'ready', value: result.value }
          : value
            ? { status: 'error', error: result.error, value }
            : { status: 'error', error: result.error },
      });
    },
  });

export function createAppStore(client: EmbassyClient, initialRoute: Route = DEFAULT_ROUTE): AppStore {
  return createStore<AppState>()((...a) => {
    const [set, get] = a;
    const deps: SliceDeps = {
      client,
      // Lock clears renderer state: nothing read from the vault outlives it here.
      resetContent: () => {
        set({
          ...emptyDocuments,
          ...emptyDocumentWorkflow,
          ...emptyMessages,
          ...emptySearch,
          ...emptySigning,
          ...emptyContacts,
        });
        get().syncReset();
        get().auditReset();
      },
    };
    return {
      ...navigationSlice(initialRoute)(...a),
      ...settingsSlice(client)(...a),
      ...healthSlice(client)(...a),
      ...vaultSlice(deps)(...a),
      ...documentsSlice(deps)(...a),
      ...documentWorkflowSlice(deps)(...a),
      ...messagesSlice(deps)(...a),
      ...searchSlice(deps)(...a),
      ...signingSlice(deps)(...a),
      ...syncSlice(deps)(...a),
      ...policySlice(deps)(...a),
      ...contactsSlice(deps)(...a),
      ...updatesSlice(deps)(...a),
      ...auditSlice(deps)(...a),
      ...markingsSlice(...a),
      ...guideSlice(...a),
    };
  });
}
