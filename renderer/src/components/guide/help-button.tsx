import { useEffect } from 'react';
import { useTranslation } from 'react-i18next';
import { useAppStore } from '../../store/store-context';

/**
 * The "?" in the top bar, and F1 anywhere (as in most desktop applications): opens the help
 * for the screen on show. F1 is taken from the browser, whose own help means nothing here.
 */
export function HelpButton() {
  const { t } = useTranslation();
  const helpRequested = useAppStore((s) => s.helpRequested);
  useEffect(() => {
    const onKey = (e: KeyboardEvent) => {
      if (e.key !== 'F1' || e.altKey || e.ctrlKey || e.metaKey || e.shiftKey) return;
      // A modal dialog open (a form, the PIN) keeps the officer's attention; its own text helps.
      if (document.querySelector('dialog[open]')) return;
      e.preventDefault();
      helpRequested();
    };
    window.addEventListener('keydown', onKey);
    return () => window.removeEventListener('keydown', onKey);
  }, [helpRequested]);
  return (
    <button
      type="button"
      className="button button-on-brand help-button"
      onClick={helpRequested}
      aria-keyshortcuts="F1"
      title={`${t('help.button')} (F1)`}
      data-testid="help-button"
    >
      <span aria-hidden="true">?</span> {t('help.button')}
    </button>
  );
}
