import { useEffect, useRef, useState } from 'react';
import { useTranslation } from 'react-i18next';
import type { ExportChannel } from '../../../../shared/contract/export-calls';
import type { Classification } from '../../../../shared/domain/classification';
import { needsMarkingConfirmation } from '../../../../shared/domain/marking-confirmation';
import { MarkingConfirmDialog } from '../../components/marking-confirm-dialog';
import { useAppStore, useEmbassyClient } from '../../store/store-context';
import { isPdfAttachment, isTextAttachment, readAttachmentBytes, type VaultFile } from './attachment-bytes';
import { downloadBytes, printPdf, printText } from './attachment-delivery';

type Outcome = { kind: 'saved' | 'downloaded' | 'printed' } | { kind: 'failed'; code: string } | null;

/**
 * Save and Print for one attachment of a document (`documentId`), or one file of a message
 * (without). The core decides and records (`export.attachment`, `export.messageFile`): in
 * Electron it opens main's save dialog and writes the file; in the preview it answers `deliver`
 * and the bytes go to a download or the print dialog from here. Secret and Top secret ask
 * first, in a dialog naming the marking.
 */
export function AttachmentActions({
  documentId,
  marking,
  attachment,
}: {
  documentId?: string;
  marking: Classification;
  attachment: VaultFile;
}) {
  const { t } = useTranslation();
  const client = useEmbassyClient();
  const vaultGone = useAppStore((s) => s.vaultGone);
  const [asking, setAsking] = useState<ExportChannel | null>(null);
  const [busy, setBusy] = useState(false);
  const [outcome, setOutcome] = useState<Outcome>(null);
  const printable = isPdfAttachment(attachment) || isTextAttachment(attachment);
  // The button is disabled while its export runs, and a disabled button drops the focus to
  // the page body: once done, it goes back to the button the officer used (unless moved on).
  const buttons = { save: useRef<HTMLButtonElement>(null), print: useRef<HTMLButtonElement>(null) };
  const [used, setUsed] = useState<ExportChannel | null>(null);
  useEffect(() => {
    if (busy || used === null) return;
    if (document.activeElement === null || document.activeElement === document.body) {
      buttons[used].current?.focus();
    }
    setUsed(null);
    // eslint-disable-next-line react-hooks/exhaustive-deps -- the refs are stable
  }, [busy, used]);

  const run = async (channel: ExportChannel, confirmed: boolean) => {
    setAsking(null);
    setUsed(channel);
    setBusy(true);
    setOutcome(null);
    try {
      const confirmation = confirmed ? { confirmedMarking: marking } : {};
      const r =
        documentId === undefined
          ? await client.call('export.messageFile', { fileId: attachment.id, channel, ...confirmation })
          : await client.call('export.attachment', {
              documentId,
              attachmentId: attachment.id,
              channel,
              ...confirmation,
            });
      if (!r.ok) {
        if (r.error.code === 'E_VAULT_LOCKED' || r.error.code === 'E_VAULT_ABSENT') vaultGone();
        setOutcome({ kind: 'failed', code: r.error.code });
        return;
      }
      if (r.value.outcome === 'cancelled') return;
      if (r.value.outcome === 'saved') {
        setOutcome({ kind: 'saved' });
        return;
      }
      const read = documentId === undefined ? 'messages.files.read' : 'attachments.read';
      const bytes = await readAttachmentBytes(client, attachment, read);
      if (channel === 'save') {
        downloadBytes(bytes, r.value.fileName, attachment.mediaType);
        setOutcome({ kind: 'downloaded' });
      } else {
        if (isPdfAttachment(attachment)) await printPdf(bytes);
        else await printText(new TextDecoder().decode(bytes));
        setOutcome({ kind: 'printed' });
      }
    } catch {
      setOutcome({ kind: 'failed', code: 'E_INTERNAL' });
    } finally {
      setBusy(false);
    }
  };

  const start = (channel: ExportChannel) => {
    if (needsMarkingConfirmation(marking)) setAsking(channel);
    else void run(channel, false);
  };

  return (
    <div className="attachment-actions" data-testid="attachment-actions">
      <button
        type="button"
        className="button"
        disabled={busy}
        ref={buttons.save}
        onClick={() => start('save')}
        data-testid="attachment-save"
      >
        {t('export.save')}
      </button>
      {printable && (
        <button
          type="button"
          className="button"
          disabled={busy}
          ref={buttons.print}
          onClick={() => start('print')}
          data-testid="attachment-print"
        >
          {t('export.print')}
        </button>
      )}
      <span role="status" className="muted" data-testid="attachment-export-status">
        {outcome &&
          (outcome.kind === 'failed' ? t(`errors.${outcome.code}`) : t(`export.done.${outcome.kind}`))}
      </span>
      <MarkingConfirmDialog
        open={asking !== null}
        marking={marking}
        action={asking ?? 'save'}
        onConfirm={() => asking && void run(asking, true)}
        onCancel={() => setAsking(null)}
      />
    </div>
  );
}
