import { useEffect, useId, useRef, useState, type KeyboardEvent } from 'react';
import { useTranslation } from 'react-i18next';
import type { SearchHit } from '../../../shared/contract/vault-calls';
import { useAppStore } from '../store/store-context';
import { openHitHash, SearchHitView } from './search-hit-view';

/**
 * Search everywhere, as you type (ARIA combobox): results from the vault's full-text index
 * with their document, marking and highlighted snippet. Ctrl+K focuses it; arrows pick a hit
 * and Enter opens it; Enter without picking one (or the last option) opens the full results.
 */
export function SearchBox() {
  const { t } = useTranslation();
  const query = useAppStore((s) => s.searchQuery);
  const hits = useAppStore((s) => s.searchHits);
  const error = useAppStore((s) => s.searchError);
  const searchTyped = useAppStore((s) => s.searchTyped);
  const searchCleared = useAppStore((s) => s.searchCleared);
  const searchPageOpened = useAppStore((s) => s.searchPageOpened);
  const documentOpened = useAppStore((s) => s.documentOpened);
  const threadOpened = useAppStore((s) => s.threadOpened);
  // -1: no option picked yet (Enter opens the results page); hits.length: "all results".
  const [active, setActive] = useState(-1);
  const [open, setOpen] = useState(false);
  const input = useRef<HTMLInputElement>(null);
  const listId = useId();

  useEffect(() => {
    const onKey = (e: globalThis.KeyboardEvent) => {
      if ((e.ctrlKey || e.metaKey) && e.key.toLowerCase() === 'k') {
        e.preventDefault();
        input.current?.focus();
      }
    };
    window.addEventListener('keydown', onKey);
    return () => window.removeEventListener('keydown', onKey);
  }, []);

  const choose = (hit: SearchHit) => {
    setOpen(false);
    searchCleared();
    const hash = openHitHash(hit);
    if (hash) window.location.hash = hash;
    if (hit.documentId) void documentOpened(hit.documentId);
    else if (hit.threadId) void threadOpened(hit.threadId);
  };
  const showAll = () => {
    if (query.trim().length === 0) return;
    setOpen(false);
    void searchPageOpened(query);
    searchCleared();
    window.location.hash = '#/search';
  };

  const onKeyDown = (e: KeyboardEvent<HTMLInputElement>) => {
    if (e.key === 'ArrowDown') setActive(Math.min(active + 1, hits.length));
    else if (e.key === 'ArrowUp') setActive(Math.max(active - 1, 0));
    else if (e.key === 'Enter') {
      const hit = active >= 0 ? hits[active] : undefined;
      if (hit) choose(hit);
      else showAll();
    } else if (e.key === 'Escape') {
      setOpen(false);
      searchCleared();
    } else return;
    e.preventDefault();
  };

  const expanded = open && query.trim().length > 0;
  const allIndex = hits.length;
  return (
    <div className="search-box">
      <input
        ref={input}
        type="search"
        role="combobox"
        aria-label={t('search.label')}
        aria-expanded={expanded}
        aria-controls={listId}
        aria-activedescendant={expanded && active >= 0 ? `${listId}-${active}` : undefined}
        aria-keyshortcuts="Control+K"
        placeholder={t('search.placeholder')}
        value={query}
        onChange={(e) => {
          setOpen(true);
          setActive(-1);
          void searchTyped(e.target.value);
        }}
        onKeyDown={onKeyDown}
        onBlur={() => setTimeout(() => setOpen(false), 150)}
        data-testid="search"
      />
      {expanded && (
        <ul id={listId} role="listbox" className="search-results" aria-label={t('search.results')}>
          {error && <li className="search-empty">{t(`errors.${error.code}`)}</li>}
          {!error && hits.length === 0 && <li className="search-empty">{t('search.none')}</li>}
          {hits.map((hit, i) => (
            <li
              key={`${hit.kind}-${hit.id}`}
              id={`${listId}-${i}`}
              role="option"
              aria-selected={i === active}
              className="search-hit"
              onMouseDown={(e) => e.preventDefault()}
              onClick={() => choose(hit)}
            >
              <SearchHitView hit={hit} />
            </li>
          ))}
          <li
            id={`${listId}-${allIndex}`}
            role="option"
            aria-selected={active === allIndex}
            className="search-all"
            onMouseDown={(e) => e.preventDefault()}
            onClick={showAll}
            data-testid="search-all"
          >
            {t('search.showAll')}
          </li>
        </ul>
      )}
    </div>
  );
}
