import { useTranslation } from 'react-i18next';
import { NavIcon } from '../components/icons';

export type Area = 'sync';

/**
 * An area whose capability is not configured on this workstation yet: says so plainly and
 * what the area is for, instead of showing empty controls that do nothing.
 */
export function AreaScreen({ area }: { area: Area }) {
  const { t } = useTranslation();
  return (
    <section className="screen" aria-labelledby={`${area}-title`}>
      <header className="screen-header">
        <h1 id={`${area}-title`}>{t(`nav.${area}`)}</h1>
      </header>
      <div className="empty-state">
        <NavIcon route={area} />
        <h2>{t('areas.notSetUp')}</h2>
        <p>{t(`areas.${area}`)}</p>
      </div>
    </section>
  );
}
