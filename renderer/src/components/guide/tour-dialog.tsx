import { useEffect, useRef, useState } from 'react';
import { useTranslation } from 'react-i18next';
import { useAppStore } from '../../store/store-context';
import { Dialog } from '../dialog';

/** The tour's steps, in order: four things an officer needs on the first day. */
export const TOUR_STEPS = ['vault', 'marking', 'sign', 'sync'] as const;

/**
 * A short tour (offered on first run, again from Help): one step at a time, Back and Next,
 * Skip at every step; Escape closes it like Skip. Each step's heading takes focus so a screen
 * reader reads the new step.
 */
export function TourDialog() {
  const { t } = useTranslation();
  const open = useAppStore((s) => s.guide === 'tour');
  const closed = useAppStore((s) => s.guideClosed);
  const [step, setStep] = useState(0);
  const heading = useRef<HTMLHeadingElement>(null);
  useEffect(() => {
    if (open) setStep(0);
  }, [open]);
  useEffect(() => {
    if (open) heading.current?.focus();
  }, [open, step]);
  const name = TOUR_STEPS[step] ?? 'vault';
  const last = step === TOUR_STEPS.length - 1;
  return (
    <Dialog
      open={open}
      title={t('tour.title')}
      onClose={closed}
      className="guide-dialog"
      testId="tour-dialog"
      actions={
        <>
          <button type="button" className="button tour-skip" onClick={closed} data-testid="tour-skip">
            {t('tour.skip')}
          </button>
          {step > 0 && (
            <button
              type="button"
              className="button"
              onClick={() => setStep(step - 1)}
              data-testid="tour-back"
            >
              {t('tour.back')}
            </button>
          )}
          <button
            type="button"
            className="button button-primary"
            onClick={() => (last ? closed() : setStep(step + 1))}
            data-testid="tour-next"
          >
            {last ? t('tour.done') : t('tour.next')}
          </button>
        </>
      }
    >
      {open && (
        <div className="tour-step" data-step={name} data-testid="tour-step">
          <p className="muted tour-count" aria-live="polite">
            {t('tour.stepOf', { n: step + 1, total: TOUR_STEPS.length })}
          </p>
          <h3 ref={heading} tabIndex={-1}>
            {t(`tour.steps.${name}.title`)}
          </h3>
          <p>{t(`tour.steps.${name}.body`)}</p>
        </div>
      )}
    </Dialog>
  );
}
