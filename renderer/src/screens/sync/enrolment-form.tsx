import { useEffect, useRef, useState, type FormEvent } from 'react';
import { useTranslation } from 'react-i18next';
import {
  CertificatePicker,
  certificateOptions,
  selectedCertificate,
} from '../../components/certificate-picker';
import { SecretField, TextField } from '../../components/field';
import { useAppStore } from '../../store/store-context';
import { checkFingerprint, errorKey, hqUrlProblem, normalizeFingerprint } from './sync-format';

/**
 * Enrol this workstation with HQ: the relay's address and the certificate fingerprint IT
 * gave (checked as typed, so a mistyped digit is caught here, not as a pinning failure),
 * the officer's token certificate and PIN (one signature over the new device keys), and an
 * optional department. The PIN lives in this form only until submit.
 */
export function EnrolmentForm() {
  const { t } = useTranslation();
  const tokens = useAppStore((s) => s.tokens);
  const tokensError = useAppStore((s) => s.tokensError);
  const tokensRequested = useAppStore((s) => s.tokensRequested);
  const busy = useAppStore((s) => s.syncEnrolBusy);
  const error = useAppStore((s) => s.syncEnrolError);
  const enrolSubmitted = useAppStore((s) => s.syncEnrolSubmitted);
  const [hqUrl, setHqUrl] = useState('');
  const [fingerprint, setFingerprint] = useState('');
  const [department, setDepartment] = useState('');
  const [pin, setPin] = useState('');
  const [choice, setChoice] = useState('');
  /** Fields whose error is shown: after leaving them once, or after a submit. */
  const [touched, setTouched] = useState<{
    url?: boolean;
    fingerprint?: boolean;
    certificate?: boolean;
    pin?: boolean;
  }>({});
  const urlRef = useRef<HTMLInputElement>(null);
  const fingerprintRef = useRef<HTMLInputElement>(null);
  const pinRef = useRef<HTMLInputElement>(null);
  const errorRef = useRef<HTMLParagraphElement>(null);

  useEffect(() => {
    void tokensRequested();
  }, [tokensRequested]);
  // A refusal from the core is announced and gets focus, so it is not missed under the form.
  useEffect(() => {
    if (error) errorRef.current?.focus();
  }, [error]);

  const options = certificateOptions(tokens);
  const selected = selectedCertificate(options, choice);
  const urlProblem = hqUrlProblem(hqUrl);
  const fp = checkFingerprint(fingerprint);

  const urlError = touched.url && urlProblem ? t(`sync.enrol.url.${urlProblem}`) : null;
  // Wrong characters are reported as typed; the length once the field is left.
  const fingerprintError =
    fp.problem === 'characters'
      ? t('sync.enrol.fingerprint.characters', { chars: fp.bad })
      : touched.fingerprint && fp.problem === 'short'
        ? fp.digits === 0
          ? t('sync.enrol.fingerprint.empty')
          : t('sync.enrol.fingerprint.short', { digits: fp.digits })
        : touched.fingerprint && fp.problem === 'long'
          ? t('sync.enrol.fingerprint.long', { digits: fp.digits })
          : null;
  const fingerprintHint = (
    <>
      {t('sync.enrol.fingerprint.hint')}{' '}
      <span className="fingerprint-count" data-testid="fingerprint-count">
        {t('sync.enrol.fingerprint.count', { digits: fp.problem === 'characters' ? 0 : fp.digits })}
      </span>
    </>
  );

  const submit = async (e: FormEvent) => {
    e.preventDefault();
    setTouched({ url: true, fingerprint: true, certificate: true, pin: true });
    if (urlProblem) return urlRef.current?.focus();
    if (fp.problem) return fingerprintRef.current?.focus();
    if (!selected?.usable) return;
    if (!pin) return pinRef.current?.focus();
    const secret = pin;
    setPin('');
    setTouched((v) => ({ ...v, pin: false }));
    await enrolSubmitted({
      hqUrl: hqUrl.trim(),
      fingerprint: normalizeFingerprint(fingerprint),
      token: { serial: selected.token.serial },
      keyId: selected.cert.keyId,
      pin: secret,
      ...(department.trim() ? { department: department.trim() } : {}),
    });
  };

  return (
    <form className="card form enrol-form" onSubmit={(e) => void submit(e)} noValidate>
      <h2>{t('sync.enrol.title')}</h2>
      <p className="muted">{t('sync.enrol.intro')}</p>
      <fieldset className="fieldset">
        <legend>{t('sync.enrol.hqLegend')}</legend>
        <TextField
          ref={urlRef}
          label={t('sync.enrol.url.label')}
          hint={t('sync.enrol.url.hint')}
          value={hqUrl}
          onChange={(e) => setHqUrl(e.target.value)}
          onBlur={() => setTouched((v) => ({ ...v, url: true }))}
          error={urlError}
          placeholder="https://hq.mofa.gov.vn:8443"
          inputMode="url"
          autoComplete="off"
          spellCheck={false}
          maxLength={512}
          data-testid="enrol-url"
        />
        <TextField
          ref={fingerprintRef}
          className="mono fingerprint-input"
          label={t('sync.enrol.fingerprint.label')}
          hint={fingerprintHint}
          value={fingerprint}
          onChange={(e) => setFingerprint(e.target.value)}
          onBlur={() => setTouched((v) => ({ ...v, fingerprint: true }))}
          error={fingerprintError}
          autoComplete="off"
          spellCheck={false}
          maxLength={128}
          data-testid="enrol-fingerprint"
        />
      </fieldset>
      <CertificatePicker
        tokens={tokens}
        tokensError={tokensError}
        options={options}
        selected={selected}
        onChoose={setChoice}
        name="enrol-certificate"
      />
      {touched.certificate && tokens !== null && !selected?.usable && (
        <p className="field-error" role="alert">
          {t('sync.enrol.needCertificate')}
        </p>
      )}
      <TextField
        label={t('sync.enrol.department')}
        hint={t('sync.enrol.departmentHint')}
        value={department}
        onChange={(e) => setDepartment(e.target.value)}
        maxLength={128}
        data-testid="enrol-department"
      />
      <SecretField
        ref={pinRef}
        label={t('vault.pin')}
        hint={t('sync.enrol.pinHint')}
        value={pin}
        onChange={(e) => setPin(e.target.value)}
        required
        maxLength={64}
        error={touched.pin && !pin ? t('sync.enrol.pinMissing') : null}
        data-testid="enrol-pin"
      />
      {error && (
        <p
          className="callout callout-error"
          role="alert"
          tabIndex={-1}
          ref={errorRef}
          data-testid="enrol-error"
        >
          {/* The generic offline text speaks of the outbox; nothing is queued by enrolling. */}
          {error.code === 'E_SYNC_OFFLINE' ? t('sync.enrol.offline') : t(errorKey(error.code))}
        </p>
      )}
      <div className="form-actions">
        <button type="submit" className="button button-primary" disabled={busy} data-testid="enrol-submit">
          {busy ? t('sync.enrol.submitting') : t('sync.enrol.submit')}
        </button>
      </div>
    </form>
  );
}
