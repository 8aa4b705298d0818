import { useEffect, useRef, useState } from 'react';
import { useTranslation } from 'react-i18next';
import type { Classification } from '../../../../shared/domain/classification';
import { needsMarkingConfirmation } from '../../../../shared/domain/marking-confirmation';
import { Dialog } from '../../components/dialog';
import { MarkingConfirmDialog } from '../../components/marking-confirm-dialog';
import { useShownMarking } from '../../components/use-shown-marking';
import { useAppStore } from '../../store/store-context';
import { RecipientPicker } from './recipient-picker';
import { errorKey, formatCount } from './sync-format';

/**
 * "Send to HQ…" from a document: pick recipients from the directory, queue the document
 * (metadata, body, every attachment, signed PDFs included) with `sync.send`. The dialog
 * stays open to say what was queued, or why nothing was. A Secret or Top secret document is
 * sent only after a second dialog that names its marking (the core refuses it otherwise).
 */
export function SendDocumentDialog({
  documentId,
  subject,
  classification,
  open,
  onClose,
}: {
  documentId: string;
  subject: string;
  classification: Classification;
  open: boolean;
  onClose: () => void;
}) {
  const { t, i18n } = useTranslation();
  const send = useAppStore((s) => s.syncSendSubmitted);
  const sendError = useAppStore((s) => s.syncSendError);
  const cleared = useAppStore((s) => s.syncSendErrorCleared);
  // Without an approved enrolment and a verified directory there is nobody to send to.
  const hasDirectory = useAppStore((s) => s.syncDirectory !== null && s.syncStatus?.enrolment === 'approved');
  const [to, setTo] = useState<string[]>([]);
  const [tried, setTried] = useState(false);
  const [busy, setBusy] = useState(false);
  const [queued, setQueued] = useState<number | null>(null);
  const [confirming, setConfirming] = useState(false);
  useShownMarking(open ? classification : null);
  // Queued, the Send button goes: the focus would fall to the page body. It moves to Done.
  const doneRef = useRef<HTMLButtonElement>(null);
  useEffect(() => {
    if (queued !== null) doneRef.current?.focus();
  }, [queued]);

  // Each opening starts clean: no recipients, no error or result from the last time.
  useEffect(() => {
    if (!open) return;
    setTo([]);
    setTried(false);
    setQueued(null);
    setConfirming(false);
    cleared();
  }, [open, cleared]);

  const submit = () => {
    setTried(true);
    if (to.length === 0) return;
    if (needsMarkingConfirmation(classification)) setConfirming(true);
    else void queue(false);
  };

  const queue = async (confirmed: boolean) => {
    setConfirming(false);
    setBusy(true);
    const items = await send({
      kind: 'document',
      documentId,
      to,
      ...(confirmed ? { confirmedMarking: classification } : {}),
    });
    setBusy(false);
    if (items) {
      setQueued(items.length);
      setTo([]);
      setTried(false);
    }
  };

  return (
    <Dialog
      open={open}
      title={t('sync.sendDocument.title')}
      onClose={onClose}
      actions={
        <>
          <button
            ref={doneRef}
            type="button"
            className="button"
            onClick={onClose}
            data-testid="send-document-close"
          >
            {queued !== null ? t('sync.sendDocument.done') : t('common.cancel')}
          </button>
          {queued === null && (
            <button
              type="button"
              className="button button-primary"
              disabled={busy || !hasDirectory}
              onClick={submit}
              data-testid="send-document-submit"
            >
              {busy ? t('sync.compose.sending') : t('sync.compose.send')}
            </button>
          )}
        </>
      }
    >
      <MarkingConfirmDialog
        open={open && confirming}
        marking={classification}
        action="send"
        onConfirm={() => void queue(true)}
        onCancel={() => setConfirming(false)}
      />
      {open && (
        <>
          <p className="muted">{t('sync.sendDocument.intro', { subject })}</p>
          {queued === null && (
            <RecipientPicker
              value={to}
              onChange={setTo}
              error={tried && to.length === 0 ? t('sync.compose.noRecipients') : null}
            />
          )}
          {sendError && (
            <p className="callout callout-error" role="alert" data-testid="send-error">
              {t(errorKey(sendError.code))}
            </p>
          )}
          <p role="status" data-testid="send-result">
            {queued !== null &&
              t('sync.compose.queued', { count: queued, n: formatCount(queued, i18n.language) })}
          </p>
          {queued !== null && (
            // Where the officer sees it leave (or why it did not): the outbox on the Sync screen.
            <p>
              <a href="#/sync" data-testid="send-see-outbox">
                {t('sync.sendDocument.seeOutbox')}
              </a>
            </p>
          )}
        </>
      )}
    </Dialog>
  );
}
