import { useEffect, useState, type FormEvent } from 'react';
import { useTranslation } from 'react-i18next';
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
  const [keyId, setKeyId] = useState('');
  const [pin, setPin] = useState('');
  const [passphrase, setPassphrase] = useState('');
  const [repeat, setRepeat] = useState('');
  const [localError, setLocalError] = useState<string | null>(null);
  const tokens = useAppStore((s) => s.tokens);
  const tokensRequested = useAppStore((s) => s.tokensRequested);
  const client = useEmbassyClient();

  // Detect tokens on the chosen driver: remember it (signing uses the same one), then list.
  // Then keep looking while this step shows, so a token inserted now appears by itself.
  useEffect(() => {
    if (step !== 'token' || !driver) return;
    let poll: ReturnType<typeof setInterval> | undefined;
    let live = true;
    void client.call('settings.update', { pkcs11Driver: driver }).then(() => {
      if (!live) return;
      void tokensRequested();
      poll = setInterval(() => void tokensRequested(), TOKEN_POLL_MS);
    });
    return () => {
      live = false;
      clearInterval(poll);
    };
  }, [step, driver, client, tokensRequested]);

  const submitToken = async (e: FormEvent) => {
    e.preventDefault();
    const ok = await create({
      profile: 'token',
      driver,
      tokenLabel: tokenLabel.trim(),
      ...(keyId.trim() ? { keyId: keyId.trim() } : {}),
      pin,
    });
    setPin('');
    if (ok) setStep('done');
  };

  const submitPassphrase = async (e: FormEvent) => {
    e.preventDefault();
    if (passphrase.length < 12) return setLocalError(t('vault.firstRun.passphraseTooShort'));
    if (passphrase !== repeat) return setLocalError(t('vault.firstRun.passphraseMismatch'));
    setLocalError(null);
    const ok = await create({ profile: 'passphrase', passphrase });
    setPassphrase('');
    setRepeat('');
    if (ok) setStep('done');
  };

  const shownError = localError ?? (error ? t(`errors.${error.code}`) : null);

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
          <button
            type="button"
            className="choice"
            onClick={() => setStep('token')}
            data-testid="choose-token"
          >
            <strong>{t('vault.firstRun.tokenTitle')}</strong>
            <span>{t('vault.firstRun.tokenBody')}</span>
          </button>
          <button
            type="button"
            className="choice choice-weak"
            onClick={() => setStep('passphrase')}
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
        <form className="card form" onSubmit={(e) => void submitToken(e)}>
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
                    <button
                      type="button"
                      className="link-button"
                      onClick={() => setTokenLabel(tok.label)}
                      data-testid="detected-token"
                    >
                      {tok.label || t('vault.firstRun.unnamedToken', { serial: tok.serial })}
                    </button>{' '}
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
          <TextField
            label={t('vault.firstRun.tokenLabel')}
            hint={t('vault.firstRun.tokenLabelHint')}
            value={tokenLabel}
            onChange={(e) => setTokenLabel(e.target.value)}
            required
            data-testid="token-label"
          />
          <TextField
            label={t('vault.firstRun.keyId')}
            hint={t('vault.firstRun.keyIdHint')}
            value={keyId}
            onChange={(e) => setKeyId(e.target.value)}
            pattern="([0-9a-fA-F]{2})*"
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
          <CreateActions busy={busy} onBack={() => setStep('choose')} />
        </form>
      )}

      {step === 'passphrase' && (
        <form className="card form" onSubmit={(e) => void submitPassphrase(e)}>
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
          <CreateActions busy={busy} onBack={() => setStep('choose')} />
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
