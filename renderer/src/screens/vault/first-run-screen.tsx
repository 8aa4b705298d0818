import { useEffect, useState, type FormEvent } from 'react';
import { useTranslation } from 'react-i18next';
import {
  CertificatePicker,
  certificateOptions,
  selectedCertificate,
} from '../../components/certificate-picker';
import { SecretField, TextField } from '../../components/field';
import { useAppStore, useEmbassyClient } from '../../store/store-context';
import { DriverField } from './driver-field';

type Step = 'choose' | 'token' | 'passphrase' | 'done';

/** How often the token step asks again which tokens are inserted (as the unlock screen does). */
const TOKEN_POLL_MS = 2000;

/**
 * First run: create the encrypted vault, bound to the officer's USB token (the norm) or, on a
 * machine without one, to a passphrase (marked as the weaker profile). Then offer sample data.
 */
export function FirstRunScreen() {
  const { t } = useTranslation();
  const [step, setStep] = useState<Step>('choose');
  const error = useAppStore((s) => s.vaultError);
  const busy = useAppStore((s) => s.vaultBusy);
  const create = useAppStore((s) => s.vaultCreateSubmitted);
  const sampleDataRequested = useAppStore((s) => s.sampleDataRequested);
  const firstRunFinished = useAppStore((s) => s.firstRunFinished);
  const [driver, setDriver] = useState('');
  // IT's policy may allow token-bound vaults only; the core refuses the other anyway.
  const passphraseForbidden = useAppStore((s) => s.policy?.policy?.passphraseProfiles === false);
  const allowedDrivers = useAppStore((s) =>
    s.policy?.policy?.pkcs11.allowed.map((d) => ('id' in d ? d.id : d.path)).join(', '),
  );
  const [tokenLabel, setTokenLabel] = useState('');
  const [choice, setChoice] = useState('');
  // The driver whose tokens `tokens` lists: another driver's list is never shown as this one's.
  const [listedFor, setListedFor] = useState<string | null>(null);
  // The step whose form the last error came from: an error stays on that form only.
  const [errorStep, setErrorStep] = useState<Step | null>(null);
  const [pin, setPin] = useState('');
  const [passphrase, setPassphrase] = useState('');
  const [repeat, setRepeat] = useState('');
  const [localError, setLocalError] = useState<string | null>(null);
  const allTokens = useAppStore((s) => s.tokens);
  const tokensError = useAppStore((s) => s.tokensError);
  const tokensRequested = useAppStore((s) => s.tokensRequested);
  const tokens = listedFor === driver ? allTokens : null;
  const options = certificateOptions(tokens);
  const selected = selectedCertificate(options, choice);
  // The key the vault is bound to: the chosen certificate's, when it is on the named token.
  const keyId = selected && selected.token.label === tokenLabel.trim() ? selected.cert.keyId : '';
  const client = useEmbassyClient();

  // Detect tokens on the chosen driver: remember it (signing uses the same one), then list.
  // Then keep looking while this step shows, so a token inserted now appears by itself.
  useEffect(() => {
    if (step !== 'token' || !driver) return;
    let poll: ReturnType<typeof setInterval> | undefined;
    let live = true;
    setListedFor(null);
    void client.call('settings.update', { pkcs11Driver: driver }).then(async () => {
      if (!live) return;
      await tokensRequested();
      if (!live) return;
      setListedFor(driver);
      poll = setInterval(() => void tokensRequested(), TOKEN_POLL_MS);
    });
    return () => {
      live = false;
      clearInterval(poll);
    };
  }, [step, driver, client, tokensRequested]);

  // Picking a certificate names its token; a token typed by hand keeps its name.
  useEffect(() => {
    if (selected && !tokenLabel) setTokenLabel(selected.token.label);
  }, [selected, tokenLabel]);

  const go = (next: Step) => {
    setLocalError(null);
    setErrorStep(null);
    setStep(next);
  };

  const submitToken = async (e: FormEvent) => {
    e.preventDefault();
    setErrorStep('token');
    if (!tokenLabel.trim() || !pin) return setLocalError(t('vault.firstRun.tokenMissing'));
    setLocalError(null);
    const ok = await create({
      profile: 'token',
      driver,
      tokenLabel: tokenLabel.trim(),
      ...(keyId ? { keyId } : {}),
      pin,
    });
    setPin('');
    if (ok) setStep('done');
  };

  const submitPassphrase = async (e: FormEvent) => {
    e.preventDefault();
    setErrorStep('passphrase');
    if (passphrase.length < 12) return setLocalError(t('vault.firstRun.passphraseTooShort'));
    if (passphrase !== repeat) return setLocalError(t('vault.firstRun.passphraseMismatch'));
    setLocalError(null);
    const ok = await create({ profile: 'passphrase', passphrase });
    setPassphrase('');
    setRepeat('');
    if (ok) setStep('done');
  };

  const shownError = errorStep === step ? (localError ?? (error ? t(`errors.${error.code}`) : null)) : null;

  return (
    <section className="screen" aria-labelledby="first-run-title">
      <header className="screen-header">
        <h1 id="first-run-title">{t('vault.firstRun.title')}</h1>
        <p className="lead">{t('vault.firstRun.intro')}</p>
      </header>
      <ol className="steps" aria-label={t('vault.firstRun.steps')}>
        {(['choose', 'secret', 'done'] as const).map((s, i) => (
          <li
            key={s}
            aria-current={
              (s === 'choose' && step === 'choose') ||
              (s === 'secret' && (step === 'token' || step === 'passphrase')) ||
              (s === 'done' && step === 'done')
                ? 'step'
                : undefined
            }
          >
            {i + 1}. {t(`vault.firstRun.step.${s}`)}
          </li>
        ))}
      </ol>

      {step === 'choose' && (
        <div className="choice-grid">
          <button type="button" className="choice" onClick={() => go('token')} data-testid="choose-token">
            <strong>{t('vault.firstRun.tokenTitle')}</strong>
            <span>{t('vault.firstRun.tokenBody')}</span>
          </button>
          <button
            type="button"
            className="choice choice-weak"
            onClick={() => go('passphrase')}
            disabled={passphraseForbidden}
            data-testid="choose-passphrase"
          >
            <strong>
              {t('vault.firstRun.passphraseTitle')}
              {passphraseForbidden && <span className="tag">{t('policy.notAllowedByIt')}</span>}
            </strong>
            <span>{t('vault.firstRun.passphraseBody')}</span>
          </button>
        </div>
      )}

      {step === 'token' && (
        <form className="card form" noValidate onSubmit={(e) => void submitToken(e)}>
          <DriverField value={driver} onChange={setDriver} />
          {allowedDrivers && (
            <p className="field-hint">{t('policy.driversByIt', { list: allowedDrivers })}</p>
          )}
          <div className="detected-tokens" aria-live="polite">
            <div className="field-hint">{t('vault.firstRun.detected')}</div>
            {tokens === null ? (
              <p className="muted">{t('sign.lookingForTokens')}</p>
            ) : tokens.length === 0 ? (
              <p className="muted">{t('sign.noTokens')}</p>
            ) : (
              <ul className="plain-list">
                {tokens.map((tok) => (
                  <li key={tok.serial}>
                    {tok.label ? (
                      <button
                        type="button"
                        className="link-button"
                        onClick={() => setTokenLabel(tok.label)}
                        data-testid="detected-token"
                      >
                        {tok.label}
                      </button>
                    ) : (
                      // An empty slot (a token not set up) has no name to pick it by.
                      <span>{t('vault.firstRun.tokenNotSetUp')}</span>
                    )}{' '}
                    <span className="muted">
                      {tok.certificates
                        .filter((c) => c.canSign)
                        .map((c) => c.holder)
                        .join(', ') || t('vault.firstRun.noCertificate')}
                    </span>
                  </li>
                ))}
              </ul>
            )}
          </div>
          {options.length > 0 && (
            <CertificatePicker
              tokens={tokens}
              tokensError={tokensError}
              options={options}
              selected={selected}
              onChoose={(value) => {
                setChoice(value);
                const picked = options.find((o) => o.value === value);
                if (picked) setTokenLabel(picked.token.label);
              }}
              name="vault-certificate"
              legend={t('vault.firstRun.certificate')}
            />
          )}
          <TextField
            label={t('vault.firstRun.tokenLabel')}
            hint={t('vault.firstRun.tokenLabelHint')}
            value={tokenLabel}
            onChange={(e) => setTokenLabel(e.target.value)}
            required
            data-testid="token-label"
          />
          <SecretField
            label={t('vault.pin')}
            hint={t('vault.pinHint')}
            value={pin}
            onChange={(e) => setPin(e.target.value)}
            required
            error={shownError}
            data-testid="pin"
          />
          <CreateActions busy={busy} onBack={() => go('choose')} />
        </form>
      )}

      {step === 'passphrase' && (
        <form className="card form" noValidate onSubmit={(e) => void submitPassphrase(e)}>
          <p className="callout callout-warn">{t('vault.firstRun.passphraseWarning')}</p>
          <SecretField
            label={t('vault.passphrase')}
            hint={t('vault.firstRun.passphraseHint')}
            value={passphrase}
            onChange={(e) => setPassphrase(e.target.value)}
            required
            minLength={12}
            data-testid="passphrase"
          />
          <SecretField
            label={t('vault.firstRun.passphraseRepeat')}
            value={repeat}
            onChange={(e) => setRepeat(e.target.value)}
            required
            error={shownError}
            data-testid="passphrase-repeat"
          />
          <CreateActions busy={busy} onBack={() => go('choose')} />
        </form>
      )}

      {step === 'done' && (
        <div className="card">
          <h2>{t('vault.firstRun.doneTitle')}</h2>
          <p>{t('vault.firstRun.doneBody')}</p>
          <div className="form-actions">
            <button
              type="button"
              className="button button-primary"
              disabled={busy}
              onClick={() =>
                void sampleDataRequested().then(() => {
                  firstRunFinished();
                  window.location.hash = '#/documents';
                })
              }
              data-testid="load-sample"
            >
              {t('vault.sampleData')}
            </button>
            <a className="button" href="#/documents" onClick={firstRunFinished}>
              {t('vault.firstRun.startEmpty')}
            </a>
          </div>
        </div>
      )}
    </section>
  );
}

/** Back to the choice, or create the vault (both set-up forms end with this row). */
function CreateActions({ busy, onBack }: { busy: boolean; onBack: () => void }) {
  const { t } = useTranslation();
  return (
    <div className="form-actions">
      <button type="button" className="button" onClick={onBack}>
        {t('common.back')}
      </button>
      <button type="submit" className="button button-primary" disabled={busy} data-testid="create-vault">
        {busy ? t('vault.firstRun.creating') : t('vault.firstRun.create')}
      </button>
    </div>
  );
}
