import { useTranslation } from 'react-i18next';
import { useAppStore } from '../../store/store-context';

/** On first run: the tour, offered and never imposed (the officer may go straight to set-up). */
export function TourOffer() {
  const { t } = useTranslation();
  const tourRequested = useAppStore((s) => s.tourRequested);
  return (
    <aside className="callout tour-offer" aria-labelledby="tour-offer-title" data-testid="tour-offer">
      <div>
        <strong id="tour-offer-title">{t('tour.offer.title')}</strong>
        <p>{t('tour.offer.body')}</p>
      </div>
      <button type="button" className="button" onClick={tourRequested} data-testid="tour-start">
        {t('tour.offer.start')}
      </button>
    </aside>
  );
}
