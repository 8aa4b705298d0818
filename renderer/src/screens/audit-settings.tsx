import { useTranslation } from 'react-i18next';
import type { AuditListResult } from '../../../shared/contract/audit-calls';
import { useAppStore } from '../store/store-context';

type Entry = AuditListResult['entries'][number];

/**
 * The officer's own audit log in Settings: what the workstation recorded (kind and time, with
 * the ids it holds), newest first, read when asked. It shows what HQ will check; nothing here
 * can change it.
 */
export function AuditSettings() {
  const { t } = useTranslation();
  const audit = useAppStore((s) => s.audit);
  const error = useAppStore((s) => s.auditError);
  const requested = useAppStore((s) => s.auditRequested);
  const vaultState = useAppStore((s) => s.vault?.state);

  return (
    <div className="card" data-testid="audit-card">
      <h2 id="audit-title">{t('audit.title')}</h2>
      <p className="muted">{t('audit.help')}</p>
      <button
        type="button"
        className="button"
        onClick={() => void requested()}
        disabled={vaultState !== 'unlocked'}
        data-testid="audit-show"
      >
        {audit ? t('audit.refresh') : t('audit.show')}
      </button>
      {error && (
        <p className="callout callout-error" role="alert">
          {t('audit.failed', { reason: t(`errors.${error.code}`) })}
        </p>
      )}
      {audit && (
        <>
          <p role="status" data-testid="audit-count">
            {t('audit.count', { count: audit.total, shown: audit.entries.length })}
          </p>
          {audit.entries.length > 0 && (
            <table className="audit-table" aria-labelledby="audit-title" data-testid="audit-table">
              <thead>
                <tr>
                  <th scope="col">{t('audit.seq')}</th>
                  <th scope="col">{t('audit.time')}</th>
                  <th scope="col">{t('audit.event')}</th>
                  <th scope="col">{t('audit.refs')}</th>
                </tr>
              </thead>
              <tbody>
                {audit.entries.map((e) => (
                  <tr key={e.seq} data-kind={e.kind}>
                    <td>{e.seq}</td>
                    <td>
                      <time dateTime={new Date(e.at).toISOString()}>{new Date(e.at).toLocaleString()}</time>
                    </td>
                    <td>{t(`audit.kinds.${e.kind}`)}</td>
                    <td className="mono">{refsText(e, t)}</td>
                  </tr>
                ))}
              </tbody>
            </table>
          )}
        </>
      )}
    </div>
  );
}

function refsText(e: Entry, t: (key: string) => string): string {
  const parts: string[] = [];
  const r = e.refs;
  if (r.reason) parts.push(t(`audit.reasons.${r.reason}`));
  if (r.code) parts.push(t(`errors.${r.code}`) === `errors.${r.code}` ? r.code : t(`errors.${r.code}`));
  if (r.verdict) parts.push(t(`audit.verdicts.${r.verdict}`));
  if (r.marking) parts.push(t(`classification.${r.marking}`));
  if (r.channel) parts.push(t(`audit.channels.${r.channel}`));
  if (r.version !== undefined) parts.push(`v${r.version}`);
  if (r.count !== undefined) parts.push(`× ${r.count}`);
  for (const id of [r.documentId, r.attachmentId, r.outboxId, r.envelopeId, r.itemId, r.deviceId])
    if (id) parts.push(id.length > 14 ? `${id.slice(0, 12)}…` : id);
  return parts.join(' · ');
}
