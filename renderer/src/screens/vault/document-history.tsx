import { useTranslation } from 'react-i18next';
import type { DocumentDetail, FieldChange } from '../../../../shared/contract/vault-calls';

type Format = (iso: string) => string;

/** A field's value for display: kinds and markings in the UI language, dates formatted. */
function useValue() {
  const { t } = useTranslation();
  return (change: FieldChange, side: 'from' | 'to', date: Format): string => {
    const value = change[side];
    if (value === '') return t('documents.empty');
    if (change.field === 'kind') return t(`documents.kind.${value}`, { defaultValue: value });
    if (change.field === 'classification') return t(`classification.${value}`, { defaultValue: value });
    if (change.field === 'date') return date(value);
    return value;
  };
}

/** The versions, newest last, each with who made it, when, and what it changed (in the UI language). */
export function DocumentVersions({ detail, format }: { detail: DocumentDetail; format: Format }) {
  const { t } = useTranslation();
  const value = useValue();
  const who = (author: string) => author || t('documents.thisWorkstation');
  return (
    <section aria-labelledby="versions-title">
      <h2 id="versions-title">{t('documents.versions')}</h2>
      <ol className="plain-list version-list" data-testid="document-versions">
        {detail.versions.map((v) => (
          <li key={v.version} data-testid={`version-${v.version}`}>
            <strong>{t('documents.versionLabel', { version: v.version })}</strong> ·{' '}
            {t(`documents.versionNote.${v.note}`, { defaultValue: v.note })} · {format(v.createdAt)} ·{' '}
            {t('documents.by', { who: who(v.author) })}
            {v.changes.length > 0 && (
              <ul className="change-list">
                {v.changes.map((c) => (
                  <li key={c.field}>
                    <span className="change-field">{t(`documents.field.${c.field}`)}</span>:{' '}
                    {c.field === 'body' ? (
                      t('documents.changedText')
                    ) : (
                      <>
                        <del>{value(c, 'from', format)}</del> → <ins>{value(c, 'to', format)}</ins>
                      </>
                    )}
                  </li>
                ))}
              </ul>
            )}
          </li>
        ))}
      </ol>
    </section>
  );
}

/** Status changes, archiving and approvals (the approver's signature, verified now). */
export function DocumentHistory({ detail, format }: { detail: DocumentDetail; format: Format }) {
  const { t } = useTranslation();
  const who = (actor: string) => actor || t('documents.thisWorkstation');
  const status = (s: string | undefined) => (s ? t(`documents.status.${s}`) : '');
  return (
    <section aria-labelledby="history-title">
      <h2 id="history-title">{t('documents.history')}</h2>
      {detail.history.length === 0 ? (
        <p className="muted">{t('documents.historyEmpty')}</p>
      ) : (
        <ol className="plain-list history-list" data-testid="document-history">
          {detail.history.map((e, i) => (
            <li key={i}>
              {e.kind === 'status'
                ? t('documents.event.status', { from: status(e.from), to: status(e.to) })
                : t(`documents.event.${e.kind}`)}
              {e.cause && e.cause !== 'officer' ? ` (${t(`documents.cause.${e.cause}`)})` : ''} ·{' '}
              {format(e.at)} · {t('documents.by', { who: who(e.actor) })}
              {e.approval && (
                <div
                  className={`approval approval-${e.approval.verdict}`}
                  data-testid="approval"
                  data-verdict={e.approval.verdict}
                >
                  {t('documents.approval.signedBy', {
                    who: e.approval.signer || who(e.actor),
                    version: e.version ?? 1,
                  })}{' '}
                  — <strong>{t(`documents.approval.${e.approval.verdict}`)}</strong>
                </div>
              )}
            </li>
          ))}
        </ol>
      )}
    </section>
  );
}
