import { useRef, useState, type KeyboardEvent } from 'react';
import { useTranslation } from 'react-i18next';
import type { SyncStatus } from '../../../../shared/contract/sync-calls';
import { SyncIcon } from '../../components/sync-icons';
import { useNow } from '../../components/use-now';
import { useAppStore } from '../../store/store-context';
import { ComposeForm } from './compose-form';
import { ContactsPanel } from './contacts-panel';
import { EnrolmentForm } from './enrolment-form';
import { OutboxList } from './outbox-list';
import { errorKey, formatBytes, formatCount, groupHex, localeOf, relativeTime } from './sync-format';

/**
 * Sync with HQ, by enrolment state: the enrolment form; waiting for HQ's approval (device id
 * to read out, "check now"); revoked; or, once approved, the link, warnings, the outbox and
 * a composer. Lives behind the vault gate: enrolment keys and the outbox are in the vault.
 */
export function SyncScreen() {
  const { t } = useTranslation();
  const status = useAppStore((s) => s.syncStatus);
  return (
    <section className="screen screen-wide sync-screen" aria-labelledby="sync-title">
      <header className="screen-header">
        <h1 id="sync-title">{t('sync.title')}</h1>
        <p className="lead">{t('sync.intro')}</p>
      </header>
      {!status ? (
        <p className="muted">{t('status.checking')}</p>
      ) : status.enrolment === 'none' || status.enrolment === 'locked' ? (
        <EnrolmentForm />
      ) : status.enrolment === 'pending' ? (
        <PendingApproval status={status} />
      ) : status.enrolment === 'revoked' ? (
        <>
          <div className="callout callout-error revoked" role="alert" data-testid="sync-revoked">
            <h2>
              <SyncIcon name="revoked" /> {t('sync.revoked.title')}
            </h2>
            <p>{t('sync.revoked.body')}</p>
          </div>
          <h2>{t('sync.outbox.title')}</h2>
          <OutboxList />
        </>
      ) : (
        <Approved status={status} />
      )}
    </section>
  );
}

/** What to read to HQ IT over the phone, and a way to ask again without waiting. */
function PendingApproval({ status }: { status: SyncStatus }) {
  const { t } = useTranslation();
  const error = useAppStore((s) => s.syncActionError);
  return (
    <div className="card pending-approval" data-testid="sync-pending">
      <h2>
        <SyncIcon name="pending" /> {t('sync.pending.title')}
      </h2>
      <p>{t('sync.pending.body')}</p>
      {status.deviceId && (
        <div className="device-id">
          <div className="field-hint" id="device-id-label">
            {t('sync.pending.deviceId')}
          </div>
          <p className="device-id-groups mono" aria-labelledby="device-id-label" data-testid="device-id">
            {groupHex(status.deviceId).map((g, i) => (
              <span key={i}>{g}</span>
            ))}
          </p>
        </div>
      )}
      {status.hq && (
        <dl className="facts">
          <dt>{t('sync.enrol.url.label')}</dt>
          <dd>{status.hq.url}</dd>
          {status.address && (
            <>
              <dt>{t('sync.address')}</dt>
              <dd>{status.address}</dd>
            </>
          )}
        </dl>
      )}
      {error && (
        <p className="callout callout-error" role="alert">
          {t(errorKey(error.code))}
        </p>
      )}
      <div className="form-actions">
        <SyncNowButton testId="sync-check-now" label={t('sync.pending.checkNow')} />
      </div>
    </div>
  );
}

/** "Sync now" / "Check now": one round at once, the button busy until it ends. */
function SyncNowButton({ testId, label, icon = false }: { testId: string; label: string; icon?: boolean }) {
  const { t } = useTranslation();
  const now = useAppStore((s) => s.syncNowRequested);
  const [busy, setBusy] = useState(false);
  return (
    <button
      type="button"
      className="button button-primary"
      disabled={busy}
      onClick={() => {
        setBusy(true);
        void now().finally(() => setBusy(false));
      }}
      data-testid={testId}
    >
      {icon && (
        <>
          <SyncIcon name="syncing" />{' '}
        </>
      )}
      {busy ? t('sync.checking') : label}
    </button>
  );
}

type Tab = 'outbox' | 'compose' | 'contacts';
const TABS: readonly Tab[] = ['outbox', 'compose', 'contacts'];

function Approved({ status }: { status: SyncStatus }) {
  const { t, i18n } = useTranslation();
  const actionError = useAppStore((s) => s.syncActionError);
  const [tab, setTab] = useState<Tab>('outbox');
  const tabRefs = useRef<Record<Tab, HTMLButtonElement | null>>({
    outbox: null,
    compose: null,
    contacts: null,
  });
  const contactOpened = useAppStore((s) => s.contactOpened);
  const openContact = (address: string) => {
    setTab('contacts');
    void contactOpened(address);
  };
  const lang = i18n.language;
  const clock = useNow(15_000);

  // Tabs as the ARIA pattern has them: one tab stop, arrows move, Home/End jump.
  const onTabKey = (e: KeyboardEvent) => {
    const i = TABS.indexOf(tab);
    const next =
      e.key === 'ArrowRight'
        ? TABS[(i + 1) % TABS.length]
        : e.key === 'ArrowLeft'
          ? TABS[(i + TABS.length - 1) % TABS.length]
          : e.key === 'Home'
            ? TABS[0]
            : e.key === 'End'
              ? TABS[TABS.length - 1]
              : undefined;
    if (!next) return;
    e.preventDefault();
    setTab(next);
    tabRefs.current[next]?.focus();
  };

  return (
    <>
      <div className="card sync-summary">
        <dl className="facts">
          <dt>{t('status.connection')}</dt>
          <dd className={`connection-${status.connection}`} data-testid="sync-connection">
            <SyncIcon name={status.connection} /> {t(`sync.connection.${status.connection}`)}
          </dd>
          <dt>{t('sync.lastSync')}</dt>
          <dd>
            {status.lastSyncAt === undefined
              ? t('sync.never')
              : `${relativeTime(status.lastSyncAt, clock, lang)} (${new Intl.DateTimeFormat(localeOf(lang), {
                  dateStyle: 'short',
                  timeStyle: 'medium',
                }).format(new Date(status.lastSyncAt))})`}
          </dd>
          <dt>{t('status.pending')}</dt>
          <dd>
            {status.pending.count === 0
              ? t('sync.outboxEmpty')
              : t('sync.pendingSummary', {
                  count: status.pending.count,
                  n: formatCount(status.pending.count, lang),
                  size: formatBytes(status.pending.bytes, lang),
                })}
          </dd>
          {status.address && (
            <>
              <dt>{t('sync.address')}</dt>
              <dd>{status.address}</dd>
            </>
          )}
          {status.rejected > 0 && (
            <>
              <dt>{t('sync.rejected')}</dt>
              <dd>{formatCount(status.rejected, lang)}</dd>
            </>
          )}
        </dl>
        {status.lastError && <p className="callout callout-warn">{t(errorKey(status.lastError.code))}</p>}
        {actionError && (
          <p className="callout callout-error" role="alert">
            {t(errorKey(actionError.code))}
          </p>
        )}
        <div className="form-actions">
          <SyncNowButton testId="sync-now" label={t('sync.syncNow')} icon />
        </div>
      </div>

      {status.warnings.length > 0 && <Warnings status={status} onOpenContact={openContact} />}

      <div className="tabs" role="tablist" aria-label={t('sync.title')}>
        {TABS.map((name) => (
          <button
            key={name}
            ref={(el) => {
              tabRefs.current[name] = el;
            }}
            type="button"
            role="tab"
            id={`sync-tab-${name}`}
            aria-selected={tab === name}
            aria-controls={`sync-panel-${name}`}
            tabIndex={tab === name ? 0 : -1}
            className="tab"
            onClick={() => setTab(name)}
            onKeyDown={onTabKey}
            data-testid={`sync-tab-${name}`}
          >
            {t(`sync.tabs.${name}`)}
          </button>
        ))}
      </div>
      <div
        className="tab-panel"
        role="tabpanel"
        id={`sync-panel-${tab}`}
        aria-labelledby={`sync-tab-${tab}`}
        tabIndex={0}
      >
        {tab === 'outbox' ? <OutboxList /> : tab === 'compose' ? <ComposeForm /> : <ContactsPanel />}
      </div>
    </>
  );
}

/**
 * What changed about contacts' devices (added, removed, revoked, keys or certificate changed, a
 * verified mark lost) or a device refused, each naming the certificate that vouches for the
 * device, with a way to compare the safety number at once.
 */
function Warnings({
  status,
  onOpenContact,
}: {
  status: SyncStatus;
  onOpenContact: (address: string) => void;
}) {
  const { t, i18n } = useTranslation();
  const when = new Intl.DateTimeFormat(localeOf(i18n.language), { dateStyle: 'short', timeStyle: 'short' });
  return (
    <section className="card sync-warnings" aria-labelledby="sync-warnings-title" data-testid="sync-warnings">
      <h2 id="sync-warnings-title">
        <SyncIcon name="warning" /> {t('sync.warnings.title')}
      </h2>
      <ul className="plain-list">
        {status.warnings.map((w) => (
          <li key={`${w.kind}-${w.address}-${w.deviceId}-${w.at}`}>
            <strong>
              {t(
                w.kind === 'device-added' && w.address === status.address
                  ? 'sync.warnings.own-device-added'
                  : `sync.warnings.${w.kind}`,
              )}
            </strong>{' '}
            — {w.address}{' '}
            <span className="muted">
              ({t('sync.warnings.device')} {groupHex(w.deviceId).slice(0, 2).join(' ')}… ·{' '}
              {when.format(new Date(w.at))})
            </span>
            {w.certificate && (
              <span className="warning-certificate" data-testid="warning-certificate">
                {t('sync.warnings.certificate')} {w.certificate.subject} ({t('sync.warnings.issuer')}{' '}
                {w.certificate.issuer}) · {t('sync.warnings.fingerprint')}{' '}
                <span className="mono">{groupHex(w.certificate.fingerprint).slice(0, 4).join(' ')}…</span>
              </span>
            )}
            {w.kind !== 'device-refused' && w.address !== status.address && (
              <button
                type="button"
                className="button"
                onClick={() => onOpenContact(w.address)}
                data-testid="warning-compare"
              >
                {t('sync.contacts.compare')}
              </button>
            )}
          </li>
        ))}
      </ul>
    </section>
  );
}
