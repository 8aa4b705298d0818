import { describe, expect, it } from 'vitest';
import type { SearchHit } from '../../../../shared/contract/vault-calls';
import { ok } from '../../../../shared/contract/result';
import { fakeClient } from '../../../../tests/helpers/fake-client';
import { createAppStore } from '../app-store';
import { screenMarking } from '../screen-marking';

const hit = (id: string, classification: SearchHit['classification']): SearchHit => ({
  kind: 'attachment',
  id,
  documentId: `${id}d`,
  threadId: null,
  title: `${id}.docx`,
  document: { id: `${id}d`, subject: 'Công hàm', registryNumber: '12/2026/NV', classification },
  classification,
  snippet: [{ text: 'kangaroo', hit: true }],
  rank: -1,
});

describe('search slice: the results page', () => {
  it('asks for a full page and keeps only the latest answer', async () => {
    let release: (() => void) | undefined;
    const fake = fakeClient({
      search: (input) => {
        const { query } = input as { query: string };
        if (query === 'slow')
          return new Promise((r) => (release = () => r(ok({ hits: [hit('a', 'secret')] }))));
        return ok({ hits: [hit('b', 'confidential')] });
      },
    });
    const store = createAppStore(fake.client, 'search');
    const slow = store.getState().searchPageOpened('slow');
    await store.getState().searchPageOpened('kangaroo');
    release?.();
    await slow;
    expect(fake.call).toHaveBeenCalledWith('search', { query: 'kangaroo', limit: 100 });
    expect(store.getState().searchPage).toMatchObject({ query: 'kangaroo', loading: false });
    expect(store.getState().searchPage.hits.map((h) => h.id)).toEqual(['b']);
  });

  it('the banner on the results page is the highest marking listed', async () => {
    const fake = fakeClient({ search: ok({ hits: [hit('a', 'confidential'), hit('b', 'secret')] }) });
    const store = createAppStore(fake.client, 'search');
    await store.getState().searchPageOpened('x');
    const unlocked = { ...store.getState(), vault: { state: 'unlocked' } } as ReturnType<
      typeof store.getState
    >;
    expect(screenMarking(unlocked, 'search')).toBe('secret');
    expect(screenMarking({ ...unlocked, searchPage: { ...unlocked.searchPage, hits: [] } }, 'search')).toBe(
      'unclassified',
    );
  });
});
