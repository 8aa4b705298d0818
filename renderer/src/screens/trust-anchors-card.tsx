import { useEffect, useState } from 'react';
import { useTranslation } from 'react-i18next';
import type { CallOutput } from '../../../shared/contract';
import { useEmbassyClient } from '../store/store-context';

type Anchor = CallOutput<'trust.anchors'>['anchors'][number];

/**
 * Settings: the trust anchors signatures are checked against now (the app's pinned ones, those
 * given at start, IT's policy), each with its subject, issuer, validity and fingerprint, so an
 * officer told "not issued by a trusted authority" can see what is trusted.
 */
export function TrustAnchorsCard() {
  const { t, i18n } = useTranslation();
  const client = useEmbassyClient();
  const [anchors, setAnchors] = useState<readonly Anchor[] | null>(null);
  const [failed, setFailed] = useState<string | null>(null);
  useEffect(() => {
    let live = true;
    void client.call('trust.anchors', {}).then((r) => {
      if (!live) return;
      if (r.ok) setAnchors(r.value.anchors);
      else setFailed(r.error.code);
    });
    return () => {
      live = false;
    };
  }, [client]);
  const date = new Intl.DateTimeFormat(i18n.language === 'vi' ? 'vi-VN' : 'en-GB', { dateStyle: 'medium' });
  return (
    <div className="card" data-testid="trust-anchors">
      <h2>{t('trust.title')}</h2>
      <p className="muted">{t('trust.intro')}</p>
      {failed && (
        <p className="callout callout-error" role="alert">
          {t(`errors.${failed}`)}
        </p>
      )}
      {anchors === null && !failed && <p className="muted">{t('documents.loading')}</p>}
      {anchors?.length === 0 && <p className="callout callout-warn">{t('trust.none')}</p>}
      {anchors && anchors.length > 0 && (
        <ul className="plain-list trust-list">
          {anchors.map((a) => (
            <li key={`${a.source}-${a.sha256}`} data-testid="trust-anchor">
              <strong>{a.subject}</strong> <span className="tag">{t(`trust.source.${a.source}`)}</span>
              <div className="muted">
                {t('sign.issuer')}: {a.issuer} ·{' '}
                {t('sign.validity', {
                  from: date.format(new Date(a.notBefore)),
                  to: date.format(new Date(a.notAfter)),
                })}
              </div>
              <div className="muted mono">
                SHA-256 <span translate="no">{a.sha256.match(/.{1,8}/g)?.join(' ')}</span>
              </div>
            </li>
          ))}
        </ul>
      )}
    </div>
  );
}
