import { useEffect, useState, type FormEvent } from 'react';
import { useTranslation } from 'react-i18next';
import {
  CertificatePicker,
  certificateOptions,
  selectedCertificate,
} from '../../components/certificate-picker';
import { SecretField, TextField } from '../../components/field';
import { useAppStore } from '../../store/store-context';

/**
 * Pick a certificate on an inserted token, enter the PIN once, sign: progress per document,
 * cancel between documents, a result for each. The PIN field is emptied on submit; it is
 * never kept, and a wrong PIN is never retried.
 */
export function SignForm({
  documentIds,
  attachmentId,
  onDone,
}: {
  documentIds: readonly string[];
  /** The one document's PDF: its signature fields are offered, and a refusal said before the PIN. */
  attachmentId?: string;
  onDone?: () => void;
}) {
  const { t } = useTranslation();
  const tokens = useAppStore((s) => s.tokens);
  const tokensError = useAppStore((s) => s.tokensError);
  const tokensRequested = useAppStore((s) => s.tokensRequested);
  const job = useAppStore((s) => s.signJob);
  const signError = useAppStore((s) => s.signError);
  const signStarted = useAppStore((s) => s.signStarted);
  const signCancelled = useAppStore((s) => s.signCancelled);
  const signCleared = useAppStore((s) => s.signCleared);
  const [choice, setChoice] = useState<string>('');
  const [pin, setPin] = useState('');
  const [reason, setReason] = useState('');
  const [location, setLocation] = useState('');
  const [visible, setVisible] = useState(false);
  const [field, setField] = useState<string | null>(null);
  const [certify, setCertify] = useState<'' | '1' | '2' | '3'>('');
  const outlook = useAppStore((s) => (attachmentId ? s.signOutlooks[attachmentId] : undefined));
  const signOutlookRequested = useAppStore((s) => s.signOutlookRequested);
  useEffect(() => {
    if (attachmentId) void signOutlookRequested(attachmentId);
  }, [attachmentId, signOutlookRequested]);
  const fields = outlook && !('code' in outlook) ? outlook : null;
  const emptyFields = fields?.fields.filter((f) => !f.signed) ?? [];
  // A form that arrived with an empty signature field is signed there unless the officer says otherwise.
  const chosenField = field ?? emptyFields[0]?.name ?? '';
  const refusal = fields?.refusal ?? null;
  const certified = fields?.certification ?? null;
  // A certification must be the first signature: not offered once the PDF is signed.
  const alreadySigned = fields?.fields.some((f) => f.signed) ?? false;

  useEffect(() => {
    signCleared();
    void tokensRequested();
  }, [tokensRequested, signCleared]);

  const options = certificateOptions(tokens);
  const selected = selectedCertificate(options, choice);
  const running = job?.state === 'running';

  const submit = async (e: FormEvent) => {
    e.preventDefault();
    if (!selected) return;
    const secret = pin;
    setPin('');
    const status = await signStarted({
      documentIds: [...documentIds],
      token: { serial: selected.token.serial },
      keyId: selected.cert.keyId,
      pin: secret,
      ...(reason.trim() ? { reason: reason.trim() } : {}),
      ...(location.trim() ? { location: location.trim() } : {}),
      ...(visible ? { visible: true } : {}),
      ...(chosenField ? { field: chosenField } : {}),
      ...(certify && !certified && !alreadySigned ? { certify: Number(certify) as 1 | 2 | 3 } : {}),
    });
    if (status?.state === 'done' && status.results.every((r) => r.ok)) onDone?.();
  };

  const failure = signError ?? job?.error ?? null;
  return (
    <form className="form sign-form" onSubmit={(e) => void submit(e)}>
      <CertificatePicker
        tokens={tokens}
        tokensError={tokensError}
        options={options}
        selected={selected}
        onChoose={setChoice}
        name="certificate"
      />
      <div className="form-row">
        <TextField
          label={t('sign.reason')}
          value={reason}
          onChange={(e) => setReason(e.target.value)}
          maxLength={256}
        />
        <TextField
          label={t('sign.location')}
          value={location}
          onChange={(e) => setLocation(e.target.value)}
          maxLength={256}
        />
      </div>
      {attachmentId && !fields && !outlook && <p className="muted">{t('sign.fieldsLoading')}</p>}
      {refusal && (
        <p className="callout callout-error" role="alert" data-testid="sign-refusal">
          {t(`errors.${refusal}`)}
        </p>
      )}
      {fields && fields.fields.length > 0 && (
        <div className="field">
          <label htmlFor="sign-field">{t('sign.field')}</label>
          <select
            id="sign-field"
            value={chosenField}
            onChange={(e) => setField(e.target.value)}
            data-testid="sign-field"
          >
            {fields.fields.map((f) => (
              <option key={f.name} value={f.name} disabled={f.signed}>
                {f.signed
                  ? t('sign.fieldSigned', { name: f.name })
                  : f.page === null
                    ? t('sign.fieldOptionNoPage', { name: f.name })
                    : t('sign.fieldOption', { name: f.name, page: f.page })}
              </option>
            ))}
            <option value="">{t('sign.fieldNew')}</option>
          </select>
        </div>
      )}
      {!chosenField && (
        <label className="checkbox">
          <input type="checkbox" checked={visible} onChange={(e) => setVisible(e.target.checked)} />{' '}
          {t('sign.visible')}
        </label>
      )}
      {certified ? (
        <p className="muted" data-testid="sign-certified">
          {t('sign.documentCertified', { level: t(`sign.certifiedLevel.${certified}`) })}
        </p>
      ) : alreadySigned ? null : (
        <div className="field">
          <label htmlFor="sign-certify">{t('sign.certify')}</label>
          <select
            id="sign-certify"
            value={certify}
            onChange={(e) => setCertify(e.target.value as '' | '1' | '2' | '3')}
            data-testid="sign-certify"
          >
            <option value="">{t('sign.certifyNone')}</option>
            <option value="1">{t('sign.certify1')}</option>
            <option value="2">{t('sign.certify2')}</option>
            <option value="3">{t('sign.certify3')}</option>
          </select>
        </div>
      )}
      <SecretField
        label={t('vault.pin')}
        hint={t('sign.pinHint', { count: documentIds.length })}
        value={pin}
        onChange={(e) => setPin(e.target.value)}
        required
        disabled={running}
        data-testid="sign-pin"
        error={failure ? t(`errors.${failure.code}`) : null}
      />
      {job && (
        <div className="sign-progress" aria-live="polite">
          <progress max={job.total} value={job.done} />
          <span data-testid="sign-progress">{t('sign.progress', { done: job.done, total: job.total })}</span>
          {job.state === 'cancelled' && <span className="tag">{t('sign.cancelled')}</span>}
        </div>
      )}
      {job && job.results.some((r) => !r.ok) && (
        <ul className="reason-list">
          {job.results
            .filter((r) => !r.ok)
            .map((r) => (
              <li key={r.documentId}>{t(`errors.${r.error?.code ?? 'E_INTERNAL'}`)}</li>
            ))}
        </ul>
      )}
      <div className="form-actions">
        {running && (
          <button type="button" className="button" onClick={() => void signCancelled()}>
            {t('common.cancel')}
          </button>
        )}
        <button
          type="submit"
          className="button button-primary"
          disabled={!selected || running || !pin || refusal !== null}
          data-testid="sign-submit"
        >
          {t('sign.submit', { count: documentIds.length })}
        </button>
      </div>
    </form>
  );
}
