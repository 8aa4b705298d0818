import { useState } from 'react';
import { useTranslation } from 'react-i18next';
import type { VerifyReport } from '../../store/slices/signing-slice';
import { SignedVersionDialog } from './signed-version-dialog';

type Signature = VerifyReport['signatures'][number];

/** Pages a report says were changed after signing, over all its signatures. */
export function changedPages(report: VerifyReport): number[] {
  const pages = report.signatures.flatMap((s) =>
    s.reasons.filter((r) => r.code === 'MODIFIED_CONTENT').flatMap((r) => r.pages ?? []),
  );
  return [...new Set(pages)].sort((a, b) => a - b);
}

/**
 * A verification result as a person reads it: the verdict in words and colour — and, first of
 * all, whether the document was changed after signing and on which pages — then each
 * signature: who signed, when, where and why, whether it certifies the document, the reasons
 * in the officer's language, the certificate chain, and the signed version to look at when the
 * file has changed since. `loadBytes` gives the verified file's bytes for that view.
 */
export function VerifyReportView({
  report,
  loadBytes,
  exportReport,
}: {
  report: VerifyReport;
  loadBytes?: () => Promise<Uint8Array>;
  /** The report as a PDF in a language (`verify.attachmentReport`), offered as a download. */
  exportReport?: (lang: 'vi' | 'en') => Promise<{ bytes: Uint8Array; fileName: string } | null>;
}) {
  const { t, i18n } = useTranslation();
  const lang = i18n.language === 'vi' ? 'vi' : 'en';
  const [exportFailed, setExportFailed] = useState(false);
  const download = async () => {
    setExportFailed(false);
    const file = await exportReport?.(lang);
    if (!file) {
      setExportFailed(true);
      return;
    }
    const url = URL.createObjectURL(new Blob([file.bytes as BlobPart], { type: 'application/pdf' }));
    const a = document.createElement('a');
    a.href = url;
    a.download = file.fileName;
    a.click();
    setTimeout(() => URL.revokeObjectURL(url), 10_000);
  };
  const pages = changedPages(report);
  const notShown = report.signatures.some((s) => s.reasons.some((r) => r.code === 'MODIFIED_AFTER_SIGNING'));
  return (
    <div className="verify-report" data-verdict={report.verdict} data-testid="verify-report">
      <p className={`verdict verdict-${report.verdict}`} role="status">
        <strong>{t(`sign.verdict.${report.verdict}`)}</strong>
        {report.signatures.length === 0 ? ` — ${t('sign.noSignatures')}` : ''}
      </p>
      {pages.length > 0 && (
        <p className="callout callout-error" data-testid="changed-after-signing">
          {t('sign.changedAfterSigning', { count: pages.length, pages: pages.join(', ') })}
        </p>
      )}
      {pages.length === 0 && notShown && <p className="callout callout-warn">{t('sign.changedNotShown')}</p>}
      {exportReport && (
        <p>
          <button type="button" data-testid="export-report" onClick={() => void download()}>
            {t('sign.exportReport')}
          </button>
          {exportFailed && <span className="callout callout-error">{t('sign.exportReportFailed')}</span>}
        </p>
      )}
      {report.reasons.length > 0 && (
        <ul className="reason-list">
          {report.reasons.map((r, i) => (
            <li key={i}>{r[lang]}</li>
          ))}
        </ul>
      )}
      <ol className="signature-list">
        {report.signatures.map((s, i) => (
          <SignatureItem key={i} signature={s} number={i + 1} {...(loadBytes ? { loadBytes } : {})} />
        ))}
      </ol>
    </div>
  );
}

function SignatureItem({
  signature: s,
  number,
  loadBytes,
}: {
  signature: Signature;
  number: number;
  loadBytes?: () => Promise<Uint8Array>;
}) {
  const { t, i18n } = useTranslation();
  const lang = i18n.language === 'vi' ? 'vi' : 'en';
  const [viewing, setViewing] = useState(false);
  const when = new Intl.DateTimeFormat(lang === 'vi' ? 'vi-VN' : 'en-GB', {
    dateStyle: 'medium',
    timeStyle: 'short',
  });
  const later = s.reasons.find((r) => r.code === 'LATER_CHANGES_ALLOWED');
  const shown = s.reasons.filter((r) => r.severity !== 'info');
  const offerSigned = s.coversWholeDocument === false && s.signedRevision !== undefined && loadBytes;
  return (
    <li className={`signature verdict-border-${s.verdict}`} data-testid="signature">
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
        {s.fieldName && (
          <>
            <dt>{t('sign.field')}</dt>
            <dd>{s.fieldName}</dd>
          </>
        )}
        {s.certification && (
          <>
            <dt>{t('sign.certification')}</dt>
            <dd data-testid="certification">
              {t('sign.certifiedAs', { level: t(`sign.certifiedLevel.${s.certification.permission}`) })}
            </dd>
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
            <dd>{later ? later[lang] : t('sign.laterRevision')}</dd>
          </>
        )}
        {s.chain.length > 0 && (
          <>
            <dt>{t('sign.chain')}</dt>
            <dd>{s.chain.join(' → ')}</dd>
          </>
        )}
      </dl>
      {shown.length > 0 && (
        <ul className="reason-list">
          {shown.map((r, j) => (
            <li key={j} data-reason={r.code}>
              {r[lang]}
            </li>
          ))}
        </ul>
      )}
      {offerSigned && s.signedRevision && (
        <>
          <button type="button" className="button" onClick={() => setViewing(true)} data-testid="view-signed">
            {t('sign.viewSigned')}
          </button>
          <SignedVersionDialog
            open={viewing}
            onClose={() => setViewing(false)}
            number={number}
            revision={s.signedRevision}
            loadBytes={loadBytes}
          />
        </>
      )}
    </li>
  );
}
