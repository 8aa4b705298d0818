import { useEffect, useId, useRef, useState, type KeyboardEvent } from 'react';
import { useTranslation } from 'react-i18next';
import type { SearchHit } from '../../../shared/contract/vault-calls';
import { useAppStore } from '../store/store-context';

/**
 * Search everywhere, as you type (ARIA combobox): results from the vault's full-text index
 * with highlighted snippets rendered as text (segments, never HTML). Ctrl+K focuses it.
 */
export function SearchBox() {
  const { t } = useTranslation();
  const query = useAppStore((s) => s.searchQuery);
  const hits = useAppStore((s) => s.searchHits);
  const error = useAppStore((s) => s.searchError);
  const searchTyped = useAppStore((s) => s.searchTyped);
  const searchCleared = useAppStore((s) => s.searchCleared);
  const documentOpened = useAppStore((s) => s.documentOpened);
  const threadOpened = useAppStore((s) => s.threadOpened);
  const [active, setActive] = useState(0);
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
    if (hit.documentId) {
      window.location.hash = '#/documents';
      void documentOpened(hit.documentId);
    } else if (hit.threadId) {
      window.location.hash = '#/messages';
      void threadOpened(hit.threadId);
    }
  };

  const onKeyDown = (e: KeyboardEvent<HTMLInputElement>) => {
    if (e.key === 'ArrowDown') setActive(Math.min(active + 1, hits.length - 1));
    else if (e.key === 'ArrowUp') setActive(Math.max(active - 1, 0));
    else if (e.key === 'Enter' && hits[active]) choose(hits[active]);
    else if (e.key === 'Escape') {
      setOpen(false);
      searchCleared();
    } else return;
    e.preventDefault();
  };

  const expanded = open && query.trim().length > 0;
  return (
    <div className="search-box">
      <input
        ref={input}
        type="search"
        role="combobox"
        aria-label={t('search.label')}
        aria-expanded={expanded}
        aria-controls={listId}
        aria-activedescendant={expanded && hits[active] ? `${listId}-${active}` : undefined}
        aria-keyshortcuts="Control+K"
        placeholder={t('search.placeholder')}
        value={query}
        onChange={(e) => {
          setOpen(true);
          setActive(0);
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
              <span className="search-kind">{t(`search.kind.${hit.kind}`)}</span>
              <span className="search-title">{hit.title}</span>
              <span className="search-snippet">
                {hit.snippet.map((seg, j) =>
                  seg.hit ? <mark key={j}>{seg.text}</mark> : <span key={j}>{seg.text}</span>,
                )}
              </span>
            </li>
          ))}
        </ul>
      )}
    </div>
  );
}
