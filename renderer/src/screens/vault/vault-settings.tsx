import { useState } from 'react';
import { useTranslation } from 'react-i18next';
import { Dialog } from '../../components/dialog';
import { SelectField, TextField } from '../../components/field';
import { isManaged } from '../../store/slices/policy-slice';
import { useAppStore } from '../../store/store-context';
import { wipeWordMatches } from './wipe-word';

const IDLE_CHOICES = [300, 600, 900, 1800, 3600];

/** The vault part of Settings: auto-lock delay, sample data, and the guarded emergency wipe. */
export function VaultSettings() {
  const { t } = useTranslation();
  const vault = useAppStore((s) => s.vault);
  const busy = useAppStore((s) => s.vaultBusy);
  const error = useAppStore((s) => s.vaultError);
  const idleTimeoutChosen = useAppStore((s) => s.idleTimeoutChosen);
  const idleSetByIt = useAppStore((s) => isManaged(s.policy, 'idleLock'));
  const wipeConfirmed = useAppStore((s) => s.wipeConfirmed);
  const [wiping, setWiping] = useState(false);
  const [typed, setTyped] = useState('');
  const [wiped, setWiped] = useState<{ elapsedMs: number; hq: 'told' | 'not-told' | 'not-enrolled' } | null>(
    null,
  );
  const word = t('vault.wipe.word');

  if (!vault || vault.state === 'absent') {
    return wiped !== null ? (
      <div className="card" role="status" data-testid="wiped">
        <h2>{t('vault.wipe.doneTitle')}</h2>
        <p>{t('vault.wipe.doneBody', { ms: Math.round(wiped.elapsedMs) })}</p>
        <p data-testid="wiped-hq" className={wiped.hq === 'not-told' ? 'callout callout-error' : undefined}>
          {t(`vault.wipe.hq.${wiped.hq}`)}
        </p>
      </div>
    ) : null;
  }

  return (
    <>
      <div className="card">
        <h2>{t('vault.settingsTitle')}</h2>
        <p className="muted">
          {vault.profile === 'token'
            ? t('vault.boundToToken', { label: vault.token?.label ?? '', holder: vault.token?.holder ?? '' })
            : t('vault.passphraseProfile')}
        </p>
        {vault.state === 'unlocked' && (
          <SelectField
            label={
              <>
                {t('vault.idleTimeout')}
                {idleSetByIt && (
                  <span className="tag" data-testid="set-by-it">
                    {t('policy.setByIt')}
                  </span>
                )}
              </>
            }
            hint={idleSetByIt ? t('policy.setByItHint') : t('vault.idleHint')}
            disabled={idleSetByIt}
            value={String(vault.idleTimeoutSeconds)}
            onChange={(e) => void idleTimeoutChosen(Number(e.target.value))}
          >
            {[...new Set([...IDLE_CHOICES, vault.idleTimeoutSeconds])]
              .sort((a, b) => a - b)
              .map((s) => (
                <option key={s} value={s}>
                  {t('vault.minutes', { count: Math.round(s / 60) })}
                </option>
              ))}
          </SelectField>
        )}
      </div>
      <div className="card danger-zone">
        <h2>{t('vault.wipe.title')}</h2>
        <p>{t('vault.wipe.body')}</p>
        <button
          type="button"
          className="button button-danger"
          onClick={() => setWiping(true)}
          data-testid="wipe"
        >
          {t('vault.wipe.button')}
        </button>
      </div>
      <Dialog
        open={wiping}
        tone="danger"
        title={t('vault.wipe.confirmTitle')}
        onClose={() => {
          setWiping(false);
          setTyped('');
        }}
        actions={
          <>
            <button type="button" className="button" onClick={() => setWiping(false)}>
              {t('common.cancel')}
            </button>
            <button
              type="button"
              className="button button-danger"
              disabled={!wipeWordMatches(typed, word) || busy}
              data-testid="wipe-confirm"
              onClick={() =>
                void wipeConfirmed().then((r) => {
                  setWiping(false);
                  setTyped('');
                  if (r) setWiped(r);
                })
              }
            >
              {t('vault.wipe.confirmButton')}
            </button>
          </>
        }
      >
        <p>{t('vault.wipe.confirmBody')}</p>
        <TextField
          label={t('vault.wipe.typeWord', { word })}
          value={typed}
          onChange={(e) => setTyped(e.target.value)}
          autoComplete="off"
          data-testid="wipe-word"
          error={error ? t(`errors.${error.code}`) : null}
        />
      </Dialog>
    </>
  );
}
