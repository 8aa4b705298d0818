import { useEffect, useId, useState } from 'react';
import { useTranslation } from 'react-i18next';
import { useAppStore } from '../../store/store-context';
import { errorKey, filterOfficers, otherOfficers, unreachableReason } from './sync-format';

/** The contract's limit on recipients per send. */
export const MAX_RECIPIENTS = 50;

/**
 * Pick recipients from HQ's signed directory: a search box (diacritics optional) over name,
 * address and department, and a checkbox per officer (not the officer themself). Officers nobody could open a message
 * for right now are listed, disabled, with the reason. Chosen ones stay visible as chips
 * even when the search hides them.
 */
export function RecipientPicker({
  value,
  onChange,
  error,
}: {
  value: readonly string[];
  onChange: (addresses: string[]) => void;
  error?: string | null;
}) {
  const { t } = useTranslation();
  const directory = useAppStore((s) => s.syncDirectory);
  const directoryError = useAppStore((s) => s.syncDirectoryError);
  const directoryRequested = useAppStore((s) => s.syncDirectoryRequested);
  const me = useAppStore((s) => s.syncStatus?.address);
  const enrolment = useAppStore((s) => s.syncStatus?.enrolment);
  const [query, setQuery] = useState('');
  const id = useId();

  useEffect(() => {
    void directoryRequested();
  }, [directoryRequested]);

  // Until HQ approved this workstation its directory is empty: say why, not "no match".
  const blocked =
    directoryError ??
    (enrolment === 'none' || enrolment === 'pending'
      ? { code: enrolment === 'none' ? 'E_SYNC_NOT_ENROLLED' : 'E_SYNC_PENDING' }
      : null);
  const officers = otherOfficers(directory?.officers ?? [], me);
  const shown = filterOfficers(officers, query);
  const chosen = new Set(value);
  const byAddress = new Map(officers.map((o) => [o.address, o]));
  const toggle = (address: string, on: boolean) =>
    onChange(on ? [...value, address] : value.filter((a) => a !== address));

  return (
    <fieldset className="recipient-picker" aria-describedby={error ? `${id}-error` : undefined}>
      <legend>{t('sync.compose.recipients')}</legend>
      {blocked && (
        <div className="callout callout-error" role="alert" data-testid="directory-error">
          <p>{t(errorKey(blocked.code))}</p>
          {(blocked.code === 'E_SYNC_NOT_ENROLLED' || blocked.code === 'E_SYNC_PENDING') && (
            <p>
              <a href="#/sync">
                {blocked.code === 'E_SYNC_PENDING' ? t('sync.compose.seeSync') : t('sync.compose.enrolFirst')}
              </a>
            </p>
          )}
        </div>
      )}
      {value.length > 0 && (
        <ul className="chip-list" aria-label={t('sync.compose.chosen', { count: value.length })}>
          {value.map((address) => (
            <li key={address} className="chip">
              <span>{byAddress.get(address)?.name ?? address}</span>
              <button
                type="button"
                className="chip-remove"
                onClick={() => toggle(address, false)}
                aria-label={t('sync.compose.remove', { name: byAddress.get(address)?.name ?? address })}
              >
                ×
              </button>
            </li>
          ))}
        </ul>
      )}
      {!directory && !blocked && <p className="muted">{t('sync.compose.loadingDirectory')}</p>}
      {directory && !blocked && (
        <>
          <div className="field">
            <label htmlFor={`${id}-search`}>{t('sync.compose.search')}</label>
            <input
              id={`${id}-search`}
              type="search"
              value={query}
              onChange={(e) => setQuery(e.target.value)}
              placeholder={t('sync.compose.searchPlaceholder')}
              aria-controls={`${id}-list`}
              data-testid="recipient-search"
            />
          </div>
          <p className="visually-hidden" aria-live="polite">
            {t('sync.compose.matches', { count: shown.length })}
          </p>
          <ul id={`${id}-list`} className="recipient-list" data-testid="recipient-list">
            {shown.length === 0 && (
              <li className="muted">
                {officers.length === 0 ? t('sync.compose.directoryEmpty') : t('sync.compose.noMatch')}
              </li>
            )}
            {shown.map((o) => {
              const reason = unreachableReason(o);
              const checked = chosen.has(o.address);
              const full = !checked && value.length >= MAX_RECIPIENTS;
              return (
                <li key={o.address} className={reason ? 'is-disabled' : undefined}>
                  <label className="recipient">
                    <input
                      type="checkbox"
                      checked={checked}
                      disabled={(reason !== null && !checked) || full}
                      onChange={(e) => toggle(o.address, e.target.checked)}
                      aria-describedby={reason ? `${id}-${o.address}-why` : undefined}
                      data-testid="recipient"
                      data-address={o.address}
                    />
                    <span className="recipient-text">
                      <strong>{o.name}</strong>
                      <span className="muted">
                        {o.address}
                        {o.department ? ` · ${o.department}` : ''}
                      </span>
                      {reason && (
                        <span id={`${id}-${o.address}-why`} className="recipient-why">
                          {t(`sync.unreachable.${reason}`)}
                        </span>
                      )}
                    </span>
                  </label>
                </li>
              );
            })}
          </ul>
        </>
      )}
      {error && (
        <p id={`${id}-error`} className="field-error" role="alert">
          {error}
        </p>
      )}
    </fieldset>
  );
}
