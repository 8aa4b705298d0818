import { useTranslation } from 'react-i18next';
import type { ContactDetails } from '../../../../shared/contract/contact-calls';
import { useAppStore } from '../../store/store-context';
import { SafetyQr } from './safety-qr';
import { errorKey, groupHex, localeOf } from './sync-format';

/** Twelve groups of five digits, as the colleague's screen shows them. */
export function safetyGroups(digits: string): string[] {
  return digits.match(/\d{1,5}/g) ?? [];
}

/**
 * One colleague: the devices their token certificates vouch for, the pair's safety number in
 * digits and as a QR code, and the verified mark. A mark lost to a key change says so.
 */
export function ContactCard({ contact }: { contact: ContactDetails }) {
  const { t, i18n } = useTranslation();
  const busy = useAppStore((s) => s.contactBusy);
  const error = useAppStore((s) => s.contactError);
  const verify = useAppStore((s) => s.contactVerifyRequested);
  const unverify = useAppStore((s) => s.contactUnverifyRequested);
  const when = new Intl.DateTimeFormat(localeOf(i18n.language), { dateStyle: 'short', timeStyle: 'short' });
  const v = contact.verification;
  return (
    <section className="card contact-card" aria-labelledby="contact-title" data-testid="contact-card">
      <h2 id="contact-title">
        {contact.name} <span className="muted">&lt;{contact.address}&gt;</span>
      </h2>
      <p className={`contact-mark contact-mark-${v.state}`} data-testid="contact-verification" role="status">
        {v.state === 'verified'
          ? t('sync.contacts.verifiedAt', { when: when.format(new Date(v.verifiedAt)) })
          : v.state === 'changed'
            ? t('sync.contacts.changed', { when: when.format(new Date(v.lostAt)) })
            : t('sync.contacts.unverified')}
      </p>
      <h3>{t('sync.contacts.safetyNumber')}</h3>
      <p className="muted">{t('sync.contacts.compareHint', { me: contact.me })}</p>
      <div className="safety-number-row">
        <p
          className="safety-number mono"
          data-testid="safety-number"
          aria-label={t('sync.contacts.safetyNumber')}
        >
          {safetyGroups(contact.safetyNumber).map((g, i) => (
            <span key={i}>{g}</span>
          ))}
        </p>
        <SafetyQr text={contact.safetyQr} label={t('sync.contacts.qrLabel')} />
      </div>
      {error && (
        <p className="callout callout-error" role="alert" data-testid="contact-error">
          {t(errorKey(error.code))}
        </p>
      )}
      <div className="form-actions">
        {v.state === 'verified' ? (
          <button
            type="button"
            className="button"
            disabled={busy}
            onClick={() => void unverify()}
            data-testid="contact-unverify"
          >
            {t('sync.contacts.unverify')}
          </button>
        ) : (
          <button
            type="button"
            className="button button-primary"
            disabled={busy}
            onClick={() => void verify()}
            data-testid="contact-verify"
          >
            {t('sync.contacts.verify')}
          </button>
        )}
      </div>
      <h3>{t('sync.contacts.devices')}</h3>
      <ul className="contact-devices">
        {contact.devices.map((d) => (
          <li key={d.deviceId} data-testid="contact-device">
            <strong className="mono">{groupHex(d.deviceId).join(' ')}</strong>{' '}
            <span className={`state-badge state-${d.status}`}>{t(`sync.contacts.status.${d.status}`)}</span>
            <dl className="facts">
              <dt>{t('sync.warnings.certificate')}</dt>
              <dd>{d.certificate.subject}</dd>
              <dt>{t('sync.contacts.issuer')}</dt>
              <dd>{d.certificate.issuer}</dd>
              <dt>{t('sync.warnings.fingerprint')}</dt>
              <dd className="mono fingerprint">{groupHex(d.certificate.fingerprint).join(' ')}</dd>
            </dl>
          </li>
        ))}
      </ul>
    </section>
  );
}
