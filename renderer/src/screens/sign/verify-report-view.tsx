import { useTranslation } from 'react-i18next';
import type { VerifyReport } from '../../store/slices/signing-slice';

/**
 * A verification result as a person reads it: the verdict in words and colour, then each
 * signature — who signed, when, where and why, the reasons in the officer's language, and
 * the certificate chain.
 */
export function VerifyReportView({ report }: { report: VerifyReport }) {
  const { t, i18n } = useTranslation();
  const lang = i18n.language === 'vi' ? 'vi' : 'en';
  const when = new Intl.DateTimeFormat(lang === 'vi' ? 'vi-VN' : 'en-GB', {
    dateStyle: 'medium',
    timeStyle: 'short',
  });
  return (
    <div className="verify-report" data-verdict={report.verdict} data-testid="verify-report">
      <p className={`verdict verdict-${report.verdict}`} role="status">
        <strong>{t(`sign.verdict.${report.verdict}`)}</strong>
        {report.signatures.length === 0 ? ` — ${t('sign.noSignatures')}` : ''}
      </p>
      {report.reasons.length > 0 && (
        <ul className="reason-list">
          {report.reasons.map((r, i) => (
            <li key={i}>{r[lang]}</li>
          ))}
        </ul>
      )}
      <ol className="signature-list">
        {report.signatures.map((s, i) => (
          <li key={i} className={`signature verdict-border-${s.verdict}`} data-testid="signature">
            <div className="signature-head">
              <span className={`verdict-chip verdict-${s.verdict}`}>{t(`sign.verdict.${s.verdict}`)}</span>
              <strong>{s.signer ?? t('sign.unknownSigner')}</strong>
            </div>
            <dl className="facts">
              {s.signingTime && (
                <>
                  <dt>{t('sign.signedAt')}</dt>
                  <dd>{when.format(new Date(s.signingTime))}</dd>
                </>
              )}
              {s.reason && (
                <>
                  <dt>{t('sign.reason')}</dt>
                  <dd>{s.reason}</dd>
                </>
              )}
              {s.location && (
                <>
                  <dt>{t('sign.location')}</dt>
                  <dd>{s.location}</dd>
                </>
              )}
              {s.coversWholeDocument === false && (
                <>
                  <dt>{t('sign.coverage')}</dt>
                  <dd>{t('sign.laterRevision')}</dd>
                </>
              )}
              {s.chain.length > 0 && (
                <>
                  <dt>{t('sign.chain')}</dt>
                  <dd>{s.chain.join(' → ')}</dd>
                </>
              )}
            </dl>
            {s.reasons.filter((r) => r.severity !== 'info').length > 0 && (
              <ul className="reason-list">
                {s.reasons
                  .filter((r) => r.severity !== 'info')
                  .map((r, j) => (
                    <li key={j} data-reason={r.code}>
                      {r[lang]}
                    </li>
                  ))}
              </ul>
            )}
          </li>
        ))}
      </ol>
    </div>
  );
}
