import { useTranslation } from 'react-i18next';
import { helpContext } from '../../store/help-context';
import { useAppStore } from '../../store/store-context';
import { Dialog } from '../dialog';

/** The questions an officer who is not an IT specialist asks most, on every screen. */
const QUESTIONS = ['marking', 'valid', 'token'] as const;

/**
 * Contextual help (F1 or the "?" button): what this screen is for, then the common questions,
 * the keys, and the tour again. A native modal dialog: focus trapped, Escape closes.
 */
export function HelpDialog() {
  const { t } = useTranslation();
  const open = useAppStore((s) => s.guide === 'help');
  const context = useAppStore(helpContext);
  const closed = useAppStore((s) => s.guideClosed);
  const tourRequested = useAppStore((s) => s.tourRequested);
  return (
    <Dialog
      open={open}
      title={t('help.title')}
      onClose={closed}
      className="guide-dialog"
      testId="help-dialog"
      actions={
        <>
          <button type="button" className="button" onClick={tourRequested} data-testid="help-tour">
            {t('help.startTour')}
          </button>
          <button type="button" className="button button-primary" onClick={closed} data-testid="help-close">
            {t('common.close')}
          </button>
        </>
      }
    >
      {open && (
        <>
          <h3>{t('help.onThisScreen')}</h3>
          <p data-testid="help-context" data-context={context}>
            {t(`help.context.${context}`)}
          </p>
          <h3>{t('help.questions')}</h3>
          {QUESTIONS.map((q) => (
            <details key={q} className="help-question" data-testid={`help-q-${q}`}>
              <summary>{t(`help.q.${q}.title`)}</summary>
              <p>{t(`help.q.${q}.body`)}</p>
            </details>
          ))}
          <p className="muted help-keys">{t('help.keys')}</p>
        </>
      )}
    </Dialog>
  );
}
