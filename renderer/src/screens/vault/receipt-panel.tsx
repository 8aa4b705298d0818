import { useCallback, useEffect, useRef, useState } from 'react';
import { useTranslation } from 'react-i18next';
import type { DocumentSummary } from '../../../../shared/contract/vault-calls';
import type { ContractError } from '../../../../shared/contract/errors';
import { useAppStore, useEmbassyClient } from '../../store/store-context';

interface Receipts {
  acknowledgements: {
    address: string;
    name: string;
    registrationNumber: string;
    registeredAt: number;
    receivedAt: number;
  }[];
  registration?: { number: string; at: number };
}

/**
 * Acknowledgement of receipt in the document view. A received document: the Register button
 * (status `registered`, a signed receipt queued for its sender), then its registration. A sent
 * one: who acknowledged it and when, as their device-signed receipts say.
 */
export function ReceiptPanel({ document: d }: { document: DocumentSummary }) {
  const { t, i18n } = useTranslation();
  const client = useEmbassyClient();
  const reopen = useAppStore((s) => s.documentOpened);
  const invalidate = useAppStore((s) => s.documentsInvalidated);
  const [receipts, setReceipts] = useState<Receipts | null>(null);
  const [busy, setBusy] = useState(false);
  const [queued, setQueued] = useState(false);
  const [error, setError] = useState<ContractError | null>(null);
  // Registered, the Register button goes: the focus moves to the registration it made rather
  // than falling to the page body.
  const registrationRef = useRef<HTMLParagraphElement>(null);
  const [justRegistered, setJustRegistered] = useState(false);
  const registered = receipts?.registration !== undefined;
  useEffect(() => {
    if (!justRegistered || !registered) return;
    registrationRef.current?.focus();
    setJustRegistered(false);
  }, [justRegistered, registered]);
  const when = new Intl.DateTimeFormat(i18n.language === 'vi' ? 'vi-VN' : 'en-GB', {
    dateStyle: 'medium',
    timeStyle: 'short',
  });

  const load = useCallback(async () => {
    const r = await client.call('documents.receipts', { id: d.id });
    if (r.ok) setReceipts(r.value);
  }, [client, d.id]);
  useEffect(() => {
    void load();
  }, [load, d.status]);

  const register = async () => {
    setBusy(true);
    setError(null);
    const r = await client.call('documents.register', { id: d.id });
    setBusy(false);
    if (!r.ok) {
      setError(r.error);
      return;
    }
    setQueued(r.value.receipt === 'queued');
    setJustRegistered(true);
    invalidate();
    await reopen(d.id);
    await load();
  };

  const incoming = d.direction === 'incoming';
  const sentOut = d.status === 'sent' || d.status === 'acknowledged';
  if (!incoming && !sentOut) return null;
  return (
    <section className="card" aria-labelledby="receipts-title" data-testid="receipt-panel">
      <h2 id="receipts-title">{t('documents.receipts.title')}</h2>
      {incoming ? (
        receipts?.registration ? (
          <>
            <p ref={registrationRef} tabIndex={-1} data-testid="document-registration">
              {t('documents.receipts.registered', {
                number: receipts.registration.number,
                when: when.format(new Date(receipts.registration.at)),
              })}
            </p>
            {queued && <p className="muted">{t('documents.receipts.receiptQueued')}</p>}
          </>
        ) : d.status === 'received' ? (
          <>
            <p className="muted" id="register-hint">
              {t('documents.receipts.registerHint')}
            </p>
            <button
              type="button"
              className="button button-primary"
              onClick={() => void register()}
              disabled={busy}
              aria-describedby="register-hint"
              data-testid="register-document"
            >
              {busy ? t('documents.receipts.registering') : t('documents.receipts.register')}
            </button>
          </>
        ) : null
      ) : receipts && receipts.acknowledgements.length > 0 ? (
        <ul className="plain-list" data-testid="document-acknowledgements">
          {receipts.acknowledgements.map((a) => (
            <li key={a.address}>
              <strong>
                {t('documents.receipts.acknowledgedBy', {
                  who: a.name ? `${a.name} <${a.address}>` : a.address,
                  number: a.registrationNumber,
                  when: when.format(new Date(a.registeredAt)),
                })}
              </strong>
              <br />
              <span className="muted">
                {t('documents.receipts.arrived', { when: when.format(new Date(a.receivedAt)) })}
              </span>
            </li>
          ))}
        </ul>
      ) : (
        <p className="muted">{t('documents.receipts.none')}</p>
      )}
      {error && (
        <p className="callout callout-error" role="alert">
          {t(`errors.${error.code}`)}
        </p>
      )}
    </section>
  );
}
