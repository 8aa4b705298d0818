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
export function SignForm({ documentIds, onDone }: { documentIds: readonly string[]; onDone?: () => void }) {
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
      <label className="checkbox">
        <input type="checkbox" checked={visible} onChange={(e) => setVisible(e.target.checked)} />{' '}
        {t('sign.visible')}
      </label>
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
          disabled={!selected || running || !pin}
          data-testid="sign-submit"
        >
          {t('sign.submit', { count: documentIds.length })}
        </button>
      </div>
    </form>
  );
}
