import { useState, type FormEvent } from 'react';
import { useTranslation } from 'react-i18next';
import { CLASSIFICATIONS, type Classification } from '../../../../shared/domain/classification';
import { DIRECTIONS, type Direction } from '../../../../shared/domain/document';
import { MAX_ATTACHMENT_BYTES } from '../../../../shared/domain/document';
import { Dialog } from '../../components/dialog';
import { SelectField, TextField } from '../../components/field';
import { useAppStore } from '../../store/store-context';

/**
 * Register a new document, optionally with a file (a PDF or any other, up to 200 MiB) sent to
 * the vault piece by piece with progress: read from the browser's File in 256 KiB slices,
 * never whole in memory, never a temp file.
 */
export function AddDocumentDialog({ open, onClose }: { open: boolean; onClose: () => void }) {
  const { t } = useTranslation();
  const add = useAppStore((s) => s.documentAdded);
  const opened = useAppStore((s) => s.documentOpened);
  const [subject, setSubject] = useState('');
  const [classification, setClassification] = useState<Classification>('unclassified');
  const [direction, setDirection] = useState<Direction>('outgoing');
  const [from, setFrom] = useState('');
  const [to, setTo] = useState('');
  const [body, setBody] = useState('');
  const [file, setFile] = useState<File | null>(null);
  const [error, setError] = useState<string | null>(null);
  const [busy, setBusy] = useState(false);
  const [progress, setProgress] = useState<{ sent: number; size: number } | null>(null);

  const reset = () => {
    setSubject('');
    setBody('');
    setTo('');
    setFrom('');
    setFile(null);
    setError(null);
  };

  // Cancelled or discarded: the next "Add document" starts from an empty form.
  const close = () => {
    reset();
    onClose();
  };

  const submit = async (e: FormEvent) => {
    e.preventDefault();
    if (file && file.size > MAX_ATTACHMENT_BYTES) {
      setError(t('documents.fileTooLarge', { mb: Math.floor(MAX_ATTACHMENT_BYTES / 1024 / 1024) }));
      return;
    }
    setBusy(true);
    setError(null);
    const id = await add(
      {
        subject,
        classification,
        direction,
        from,
        to: to
          .split(/[;,\n]/)
          .map((s) => s.trim())
          .filter(Boolean),
        ...(body.trim() ? { body } : {}),
      },
      file ?? undefined,
      (sent, size) => setProgress({ sent, size }),
    );
    setBusy(false);
    setProgress(null);
    if (id) {
      reset();
      onClose();
      void opened(id);
    } else {
      setError(t('documents.addFailed'));
    }
  };

  return (
    // While saving, the dialog stays: the document and its file land together (a few seconds
    // even for 200 MB), and closing midway would leave the document without its file.
    <Dialog
      open={open}
      title={t('documents.add')}
      onClose={busy ? () => undefined : close}
      dirty={Boolean(subject || from || to || body || file)}
    >
      <form className="form" onSubmit={(e) => void submit(e)} id="add-document-form">
        <TextField
          label={t('documents.col.subject')}
          value={subject}
          onChange={(e) => setSubject(e.target.value)}
          required
          maxLength={1000}
          data-testid="doc-subject"
        />
        <div className="form-row">
          <SelectField
            label={t('documents.col.classification')}
            value={classification}
            onChange={(e) => setClassification(e.target.value as Classification)}
            data-testid="doc-classification"
          >
            {CLASSIFICATIONS.map((c) => (
              <option key={c} value={c}>
                {t(`classification.${c}`)}
              </option>
            ))}
          </SelectField>
          <SelectField
            label={t('documents.col.direction')}
            value={direction}
            onChange={(e) => setDirection(e.target.value as Direction)}
          >
            {DIRECTIONS.map((d) => (
              <option key={d} value={d}>
                {t(`documents.direction.${d}`)}
              </option>
            ))}
          </SelectField>
        </div>
        <TextField
          label={t('documents.col.from')}
          value={from}
          onChange={(e) => setFrom(e.target.value)}
          maxLength={300}
        />
        <TextField
          label={t('documents.to')}
          hint={t('documents.toHint')}
          value={to}
          onChange={(e) => setTo(e.target.value)}
        />
        <div className="field">
          <label htmlFor="doc-body">{t('documents.body')}</label>
          <textarea id="doc-body" rows={4} value={body} onChange={(e) => setBody(e.target.value)} />
        </div>
        <TextField
          label={t('documents.pdf')}
          hint={t('documents.pdfHint')}
          type="file"
          onChange={(e) => setFile(e.target.files?.[0] ?? null)}
          data-testid="doc-pdf"
          error={error}
        />
        {progress && progress.size > 0 && (
          <div className="sign-progress" aria-live="polite">
            <progress max={progress.size} value={progress.sent} />
            <span data-testid="doc-upload-progress">
              {t('documents.uploading', { percent: Math.floor((100 * progress.sent) / progress.size) })}
            </span>
          </div>
        )}
        <div className="dialog-actions">
          <button type="button" className="button" onClick={close} disabled={busy}>
            {t('common.cancel')}
          </button>
          <button type="submit" className="button button-primary" disabled={busy} data-testid="doc-save">
            {busy ? t('common.saving') : t('common.save')}
          </button>
        </div>
      </form>
    </Dialog>
  );
}
