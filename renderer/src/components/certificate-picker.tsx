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
 * Radio list of the certificates from `token.list` (the sign form and the HQ enrolment share
 * it): holder, issuer, expiry, token; expired or non-signing ones shown but disabled.
 */
export function CertificatePicker({
  tokens,
  tokensError,
  options,
  selected,
  onChoose,
  name,
}: {
  tokens: readonly TokenListing[] | null;
  tokensError: ContractError | null;
  options: readonly CertificateOption[];
  selected: CertificateOption | undefined;
  onChoose: (value: string) => void;
  name: string;
}) {
  const { t, i18n } = useTranslation();
  const date = new Intl.DateTimeFormat(i18n.language === 'vi' ? 'vi-VN' : 'en-GB', { dateStyle: 'medium' });
  return (
    <fieldset className="cert-picker">
      <legend>{t('sign.certificate')}</legend>
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
              · {t('sign.issuer')}: {o.cert.issuer} · {t('sign.expires')}:{' '}
              {date.format(new Date(o.cert.notAfter))} · {o.token.label}
            </span>
            {o.expired && <span className="tag">{t('sign.expired')}</span>}
            {o.token.pinFinalTry && <span className="tag">{t('sign.pinFinalTry')}</span>}
          </span>
        </label>
      ))}
    </fieldset>
  );
}
