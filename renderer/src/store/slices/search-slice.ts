import type { ContractError } from '../../../../shared/contract/errors';
import type { SearchHit } from '../../../../shared/contract/vault-calls';
import { isVaultGone, type Slice, type SliceDeps } from '../slice';

/** The full results page: one query's hits, up to the contract's page size. */
export interface SearchPage {
  readonly query: string;
  readonly hits: SearchHit[];
  readonly error: ContractError | null;
  readonly loading: boolean;
}

/** Hits on the results page (the dropdown shows the first 20). */
export const SEARCH_PAGE_SIZE = 100;

export interface SearchSlice {
  searchQuery: string;
  searchHits: SearchHit[];
  searchError: ContractError | null;
  searchPage: SearchPage;
  /** Latest request wins: answers to older queries are dropped. */
  searchTyped(query: string): Promise<void>;
  searchCleared(): void;
  /** The results page asked for `query` (Enter in the search box, or its own form). */
  searchPageOpened(query: string): Promise<void>;
}

const emptyPage: SearchPage = { query: '', hits: [], error: null, loading: false };

export const emptySearch = {
  searchQuery: '',
  searchHits: [],
  searchError: null,
  searchPage: emptyPage,
} satisfies Partial<SearchSlice>;

export const searchSlice =
  ({ client }: SliceDeps): Slice<SearchSlice> =>
  (set, get) => {
    let latest = 0;
    let latestPage = 0;
    return {
      ...emptySearch,
      async searchTyped(query) {
        const ticket = ++latest;
        set({ searchQuery: query });
        if (query.trim().length === 0) {
          set({ searchHits: [], searchError: null });
          return;
        }
        const result = await client.call('search', { query, limit: 20 });
        if (ticket !== latest) return;
        if (result.ok) set({ searchHits: result.value.hits, searchError: null });
        else if (isVaultGone(result.error)) get().vaultGone();
        else set({ searchError: result.error, searchHits: [] });
      },
      searchCleared() {
        latest++;
        set({ searchQuery: '', searchHits: [], searchError: null });
      },
      async searchPageOpened(query) {
        const ticket = ++latestPage;
        if (query.trim().length === 0) {
          set({ searchPage: emptyPage });
          return;
        }
        set({ searchPage: { query, hits: [], error: null, loading: true } });
        const result = await client.call('search', { query, limit: SEARCH_PAGE_SIZE });
        if (ticket !== latestPage) return;
        if (result.ok) set({ searchPage: { query, hits: result.value.hits, error: null, loading: false } });
        else if (isVaultGone(result.error)) get().vaultGone();
        else set({ searchPage: { query, hits: [], error: result.error, loading: false } });
      },
    };
  };
