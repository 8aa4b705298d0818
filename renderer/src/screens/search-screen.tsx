import { useEffect, useRef, useState, type FormEvent } from 'react';
import { useTranslation } from 'react-i18next';
import type { SearchHit } from '../../../shared/contract/vault-calls';
import { openHitHash, SearchHitView } from '../components/search-hit-view';
import { useAppStore } from '../store/store-context';

/**
 * The full search results: every hit (up to the page size) with its document, number and
 * marking, each a button (Tab and Enter reach it), and a search form of its own so the page
 * works from the keyboard without the top bar. The banner shows the highest marking listed.
 */
export function SearchScreen() {
  const { t } = useTranslation();
  const page = useAppStore((s) => s.searchPage);
  const searchPageOpened = useAppStore((s) => s.searchPageOpened);
  const documentOpened = useAppStore((s) => s.documentOpened);
  const threadOpened = useAppStore((s) => s.threadOpened);
  const [draft, setDraft] = useState(page.query);
  const heading = useRef<HTMLHeadingElement>(null);

  useEffect(() => setDraft(page.query), [page.query]);

  const submit = (e: FormEvent) => {
    e.preventDefault();
    void searchPageOpened(draft);
  };
  const open = (hit: SearchHit) => {
    const hash = openHitHash(hit);
    if (hash) window.location.hash = hash;
    if (hit.documentId) void documentOpened(hit.documentId);
    else if (hit.threadId) void threadOpened(hit.threadId);
  };

  return (
    <section className="screen search-screen" aria-labelledby="search-page-title">
      <h1 id="search-page-title" ref={heading} tabIndex={-1}>
        {page.query ? t('search.page.titleFor', { query: page.query }) : t('search.page.title')}
      </h1>
      <form className="search-page-form" role="search" onSubmit={submit}>
        <label htmlFor="search-page-query">{t('search.label')}</label>
        <input
          id="search-page-query"
          type="search"
          value={draft}
          onChange={(e) => setDraft(e.target.value)}
          data-testid="search-page-query"
        />
        <button type="submit" className="button primary">
          {t('search.page.submit')}
        </button>
      </form>
      <p className="search-page-count" role="status" aria-live="polite">
        {page.loading
          ? t('search.page.loading')
          : page.error
            ? t(`errors.${page.error.code}`)
            : page.query
              ? t('search.page.count', { count: page.hits.length })
              : ''}
      </p>
      {page.hits.length > 0 && (
        <ol className="search-page-results" data-testid="search-page-results">
          {page.hits.map((hit) => (
            <li key={`${hit.kind}-${hit.id}`}>
              <button type="button" className="search-hit search-page-hit" onClick={() => open(hit)}>
                <SearchHitView hit={hit} />
              </button>
            </li>
          ))}
        </ol>
      )}
    </section>
  );
}
