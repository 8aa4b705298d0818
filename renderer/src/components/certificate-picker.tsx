import { useTranslation } from 'react-i18next';
import type { ContractError } from '../../../shared/contract/errors';
import type { TokenListing } from '../store/slices/signing-slice';

/** A signing certificate on an inserted token, as the officer picks it. */
export interface CertificateOption {
  token: TokenListing;
  cert: TokenListing['certificates'][number];
  value: string;
  expired: boolean;
  usable: boolean;
}

/** End-entity certificates of every token; usable ones can sign and are not expired. */
export function certificateOptions(
  tokens: readonly TokenListing[] | null,
  now = new Date(),
): CertificateOption[] {
  return (tokens ?? []).flatMap((tok) =>
    tok.certificates
      .filter((c) => !c.isCa)
      .map((c) => {
        const expired = new Date(c.notAfter) < now;
        return {
          token: tok,
          cert: c,
          value: `${tok.serial}|${c.keyId}`,
          expired,
          usable: c.canSign && !expired,
        };
      }),
  );
}

/** The chosen option, or the first usable one when nothing was chosen. */
export function selectedCertificate(options: readonly CertificateOption[], choice: string) {
  return options.find((o) => o.value === choice) ?? options.find((o) => o.usable);
}

/**
 * Radio list of the certificates from `token.list` (the sign form, first run and the HQ
 * enrolment share it): holder, issuer, validity, key type, token; expired or non-signing ones
 * shown but disabled. An error about the certificate (untrusted, expired, token gone) is
 * shown here, where it belongs, not under the PIN.
 */
export function CertificatePicker({
  tokens,
  tokensError,
  options,
  selected,
  onChoose,
  name,
  error = null,
  legend,
}: {
  tokens: readonly TokenListing[] | null;
  tokensError: ContractError | null;
  options: readonly CertificateOption[];
  selected: CertificateOption | undefined;
  onChoose: (value: string) => void;
  name: string;
  /** An error about the chosen certificate, already in the interface's language. */
  error?: string | null;
  legend?: string;
}) {
  const { t, i18n } = useTranslation();
  const date = new Intl.DateTimeFormat(i18n.language === 'vi' ? 'vi-VN' : 'en-GB', { dateStyle: 'medium' });
  return (
    <fieldset className="cert-picker" aria-invalid={error ? true : undefined}>
      <legend>{legend ?? t('sign.certificate')}</legend>
      {tokens === null && <p className="muted">{t('sign.lookingForTokens')}</p>}
      {tokensError && (
        <p className="callout callout-error" role="alert">
          {t(`errors.${tokensError.code}`)}
        </p>
      )}
      {tokens !== null && options.length === 0 && !tokensError && (
        <p className="muted">{t('sign.noTokens')}</p>
      )}
      {options.map((o) => (
        <label key={o.value} className={`cert-option${o.usable ? '' : ' is-disabled'}`}>
          <input
            type="radio"
            name={name}
            value={o.value}
            checked={selected?.value === o.value}
            disabled={!o.usable}
            onChange={() => onChoose(o.value)}
          />
          <span>
            <strong>{o.cert.holder}</strong>
            <span className="muted">
              {' '}
              · {t('sign.issuer')}: {o.cert.issuer} ·{' '}
              {t('sign.validity', {
                from: date.format(new Date(o.cert.notBefore)),
                to: date.format(new Date(o.cert.notAfter)),
              })}{' '}
              · {t(`sign.keyType.${o.cert.keyType}`)} · {o.token.label || t('sign.tokenNoLabel')}
            </span>
            {o.expired && <span className="tag">{t('sign.expired')}</span>}
            {!o.cert.canSign && <span className="tag">{t('sign.notForSigning')}</span>}
            {o.token.pinLocked ? (
              <span className="tag">{t('sign.pinLockedTag')}</span>
            ) : o.token.pinFinalTry ? (
              <span className="tag">{t('sign.pinFinalTry')}</span>
            ) : null}
          </span>
        </label>
      ))}
      {error && (
        <p className="field-error" role="alert" data-testid="certificate-error">
          {error}
        </p>
      )}
    </fieldset>
  );
}
