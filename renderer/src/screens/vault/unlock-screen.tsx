import { useEffect, useRef, useState, type FormEvent } from 'react';
import { useTranslation } from 'react-i18next';
import { SecretField } from '../../components/field';
import { useAppStore } from '../../store/store-context';

/**
 * The vault is locked: one PIN (or passphrase) entry, one attempt per submit — never retried
 * automatically (real tokens lock after three wrong PINs).
 */
export function UnlockScreen() {
  const { t } = useTranslation();
  const vault = useAppStore((s) => s.vault);
  const error = useAppStore((s) => s.vaultError);
  const busy = useAppStore((s) => s.vaultBusy);
  const unlock = useAppStore((s) => s.vaultUnlockSubmitted);
  const [secret, setSecret] = useState('');
  const input = useRef<HTMLInputElement>(null);
  const isPassphrase = vault?.profile === 'passphrase';
  const tokens = useAppStore((s) => s.tokens);
  const tokensRequested = useAppStore((s) => s.tokensRequested);

  useEffect(() => input.current?.focus(), [error]);
  // Token state and PIN tries, from the token's own flags; refreshed while this screen shows.
  useEffect(() => {
    if (isPassphrase) return;
    void tokensRequested();
    const poll = setInterval(() => void tokensRequested(), 2000);
    return () => clearInterval(poll);
  }, [isPassphrase, tokensRequested, error]);
  const present = vault?.token ? tokens?.find((tok) => tok.serial === vault.token?.serial) : undefined;

  const submit = async (e: FormEvent) => {
    e.preventDefault();
    const value = secret;
    setSecret('');
    await unlock(isPassphrase ? { passphrase: value } : { pin: value });
  };

  return (
    <section className="screen unlock" aria-labelledby="unlock-title">
      <form className="card form unlock-card" onSubmit={(e) => void submit(e)}>
        <h1 id="unlock-title">{t('vault.unlock.title')}</h1>
        {vault?.token ? (
          <dl className="facts">
            <dt>{t('vault.unlock.token')}</dt>
            <dd data-testid="unlock-token">{vault.token.label}</dd>
            <dt>{t('vault.unlock.holder')}</dt>
            <dd>{vault.token.holder}</dd>
            <dt>{t('vault.unlock.state')}</dt>
            <dd data-testid="token-state">
              {tokens === null
                ? t('sign.lookingForTokens')
                : present
                  ? present.pinLocked
                    ? t('vault.unlock.pinLocked')
                    : present.pinFinalTry
                      ? t('vault.unlock.finalTry')
                      : present.pinCountLow
                        ? t('vault.unlock.countLow')
                        : t('vault.unlock.inserted')
                  : t('vault.unlock.notInserted')}
            </dd>
          </dl>
        ) : (
          <p className="callout callout-warn">{t('vault.unlock.passphraseProfile')}</p>
        )}
        <SecretField
          ref={input}
          label={isPassphrase ? t('vault.passphrase') : t('vault.pin')}
          hint={isPassphrase ? undefined : t('vault.unlock.pinHint')}
          value={secret}
          onChange={(e) => setSecret(e.target.value)}
          required
          error={error ? t(`errors.${error.code}`) : null}
          data-testid="unlock-secret"
        />
        <button
          type="submit"
          className="button button-primary"
          disabled={busy || !secret}
          data-testid="unlock"
        >
          {busy ? t('vault.unlock.unlocking') : t('vault.unlock.submit')}
        </button>
      </form>
    </section>
  );
}
