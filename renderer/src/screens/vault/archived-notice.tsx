import { useEffect, useRef } from 'react';
import { useTranslation } from 'react-i18next';
import { useAppStore } from '../../store/store-context';

/**
 * "Archived — Undo": the notice after archiving, until undone or dismissed. The document view
 * it replaces had the focus: it goes to Undo, so the keyboard user is where the action is.
 */
export function ArchivedNotice() {
  const { t } = useTranslation();
  const notice = useAppStore((s) => s.archivedNotice);
  const undoRef = useRef<HTMLButtonElement>(null);
  useEffect(() => {
    if (notice) undoRef.current?.focus();
  }, [notice]);
  const undo = useAppStore((s) => s.archiveUndone);
  const dismiss = useAppStore((s) => s.archivedNoticeDismissed);
  if (!notice) return null;
  return (
    <div className="callout notice-undo" role="status" data-testid="archived-notice">
      <span>{t('documents.archivedNotice', { subject: notice.subject })}</span>{' '}
      <button
        type="button"
        className="button"
        onClick={() => void undo()}
        data-testid="archive-undo"
        ref={undoRef}
      >
        {t('documents.undo')}
      </button>{' '}
      <button type="button" className="link-button" onClick={dismiss}>
        {t('common.close')}
      </button>
    </div>
  );
}
