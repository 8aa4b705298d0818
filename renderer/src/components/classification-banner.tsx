import { useTranslation } from 'react-i18next';
import type { Classification } from '../../../shared/domain/classification';

/**
 * The classification marking as a full-width band: colour and text together (never colour
 * alone), the current language first and the other in small type, as bilingual markings are
 * printed on paper. The page's own banner (`live`) sits outside the landmarks, above the header:
 * it is a polite live region, so a screen reader hears when the marking on screen changes
 * (and axe counts it as a region of its own).
 */
export function ClassificationBanner({
  level,
  compact = false,
  live = false,
}: {
  level: Classification;
  compact?: boolean;
  live?: boolean;
}) {
  const { t, i18n } = useTranslation();
  const other = i18n.language === 'vi' ? 'en' : 'vi';
  const label = t(`classification.${level}`);
  return (
    <div
      className={`classification-banner classification-${level}${compact ? ' is-compact' : ''}`}
      role="note"
      aria-label={t('classification.label', { level: label })}
      data-classification={level}
      aria-live={live ? 'polite' : undefined}
    >
      <span className="classification-primary">{label}</span>
      <span className="classification-secondary" lang={other}>
        {t(`classification.${level}`, { lng: other })}
      </span>
    </div>
  );
}
