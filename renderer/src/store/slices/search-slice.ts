import type { ContractError } from '../../../../shared/contract/errors';
import type { SearchHit } from '../../../../shared/contract/vault-calls';
import { isVaultGone, type Slice, type SliceDeps } from '../slice';

export interface SearchSlice {
  searchQuery: string;
  searchHits: SearchHit[];
  searchError: ContractError | null;
  /** Latest request wins: answers to older queries are dropped. */
  searchTyped(query: string): Promise<void>;
  searchCleared(): void;
}

export const emptySearch = {
  searchQuery: '',
  searchHits: [],
  searchError: null,
} satisfies Partial<SearchSlice>;

export const searchSlice =
  ({ client }: SliceDeps): Slice<SearchSlice> =>
  (set, get) => {
    let latest = 0;
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
        set(emptySearch);
      },
    };
  };
