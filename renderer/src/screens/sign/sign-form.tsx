import { useEffect, useState, type FormEvent } from 'react';
import { useTranslation } from 'react-i18next';
import {
  CertificatePicker,
  certificateOptions,
  selectedCertificate,
} from '../../components/certificate-picker';
import { SecretField, TextField } from '../../components/field';
import { pinTriesKey } from '../../components/pin-tries';
import { useAppStore } from '../../store/store-context';
import { batchSummary, type NamedDocument } from './batch-summary';
import { signErrorPlace } from './sign-error-place';

/**
 * Pick a certificate on an inserted token, enter the PIN once, sign: progress per document,
 * cancel between documents, a result for each. The PIN field is emptied on submit; it is
 * never kept, and a wrong PIN is never retried.
 */
export function SignForm({
  documentIds,
  documents = [],
  format = 'pades',
  attachmentId,
  onDone,
}: {
  documentIds: readonly string[];
  /** The documents by name, so the results can name each one that was not signed. */
  documents?: readonly NamedDocument[];
  /** PAdES (a signed PDF) or CAdES (a detached .p7s beside any file). */
  format?: 'pades' | 'cades';
  /** The one document's PDF: its signature fields are offered, and a refusal said before the PIN. */
  attachmentId?: string;
  onDone?: () => void;
}) {
  const { t, i18n } = useTranslation();
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
    const pades = format === 'pades';
    const status = await signStarted({
      documentIds: [...documentIds],
      ...(pades ? {} : { format }),
      token: { serial: selected.token.serial },
      keyId: selected.cert.keyId,
      pin: secret,
      ...(reason.trim() ? { reason: reason.trim() } : {}),
      ...(location.trim() ? { location: location.trim() } : {}),
      ...(pades && visible ? { visible: true } : {}),
      ...(pades ? { language: i18n.language === 'vi' ? ('vi' as const) : ('en' as const) } : {}),
      ...(pades && chosenField ? { field: chosenField } : {}),
      ...(pades && certify && !certified && !alreadySigned ? { certify: Number(certify) as 1 | 2 | 3 } : {}),
    });
    // The token's flags after a refused PIN say how many tries are left (when it reports them).
    if (status?.state === 'failed' || !status) void tokensRequested();
    if (status?.state === 'done' && status.results.every((r) => r.ok)) onDone?.();
  };

  const failure = signError ?? job?.error ?? null;
  const place = failure ? signErrorPlace(failure.code) : null;
  const failureText = failure ? t(`errors.${failure.code}`) : null;
  const tries = pinTriesKey(selected?.token);
  const summary = job ? batchSummary(job, documents) : null;
  const pdfOptions = format === 'pades';
  return (
    <form className="form sign-form" onSubmit={(e) => void submit(e)}>
      <CertificatePicker
        tokens={tokens}
        tokensError={tokensError}
        options={options}
        selected={selected}
        onChoose={setChoice}
        name="certificate"
        error={place === 'certificate' ? failureText : null}
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
      {pdfOptions && attachmentId && !fields && !outlook && (
        <p className="muted">{t('sign.fieldsLoading')}</p>
      )}
      {refusal && (
        <p className="callout callout-error" role="alert" data-testid="sign-refusal">
          {t(`errors.${refusal}`)}
        </p>
      )}
      {pdfOptions && fields && fields.fields.length > 0 && (
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
      {pdfOptions && !chosenField && (
        <label className="checkbox">
          <input type="checkbox" checked={visible} onChange={(e) => setVisible(e.target.checked)} />{' '}
          {t('sign.visible')}
        </label>
      )}
      {!pdfOptions ? (
        <p className="muted" data-testid="sign-cades-note">
          {t('sign.cadesNote')}
        </p>
      ) : certified ? (
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
        hint={
          tries
            ? `${t('sign.pinHint', { count: documentIds.length })} ${t(`sign.tries.${tries}`)}`
            : t('sign.pinHint', { count: documentIds.length })
        }
        value={pin}
        onChange={(e) => setPin(e.target.value)}
        required
        disabled={running}
        data-testid="sign-pin"
        error={place === 'pin' ? failureText : null}
      />
      {place === 'form' && (
        <p className="callout callout-error" role="alert" data-testid="sign-error">
          {failureText}
        </p>
      )}
      {job && summary && (
        <div className="sign-progress" aria-live="polite">
          <progress max={summary.total} value={summary.finished} />
          <span data-testid="sign-progress">
            {job.state === 'running'
              ? t('sign.progressRunning', { done: summary.finished, total: summary.total })
              : t('sign.progressSigned', { signed: summary.signed, total: summary.total })}
          </span>
          {job.state === 'cancelled' && <span className="tag">{t('sign.cancelled')}</span>}
        </div>
      )}
      {summary && summary.failures.length > 0 && (
        <div className="callout callout-error" data-testid="sign-failures">
          <p>{t('sign.notSigned', { count: summary.failures.length })}</p>
          <ul className="reason-list">
            {summary.failures.map((f) => (
              <li key={f.documentId} data-testid="sign-failure">
                <strong>{f.name}</strong>: {t(`errors.${f.code}`)}
              </li>
            ))}
          </ul>
        </div>
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
          disabled={!selected || running || !pin || refusal !== null || documentIds.length === 0}
          data-testid="sign-submit"
        >
          {t('sign.submit', { count: documentIds.length })}
        </button>
      </div>
    </form>
  );
}
