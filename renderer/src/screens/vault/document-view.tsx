import { lazy, Suspense, useCallback, useEffect, useRef, useState } from 'react';
import { useTranslation } from 'react-i18next';
import type { AttachmentInfo, DocumentDetail } from '../../../../shared/contract/vault-calls';
import { ClassificationBanner } from '../../components/classification-banner';
import { Dialog } from '../../components/dialog';
import { SignForm } from '../sign/sign-form';
import { ReceiptPanel } from './receipt-panel';
import { formatBytes } from '../sync/sync-format';
import { SendDocumentDialog } from '../sync/send-document-dialog';
import { ValidationDataAction } from '../sign/validation-data-action';
import { VerifyReportView } from '../sign/verify-report-view';
import { useEmbassyClient } from '../../store/store-context';
import { fromBase64 } from '../../../../shared/encoding';
import { useAppStore } from '../../store/store-context';
import { DocumentHistory, DocumentVersions } from './document-history';
import { DocumentWorkflowPanel } from './document-workflow-panel';
import { AttachmentActions } from './attachment-actions';
import { isPdfAttachment, readAttachmentBytes } from './attachment-bytes';
import { OtherAttachmentView } from './other-attachment-view';
import { useLeaveOnEscape } from '../../components/use-leave-on-escape';

// pdf.js is large: loaded the first time a PDF is shown, not at start-up.
const PdfPreview = lazy(() =>
  import('../../components/pdf-preview').then((m) => ({ default: m.PdfPreview })),
);

/**
 * One document: its marking, metadata, PDF preview (from memory), workflow, versions with what
 * each changed, history (approvals verified) and messages.
 */
export function DocumentView({ detail }: { detail: DocumentDetail }) {
  const { t, i18n } = useTranslation();
  const close = useAppStore((s) => s.documentClosed);
  const { document: d, versions, attachments, messages } = detail;
  // Show the newest PDF (after signing, the signed one); the officer may pick another.
  const latestPdf = [...attachments].reverse().find((a) => a.mediaType === 'application/pdf') ?? null;
  const [shown, setShown] = useState<AttachmentInfo | null>(latestPdf);
  // A non-PDF attachment the officer picked: shown as text (.txt) or offered for saving.
  const [other, setOther] = useState<AttachmentInfo | null>(null);
  const [signing, setSigning] = useState(false);
  const [sending, setSending] = useState(false);
  const view = useRef<HTMLElement>(null);
  const title = useRef<HTMLHeadingElement>(null);
  useLeaveOnEscape(view, close);
  // Opened: focus on its title (read first by a screen reader), never left on the page body.
  useEffect(() => {
    title.current?.focus();
  }, [d.id]);
  // Offered once the vault is open and sync answered; the dialog explains a missing enrolment.
  const canOfferSend = useAppStore((s) => s.syncStatus !== null && s.syncStatus.enrolment !== 'revoked');
  useEffect(() => {
    setShown(latestPdf);
    setOther(null);
  }, [latestPdf?.id]); // eslint-disable-line react-hooks/exhaustive-deps -- follow the newest PDF only
  const when = new Intl.DateTimeFormat(i18n.language === 'vi' ? 'vi-VN' : 'en-GB', {
    dateStyle: 'medium',
    timeStyle: 'short',
  });
  const format = (iso: string) => when.format(new Date(iso));
  // A registry date given as a day (the add form's) has no time to show.
  const day = new Intl.DateTimeFormat(i18n.language === 'vi' ? 'vi-VN' : 'en-GB', {
    dateStyle: 'medium',
    timeZone: 'UTC',
  });

  return (
    <article ref={view} className="screen screen-wide document-view" aria-labelledby="document-title">
      <ClassificationBanner level={d.classification} compact />
      <header className="screen-header screen-header-row">
        <div>
          <button type="button" className="link-button" onClick={close} data-testid="back-to-list">
            ← {t('documents.backToList')}
          </button>
          <h1 id="document-title" ref={title} tabIndex={-1}>
            {d.subject}
          </h1>
        </div>
        <div className="header-actions">
          {canOfferSend && (
            <button
              type="button"
              className="button"
              onClick={() => setSending(true)}
              data-testid="send-to-hq"
            >
              {t('sync.sendDocument.open')}
            </button>
          )}
          {latestPdf && (
            <button
              type="button"
              className="button button-primary"
              onClick={() => setSigning(true)}
              data-testid="sign-document"
            >
              {t('sign.signDocument')}
            </button>
          )}
        </div>
      </header>
      <SendDocumentDialog
        documentId={d.id}
        subject={d.subject}
        classification={d.classification}
        open={sending}
        onClose={() => setSending(false)}
      />
      <Dialog open={signing} title={t('sign.signDocument')} onClose={() => setSigning(false)}>
        {signing && (
          <SignForm
            documentIds={[d.id]}
            {...(latestPdf ? { attachmentId: latestPdf.id } : {})}
            onDone={() => setSigning(false)}
          />
        )}
      </Dialog>
      <div className="document-layout">
        <div className="document-main">
          {other ? (
            <>
              <AttachmentActions documentId={d.id} marking={d.classification} attachment={other} />
              <OtherAttachmentView attachment={other} />
            </>
          ) : shown ? (
            <>
              <AttachmentActions documentId={d.id} marking={d.classification} attachment={shown} />
              <AttachmentPreview attachment={shown} />
              <SignaturePanel attachment={shown} />
            </>
          ) : (
            <div className="card document-body">
              {versions.at(-1)?.body ? (
                <p className="prewrap">{versions.at(-1)?.body}</p>
              ) : (
                <p className="muted">{t('documents.noBody')}</p>
              )}
            </div>
          )}
        </div>
        <aside className="document-side">
          <DocumentWorkflowPanel detail={detail} />
          <div className="card">
            <dl className="facts facts-stacked">
              <dt>{t('documents.col.number')}</dt>
              <dd data-testid="document-number">{d.registryNumber}</dd>
              <dt>{t('documents.col.date')}</dt>
              <dd>{d.date.length === 10 ? day.format(new Date(d.date)) : when.format(new Date(d.date))}</dd>
              <dt>{t('documents.col.direction')}</dt>
              <dd>{t(`documents.direction.${d.direction}`)}</dd>
              <dt>{t('documents.col.kind')}</dt>
              <dd data-testid="document-kind">{t(`documents.kind.${d.kind}`)}</dd>
              <dt>{t('documents.col.status')}</dt>
              <dd>{t(`documents.status.${d.status}`)}</dd>
              {d.receivedFrom !== undefined && (
                <>
                  <dt>{t('documents.receivedFrom')}</dt>
                  <dd data-testid="document-received-from">{d.receivedFrom}</dd>
                </>
              )}
              <dt>{d.receivedFrom !== undefined ? t('documents.statedFrom') : t('documents.col.from')}</dt>
              <dd>{d.from || '—'}</dd>
              <dt>{t('documents.to')}</dt>
              <dd>{d.to.length ? d.to.join(', ') : '—'}</dd>
            </dl>
          </div>
          <ReceiptPanel document={d} />
          <h2>{t('documents.attachments')}</h2>
          {attachments.length === 0 ? (
            <p className="muted">{t('documents.noAttachments')}</p>
          ) : (
            <ul className="plain-list">
              {attachments.map((a) => (
                <li key={a.id}>
                  <button
                    type="button"
                    className="link-button"
                    aria-pressed={(other ?? shown)?.id === a.id}
                    onClick={() => {
                      setShown(isPdfAttachment(a) ? a : shown);
                      setOther(isPdfAttachment(a) ? null : a);
                    }}
                  >
                    {a.name}
                  </button>{' '}
                  <span className="muted">({formatBytes(a.size, i18n.language)})</span>
                </li>
              ))}
            </ul>
          )}
          {(shown ?? other) && versions.at(-1)?.body && (
            <button
              type="button"
              className="link-button"
              onClick={() => {
                setShown(null);
                setOther(null);
              }}
            >
              {t('documents.showText')}
            </button>
          )}
          <DocumentVersions detail={detail} format={format} />
          <DocumentHistory detail={detail} format={format} />
          <h2>{t('documents.messages')}</h2>
          {messages.length === 0 ? (
            <p className="muted">{t('documents.noMessages')}</p>
          ) : (
            <ul className="message-list">
              {messages.map((m) => (
                <li key={m.id} className={m.read ? undefined : 'is-unread'}>
                  <div className="message-meta">
                    <strong>{m.from || t('messages.me')}</strong> · {when.format(new Date(m.at))}
                  </div>
                  <p className="prewrap">{m.body}</p>
                </li>
              ))}
            </ul>
          )}
        </aside>
      </div>
    </article>
  );
}

/** Every signature in the shown PDF, verified by the core against the trust anchors. */
function SignaturePanel({ attachment }: { attachment: AttachmentInfo }) {
  const { t } = useTranslation();
  const client = useEmbassyClient();
  const loadBytes = useCallback(() => readAttachmentBytes(client, attachment), [client, attachment]);
  const exportReport = useCallback(
    async (language: 'vi' | 'en') => {
      const r = await client.call('verify.attachmentReport', {
        id: attachment.id,
        name: attachment.name,
        language,
      });
      if (!r.ok) return null;
      const stem = attachment.name.replace(/\.pdf$/i, '');
      return { bytes: fromBase64(r.value.base64), fileName: `${stem}.verification-${language}.pdf` };
    },
    [client, attachment],
  );
  const report = useAppStore((s) => s.attachmentReports[attachment.id]);
  const attachmentVerified = useAppStore((s) => s.attachmentVerified);
  const reopen = useAppStore((s) => s.documentOpened);
  useEffect(() => {
    void attachmentVerified(attachment.id);
  }, [attachment.id, attachmentVerified]);
  return (
    <section
      className="card signature-panel"
      aria-labelledby="signatures-title"
      data-testid="signature-panel"
    >
      <h2 id="signatures-title">{t('sign.signatures')}</h2>
      {!report ? (
        <p className="muted">{t('sign.verifying')}</p>
      ) : 'code' in report ? (
        <p className="callout callout-error">{t(`errors.${report.code}`)}</p>
      ) : report.signatures.length === 0 ? (
        <p className="muted">{t('sign.unsigned')}</p>
      ) : (
        <>
          <VerifyReportView report={report} loadBytes={loadBytes} exportReport={exportReport} />
          <ValidationDataAction
            documentId={attachment.documentId}
            attachmentId={attachment.id}
            onAdded={() => void reopen(attachment.documentId)}
          />
        </>
      )}
    </section>
  );
}

/** Reads an attachment through the contract in chunks, into memory only, then previews it. */
function AttachmentPreview({ attachment }: { attachment: AttachmentInfo }) {
  const { t } = useTranslation();
  const client = useEmbassyClient();
  const [data, setData] = useState<Uint8Array | null>(null);
  const [failed, setFailed] = useState(false);
  useEffect(() => {
    let cancelled = false;
    setData(null);
    setFailed(false);
    readAttachmentBytes(client, attachment).then(
      (out) => !cancelled && setData(out),
      () => !cancelled && setFailed(true),
    );
    return () => {
      cancelled = true;
    };
  }, [attachment, client]);
  if (failed) return <p className="callout callout-error">{t('pdf.failed')}</p>;
  if (!data) return <p className="muted">{t('pdf.loading')}</p>;
  return (
    <Suspense fallback={<p className="muted">{t('pdf.loading')}</p>}>
      <PdfPreview data={data} label={attachment.name} />
    </Suspense>
  );
}
