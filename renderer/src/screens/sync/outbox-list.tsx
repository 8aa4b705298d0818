import { useEffect } from 'react';
import { useTranslation } from 'react-i18next';
import type { OutboxItem } from '../../../../shared/contract/sync-calls';
import { SyncIcon } from '../../components/sync-icons';
import { useShownMarking } from '../../components/use-shown-marking';
import { highest } from '../../store/screen-marking';
import { useAppStore } from '../../store/store-context';
import { errorKey, formatBytes, formatCount, localeOf } from './sync-format';

/**
 * What this workstation has queued for HQ, newest first: state as icon and words, progress
 * in bytes, attempts, the last error in the officer's language, Retry (failed) and Cancel
 * (queued or failed). Refreshed with every status poll while it is on screen.
 */
export function OutboxList() {
  const { t, i18n } = useTranslation();
  const items = useAppStore((s) => s.syncOutbox);
  const error = useAppStore((s) => s.syncOutboxError);
  const watched = useAppStore((s) => s.syncOutboxWatched);
  const directoryRequested = useAppStore((s) => s.syncDirectoryRequested);
  const lang = i18n.language;
  // The titles are on screen: the banner shows the highest marking among them.
  useShownMarking(items && items.length ? highest(items.map((i) => i.classification)) : null);

  useEffect(() => {
    watched(true);
    return () => watched(false);
  }, [watched]);
  // Recipients by name, not only by address: the directory as last verified (no I/O).
  useEffect(() => {
    void directoryRequested();
  }, [directoryRequested]);

  if (error)
    return (
      <p className="callout callout-error" role="alert">
        {t(errorKey(error.code))}
      </p>
    );
  if (!items) return <p className="muted">{t('documents.loading')}</p>;

  const count = (state: OutboxItem['state']) => items.filter((i) => i.state === state).length;
  const summary = t('sync.outbox.summary', {
    queued: formatCount(count('queued') + count('sending') + count('waiting'), lang),
    failed: formatCount(count('failed'), lang),
  });
  return (
    <div className="outbox">
      <p className="muted" aria-live="polite" data-testid="outbox-summary">
        {items.length === 0 ? t('sync.outbox.empty') : summary}
      </p>
      {items.length > 0 && (
        <ul className="outbox-list" aria-label={t('sync.outbox.title')}>
          {items.map((item) => (
            <OutboxRow key={item.id} item={item} />
          ))}
        </ul>
      )}
    </div>
  );
}

function OutboxRow({ item }: { item: OutboxItem }) {
  const { t, i18n } = useTranslation();
  const retry = useAppStore((s) => s.outboxRetryRequested);
  const cancel = useAppStore((s) => s.outboxCancelRequested);
  const name = useAppStore(
    (s) => s.syncDirectory?.officers.find((o) => o.address === item.recipientAddress)?.name,
  );
  const lang = i18n.language;
  const when = new Intl.DateTimeFormat(localeOf(lang), { dateStyle: 'short', timeStyle: 'short' });
  const title = item.title || t(`sync.outbox.untitled.${item.kind}`);
  const percent = item.bytes === 0 ? 100 : Math.round((item.sentBytes / item.bytes) * 100);
  return (
    <li className={`outbox-item outbox-${item.state}`} data-testid="outbox-item" data-state={item.state}>
      <div className="outbox-head">
        <strong className="outbox-title">{title}</strong>
        <span className={`outbox-state state-${item.state}`}>
          <SyncIcon name={item.state} />
          {t(`sync.outbox.state.${item.state}`)}
        </span>
      </div>
      <div className="muted">
        {t('sync.outbox.to')}: {name ? `${name} <${item.recipientAddress}>` : item.recipientAddress} ·{' '}
        {t(`sync.outbox.kind.${item.kind}`)} · {when.format(new Date(item.createdAt))}
        {item.attempts > 0 && (
          <> · {t('sync.outbox.attempts', { count: item.attempts, n: formatCount(item.attempts, lang) })}</>
        )}
      </div>
      {item.state === 'sent' ? (
        // Done: when HQ accepted it says more than a full progress bar.
        <div className="outbox-sent-at" data-testid="outbox-sent-at">
          {t('sync.outbox.sentAt', {
            when: when.format(new Date(item.sentAt ?? item.createdAt)),
            size: formatBytes(item.bytes, lang),
          })}
        </div>
      ) : (
        item.state !== 'cancelled' &&
        item.state !== 'waiting' && (
          <div className="outbox-progress">
            <progress
              max={Math.max(item.bytes, 1)}
              value={item.bytes === 0 ? 1 : item.sentBytes}
              aria-label={t('sync.outbox.progressLabel', { title })}
              aria-valuetext={t('sync.outbox.progress', {
                sent: formatBytes(item.sentBytes, lang),
                total: formatBytes(item.bytes, lang),
                percent: formatCount(percent, lang),
              })}
            />
            <span>
              {t('sync.outbox.progress', {
                sent: formatBytes(item.sentBytes, lang),
                total: formatBytes(item.bytes, lang),
                percent: formatCount(percent, lang),
              })}
            </span>
          </div>
        )
      )}
      {item.lastError && item.state !== 'sent' && (
        <p className="outbox-error" data-testid="outbox-error">
          <SyncIcon name="warning" /> {t(errorKey(item.lastError.code))}
        </p>
      )}
      {(item.state === 'failed' || item.state === 'queued' || item.state === 'waiting') && (
        <div className="outbox-actions">
          {item.state === 'failed' && (
            <button
              type="button"
              className="button"
              onClick={() => void retry(item.id)}
              aria-label={t('sync.outbox.retryLabel', { title })}
            >
              {t('sync.outbox.retry')}
            </button>
          )}
          <button
            type="button"
            className="button"
            onClick={() => void cancel(item.id)}
            aria-label={t('sync.outbox.cancelLabel', { title })}
          >
            {t('sync.outbox.cancel')}
          </button>
        </div>
      )}
    </li>
  );
}
