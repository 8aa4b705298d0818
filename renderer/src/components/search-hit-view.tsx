import { useTranslation } from 'react-i18next';
import type { SearchHit } from '../../../shared/contract/vault-calls';

/**
 * One search hit's content: what it is, its title, the document it belongs to (subject and
 * number) with its marking, and the snippet (segments rendered as text, never HTML). The
 * dropdown and the results page both show hits this way.
 */
export function SearchHitView({ hit }: { hit: SearchHit }) {
  const { t } = useTranslation();
  const doc = hit.document;
  // A document hit is its own context: its number and marking, without repeating the subject.
  const context = doc && (hit.kind !== 'document' ? t('search.inDocument', { subject: doc.subject }) : '');
  return (
    <>
      <span className="search-kind">{t(`search.kind.${hit.kind}`)}</span>
      <span className="search-title">{hit.title}</span>
      <span className="search-context">
        <span className={`search-marking marking-${hit.classification}`}>
          {t(`classification.${hit.classification}`)}
        </span>
        {context && <span className="search-document">{context}</span>}
        {doc?.registryNumber && (
          <span className="search-number">{t('search.number', { number: doc.registryNumber })}</span>
        )}
      </span>
      <span className="search-snippet">
        {hit.snippet.map((seg, j) =>
          seg.hit ? <mark key={j}>{seg.text}</mark> : <span key={j}>{seg.text}</span>,
        )}
      </span>
    </>
  );
}

/** Where a hit leads: its document, else its thread. */
export function openHitHash(hit: SearchHit): '#/documents' | '#/messages' | null {
  if (hit.documentId) return '#/documents';
  if (hit.threadId) return '#/messages';
  return null;
}
