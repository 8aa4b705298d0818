import { useEffect, useState, type FormEvent } from 'react';
import { useTranslation } from 'react-i18next';
import type { DocumentDetail } from '../../../../shared/contract/vault-calls';
import type { Classification } from '../../../../shared/domain/classification';
import type { DocumentKind } from '../../../../shared/domain/document-kinds';
import { Dialog } from '../../components/dialog';
import { TextField } from '../../components/field';
import { useAppStore } from '../../store/store-context';
import { ClassificationField } from '../../components/classification-field';
import { KindField } from './document-meta-fields';

const splitParties = (text: string) =>
  text
    .split(/[;,\n]/)
    .map((s) => s.trim())
    .filter(Boolean);

/**
 * Edit a document's metadata and text. Only the fields that changed are sent; the vault makes
 * a new version recording who, when and what changed (nothing changed: no version).
 */
export function EditDocumentDialog({
  detail,
  open,
  onClose,
}: {
  detail: DocumentDetail;
  open: boolean;
  onClose: () => void;
}) {
  const { t } = useTranslation();
  const edited = useAppStore((s) => s.documentEdited);
  const error = useAppStore((s) => s.workflowError);
  const d = detail.document;
  const body = detail.versions.at(-1)?.body ?? '';
  const [subject, setSubject] = useState(d.subject);
  const [kind, setKind] = useState<DocumentKind>(d.kind);
  const [date, setDate] = useState(d.date.slice(0, 10));
  const [classification, setClassification] = useState<Classification>(d.classification);
  const [from, setFrom] = useState(d.from);
  const [to, setTo] = useState(d.to.join(', '));
  const [text, setText] = useState(body);
  const [busy, setBusy] = useState(false);
  useEffect(() => {
    if (!open) return;
    setSubject(d.subject);
    setKind(d.kind);
    setDate(d.date.slice(0, 10));
    setClassification(d.classification);
    setFrom(d.from);
    setTo(d.to.join(', '));
    setText(body);
  }, [open, d, body]);

  const submit = async (e: FormEvent) => {
    e.preventDefault();
    const parties = splitParties(to);
    setBusy(true);
    const ok = await edited({
      id: d.id,
      baseVersion: d.version,
      ...(subject.trim() !== d.subject ? { subject: subject.trim() } : {}),
      ...(kind !== d.kind ? { kind } : {}),
      ...(date && date !== d.date.slice(0, 10) ? { date } : {}),
      ...(classification !== d.classification ? { classification } : {}),
      ...(from !== d.from ? { from } : {}),
      ...(parties.join('\n') !== d.to.join('\n') ? { to: parties } : {}),
      ...(text !== body ? { body: text } : {}),
    });
    setBusy(false);
    if (ok) onClose();
  };

  return (
    <Dialog open={open} title={t('documents.editTitle')} onClose={busy ? () => undefined : onClose}>
      <form className="form" onSubmit={(e) => void submit(e)} data-testid="edit-document-form">
        <p className="muted">{t('documents.editNote', { version: d.version + 1 })}</p>
        <TextField
          label={t('documents.col.subject')}
          value={subject}
          onChange={(e) => setSubject(e.target.value)}
          required
          maxLength={1000}
          data-testid="edit-subject"
        />
        <div className="form-row">
          <KindField value={kind} onChange={setKind} data-testid="edit-kind" />
          <TextField
            label={t('documents.col.date')}
            type="date"
            value={date}
            onChange={(e) => setDate(e.target.value)}
            required
          />
          <ClassificationField value={classification} onChange={setClassification} />
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
          data-testid="edit-to"
        />
        <div className="field">
          <label htmlFor="edit-body">{t('documents.body')}</label>
          <textarea id="edit-body" rows={6} value={text} onChange={(e) => setText(e.target.value)} />
        </div>
        {error && (
          <p className="callout callout-error" role="alert">
            {t(`errors.${error.code}`)}
          </p>
        )}
        <div className="dialog-actions">
          <button type="button" className="button" onClick={onClose} disabled={busy}>
            {t('common.cancel')}
          </button>
          <button type="submit" className="button button-primary" disabled={busy} data-testid="edit-save">
            {busy ? t('common.saving') : t('common.save')}
          </button>
        </div>
      </form>
    </Dialog>
  );
}
