import { useEffect, useState, type FormEvent } from 'react';
import { useTranslation } from 'react-i18next';
import type { DocumentDetail } from '../../../../shared/contract/vault-calls';
import { isEditable, nextStatuses } from '../../../../shared/domain/document-workflow';
import {
  CertificatePicker,
  certificateOptions,
  selectedCertificate,
} from '../../components/certificate-picker';
import { Dialog } from '../../components/dialog';
import { FileDropField } from '../../components/file-drop-field';
import { SecretField } from '../../components/field';
import { useAppStore } from '../../store/store-context';
import { EditDocumentDialog } from './edit-document-dialog';

/**
 * The workflow of the open document: its status and the moves its workflow allows (approval
 * asks for the token and PIN: it is a signature), edit (a new version), add attachments,
 * archive. The moves come from the same table the vault enforces.
 */
export function DocumentWorkflowPanel({ detail }: { detail: DocumentDetail }) {
  const { t } = useTranslation();
  const d = detail.document;
  const moved = useAppStore((s) => s.documentMoved);
  const archived = useAppStore((s) => s.documentArchived);
  const restored = useAppStore((s) => s.documentRestored);
  const attachmentsAdded = useAppStore((s) => s.attachmentsAdded);
  const error = useAppStore((s) => s.workflowError);
  const [editing, setEditing] = useState(false);
  const [approving, setApproving] = useState(false);
  const [adding, setAdding] = useState(false);
  const [files, setFiles] = useState<File[]>([]);
  const [addFailed, setAddFailed] = useState(false);
  // Registering a received document also sends its receipt: the receipt panel's Register button
  // (receipt-panel.tsx) says so and is the one place it is offered.
  const moves = nextStatuses(d.direction, d.status).filter((to) => to !== 'registered');
  const editable = isEditable(d.direction, d.status);

  const addFiles = async (e: FormEvent) => {
    e.preventDefault();
    const ok = await attachmentsAdded(d.id, files);
    setAddFailed(!ok);
    if (ok) {
      setFiles([]);
      setAdding(false);
    }
  };

  return (
    <section className="card workflow-panel" aria-labelledby="workflow-title" data-testid="workflow-panel">
      <h2 id="workflow-title">{t('documents.workflow')}</h2>
      <p>
        {t('documents.col.status')}:{' '}
        <strong data-testid="document-status">{t(`documents.status.${d.status}`)}</strong>
      </p>
      <div className="button-row">
        {moves.map((to) => (
          <button
            key={to}
            type="button"
            className={to === 'approved' ? 'button button-primary' : 'button'}
            data-testid={`move-${to}`}
            onClick={() => (to === 'approved' ? setApproving(true) : void moved(d.id, to))}
          >
            {t(`documents.action.${to}`)}
          </button>
        ))}
        <button
          type="button"
          className="button"
          disabled={!editable}
          aria-describedby={editable ? undefined : 'not-editable'}
          onClick={() => setEditing(true)}
          data-testid="edit-document"
        >
          {t('documents.edit')}
        </button>
        <button
          type="button"
          className="button"
          onClick={() => setAdding(true)}
          data-testid="add-attachments"
        >
          {t('documents.addFiles')}
        </button>
        {d.archived ? (
          <button
            type="button"
            className="button"
            onClick={() => void restored(d.id)}
            data-testid="restore-document"
          >
            {t('documents.restore')}
          </button>
        ) : (
          <button
            type="button"
            className="button"
            onClick={() => void archived(d)}
            data-testid="archive-document"
          >
            {t('documents.archive')}
          </button>
        )}
      </div>
      {!editable && (
        <p id="not-editable" className="muted">
          {t('documents.notEditable')}
        </p>
      )}
      {error && !editing && !approving && (
        <p className="callout callout-error" role="alert" data-testid="workflow-error">
          {t(`errors.${error.code}`)}
        </p>
      )}
      <EditDocumentDialog detail={detail} open={editing} onClose={() => setEditing(false)} />
      <Dialog open={approving} title={t('documents.approval.title')} onClose={() => setApproving(false)}>
        {approving && <ApproveForm detail={detail} onDone={() => setApproving(false)} />}
      </Dialog>
      <Dialog open={adding} title={t('documents.addFiles')} onClose={() => setAdding(false)}>
        <form className="form" onSubmit={(e) => void addFiles(e)}>
          <FileDropField
            label={t('documents.files')}
            hint={t('documents.filesHint')}
            files={files}
            onChange={setFiles}
            error={addFailed ? t('documents.addFilesFailed') : null}
            testId="add-files"
          />
          <div className="dialog-actions">
            <button type="button" className="button" onClick={() => setAdding(false)}>
              {t('common.cancel')}
            </button>
            <button
              type="submit"
              className="button button-primary"
              disabled={files.length === 0}
              data-testid="add-files-save"
            >
              {t('common.save')}
            </button>
          </div>
        </form>
      </Dialog>
    </section>
  );
}

/** Approve: pick the certificate, the PIN once; the token signs the current version. */
function ApproveForm({ detail, onDone }: { detail: DocumentDetail; onDone: () => void }) {
  const { t } = useTranslation();
  const tokens = useAppStore((s) => s.tokens);
  const tokensError = useAppStore((s) => s.tokensError);
  const tokensRequested = useAppStore((s) => s.tokensRequested);
  const approved = useAppStore((s) => s.documentApproved);
  const error = useAppStore((s) => s.workflowError);
  const cleared = useAppStore((s) => s.workflowErrorCleared);
  const [choice, setChoice] = useState('');
  const [pin, setPin] = useState('');
  const [busy, setBusy] = useState(false);
  useEffect(() => {
    cleared();
    void tokensRequested();
  }, [tokensRequested, cleared]);
  const options = certificateOptions(tokens);
  const selected = selectedCertificate(options, choice);

  const submit = async (e: FormEvent) => {
    e.preventDefault();
    if (!selected) return;
    const secret = pin;
    setPin('');
    setBusy(true);
    const ok = await approved({
      id: detail.document.id,
      token: { serial: selected.token.serial },
      keyId: selected.cert.keyId,
      pin: secret,
    });
    setBusy(false);
    if (ok) onDone();
  };

  return (
    <form className="form" onSubmit={(e) => void submit(e)} data-testid="approve-form">
      <p>{t('documents.approval.intro', { version: detail.document.version })}</p>
      <CertificatePicker
        tokens={tokens}
        tokensError={tokensError}
        options={options}
        selected={selected}
        onChoose={setChoice}
        name="approval-certificate"
      />
      <SecretField
        label={t('vault.pin')}
        value={pin}
        onChange={(e) => setPin(e.target.value)}
        required
        data-testid="approve-pin"
        error={error ? t(`errors.${error.code}`) : null}
      />
      <div className="dialog-actions">
        <button type="button" className="button" onClick={onDone} data-testid="approve-cancel">
          {t('common.cancel')}
        </button>
        <button
          type="submit"
          className="button button-primary"
          disabled={busy || !selected}
          data-testid="approve-submit"
        >
          {t('documents.approval.submit')}
        </button>
      </div>
    </form>
  );
}
