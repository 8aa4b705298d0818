import { useTranslation } from 'react-i18next';
import type { Classification } from '../../../shared/domain/classification';

/**
 * The classification marking as a full-width band: colour and text together (never colour
 * alone), the current language first and the other in small type, as bilingual markings are
 * printed on paper.
 */
export function ClassificationBanner({
  level,
  compact = false,
}: {
  level: Classification;
  compact?: boolean;
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
    >
      <span className="classification-primary">{label}</span>
      <span className="classification-secondary" lang={other}>
        {t(`classification.${level}`, { lng: other })}
      </span>
    </div>
  );
}
