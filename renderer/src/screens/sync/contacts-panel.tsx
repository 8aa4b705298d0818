import { useEffect, useState } from 'react';
import { useTranslation } from 'react-i18next';
import { useAppStore } from '../../store/store-context';
import { ContactCard } from './contact-card';
import { errorKey, filterOfficers, otherOfficers } from './sync-format';

/**
 * Colleagues from HQ's certified directory: pick one to see their devices and compare the
 * safety number. The list is the directory the core verified; the card is computed by the core.
 */
export function ContactsPanel() {
  const { t } = useTranslation();
  const directory = useAppStore((s) => s.syncDirectory);
  const directoryRequested = useAppStore((s) => s.syncDirectoryRequested);
  const me = useAppStore((s) => s.syncStatus?.address);
  const contact = useAppStore((s) => s.contact);
  const error = useAppStore((s) => s.contactError);
  const opened = useAppStore((s) => s.contactOpened);
  const refreshed = useAppStore((s) => s.contactRefreshed);
  // A round that brought a notice may have changed the number: the card never shows a stale mark.
  const round = useAppStore((s) => `${s.syncStatus?.lastSyncAt ?? 0}:${s.syncStatus?.warnings[0]?.at ?? 0}`);
  const [query, setQuery] = useState('');

  useEffect(() => {
    void directoryRequested();
  }, [directoryRequested, round]);

  useEffect(() => {
    void refreshed();
  }, [refreshed, round]);

  const officers = filterOfficers(otherOfficers(directory?.officers ?? [], me), query);
  return (
    <div className="contacts-panel" data-testid="contacts-panel">
      <div className="contacts-list">
        <div className="field">
          <input
            type="search"
            placeholder={t('sync.contacts.search')}
            aria-label={t('sync.contacts.search')}
            value={query}
            onChange={(e) => setQuery(e.target.value)}
          />
        </div>
        <ul className="contact-list">
          {officers.map((o) => (
            <li key={o.address}>
              <button
                type="button"
                className={`contact-pick${contact?.address === o.address ? ' is-current' : ''}`}
                aria-current={contact?.address === o.address ? 'true' : undefined}
                onClick={() => void opened(o.address)}
                data-testid={`contact-${o.address}`}
              >
                <strong>{o.name}</strong>
                <span className="muted">{o.address}</span>
              </button>
            </li>
          ))}
        </ul>
      </div>
      <div className="contacts-detail">
        {contact ? (
          <ContactCard contact={contact} />
        ) : error ? (
          <p className="callout callout-error" role="alert">
            {t(errorKey(error.code))}
          </p>
        ) : (
          <p className="muted">{t('sync.contacts.pick')}</p>
        )}
      </div>
    </div>
  );
}
