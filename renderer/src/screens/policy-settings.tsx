import { Fragment, type ChangeEvent } from 'react';
import { useTranslation } from 'react-i18next';
import type { PolicyPayload } from '../../../shared/it/policy-document';
import { useAppStore } from '../store/store-context';

/** Most files IT signs are a few KiB; the core refuses anything over 4 MiB anyway. */
const MAX_FILE_BYTES = 4 * 1024 * 1024;

/**
 * The IT policy card in Settings: what is in force (or that nothing is), and import from a file
 * (a USB stick). The file's text goes to the core, which alone verifies it; a refusal says why
 * and that the policy in force stays.
 */
export function PolicySettings() {
  const { t } = useTranslation();
  const status = useAppStore((s) => s.policy);
  const outcome = useAppStore((s) => s.policyImport);
  const busy = useAppStore((s) => s.policyBusy);
  const fileChosen = useAppStore((s) => s.policyFileChosen);
  const policy = status?.policy ?? null;

  const onFile = (e: ChangeEvent<HTMLInputElement>) => {
    const file = e.target.files?.[0];
    e.target.value = '';
    if (!file || file.size > MAX_FILE_BYTES) return;
    void file.text().then((text) => fileChosen(text));
  };

  return (
    <div className="card" data-testid="policy-card">
      <h2>{t('policy.title')}</h2>
      {!policy ? (
        <p className="muted" data-testid="policy-state">
          {status?.rootVersion === null ? t('policy.noRoot') : t('policy.none')}
        </p>
      ) : (
        <>
          <p
            data-testid="policy-state"
            className={status?.state === 'expired' ? 'callout callout-warn' : undefined}
          >
            {t(status?.state === 'expired' ? 'policy.expired' : 'policy.inForce', {
              version: policy.version,
              expires: new Date(policy.expires).toLocaleDateString(),
            })}
          </p>
          <PolicyFacts policy={policy} rootVersion={status?.rootVersion ?? null} />
        </>
      )}
      <div className="field">
        <label htmlFor="policy-file">{t('policy.import')}</label>
        <div className="field-hint">{t('policy.importHint')}</div>
        <input
          id="policy-file"
          type="file"
          accept=".json,application/json"
          disabled={busy}
          onChange={onFile}
          data-testid="policy-file"
        />
      </div>
      {outcome?.kind === 'refused' && (
        <p className="callout callout-error" role="alert" data-testid="policy-outcome">
          {t('policy.refused', { reason: t(`errors.${outcome.error.code}`) })}
        </p>
      )}
      {outcome && outcome.kind !== 'refused' && (
        <p className="callout" role="status" data-testid="policy-outcome">
          {t(outcome.kind === 'applied' ? 'policy.applied' : 'policy.unchanged', {
            version: outcome.version,
          })}
        </p>
      )}
    </div>
  );
}

function PolicyFacts({ policy, rootVersion }: { policy: PolicyPayload; rootVersion: number | null }) {
  const { t } = useTranslation();
  const drivers = policy.pkcs11.allowed.map((d) => ('id' in d ? d.id : d.path)).join(', ');
  const rows: [string, string][] = [
    [t('policy.hq'), policy.hq.url],
    [t('policy.hqFingerprint'), `${policy.hq.certSha256.slice(0, 16)}…`],
    [t('policy.anchors'), t('policy.anchorCount', { count: policy.signing.trustAnchors.length })],
    [t('policy.drivers'), drivers],
    [t('policy.idleLock'), t('vault.minutes', { count: policy.idleLockMinutes })],
    [t('policy.passphrase'), t(policy.passphraseProfiles ? 'policy.allowed' : 'policy.notAllowed')],
    [t('policy.escrow'), t(policy.escrowKey ? 'policy.on' : 'policy.off')],
    [t('policy.tsa'), policy.tsaUrl ?? t('policy.off')],
    [t('policy.updates'), `${policy.updates.channel} · ${policy.updates.url}`],
    [t('policy.audit'), t('vault.minutes', { count: policy.auditUploadMinutes })],
    [t('policy.minimumVersion'), policy.minimumAppVersion],
    [t('policy.root'), rootVersion === null ? '—' : String(rootVersion)],
  ];
  return (
    <dl className="facts">
      {rows.map(([k, v]) => (
        <Fragment key={k}>
          <dt>{k}</dt>
          <dd>{v}</dd>
        </Fragment>
      ))}
    </dl>
  );
}
