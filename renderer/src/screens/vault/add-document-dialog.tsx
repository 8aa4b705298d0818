import { useState, type FormEvent } from 'react';
import { useTranslation } from 'react-i18next';
import type { Classification } from '../../../../shared/domain/classification';
import { DIRECTIONS, type Direction } from '../../../../shared/domain/document';
import { MAX_ATTACHMENT_BYTES } from '../../../../shared/domain/document';
import type { DocumentKind } from '../../../../shared/domain/document-kinds';
import { Dialog } from '../../components/dialog';
import { FileDropField } from '../../components/file-drop-field';
import { SelectField, TextField } from '../../components/field';
import { useAppStore } from '../../store/store-context';
import { ClassificationField } from '../../components/classification-field';
import { KindField } from './document-meta-fields';

/**
 * Register a new document in its register (the number is given by the vault: `12/2026/NV`),
 * with its kind and date, optionally with files (PDFs or any other, up to 200 MiB each, chosen
 * or dropped) sent to the vault piece by piece with progress: read from the browser's File in
 * 256 KiB slices, never whole in memory, never a temp file.
 */
export function AddDocumentDialog({ open, onClose }: { open: boolean; onClose: () => void }) {
  const { t } = useTranslation();
  const add = useAppStore((s) => s.documentAdded);
  const opened = useAppStore((s) => s.documentOpened);
  const [subject, setSubject] = useState('');
  const [classification, setClassification] = useState<Classification>('unclassified');
  const [direction, setDirection] = useState<Direction>('outgoing');
  const [kind, setKind] = useState<DocumentKind>('note-verbale');
  const [date, setDate] = useState(() => new Date().toISOString().slice(0, 10));
  const [from, setFrom] = useState('');
  const [to, setTo] = useState('');
  const [body, setBody] = useState('');
  const [files, setFiles] = useState<File[]>([]);
  const [error, setError] = useState<string | null>(null);
  const [busy, setBusy] = useState(false);
  const [progress, setProgress] = useState<{ sent: number; size: number } | null>(null);

  const reset = () => {
    setSubject('');
    setBody('');
    setTo('');
    setFrom('');
    setFiles([]);
    setError(null);
  };

  // Cancelled or discarded: the next "Add document" starts from an empty form.
  const close = () => {
    reset();
    onClose();
  };

  const submit = async (e: FormEvent) => {
    e.preventDefault();
    if (files.some((f) => f.size > MAX_ATTACHMENT_BYTES)) {
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
        kind,
        ...(date ? { date } : {}),
        from,
        to: to
          .split(/[;,\n]/)
          .map((s) => s.trim())
          .filter(Boolean),
        ...(body.trim() ? { body } : {}),
      },
      files,
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
      dirty={Boolean(subject || from || to || body || files.length > 0)}
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
            label={t('documents.col.direction')}
            value={direction}
            onChange={(e) => setDirection(e.target.value as Direction)}
            data-testid="doc-direction"
          >
            {DIRECTIONS.map((d) => (
              <option key={d} value={d}>
                {t(`documents.direction.${d}`)}
              </option>
            ))}
          </SelectField>
          <KindField value={kind} onChange={setKind} data-testid="doc-kind" />
        </div>
        <p className="field-hint">{t('documents.numberHint')}</p>
        <div className="form-row">
          <TextField
            label={t('documents.col.date')}
            type="date"
            value={date}
            onChange={(e) => setDate(e.target.value)}
            required
            data-testid="doc-date"
          />
          <ClassificationField
            value={classification}
            onChange={setClassification}
            data-testid="doc-classification"
          />
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
        <FileDropField
          label={t('documents.files')}
          hint={t('documents.filesHint')}
          files={files}
          onChange={setFiles}
          error={error}
          testId="doc-pdf"
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
