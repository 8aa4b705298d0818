import { useTranslation } from 'react-i18next';
import type { PartHealth } from '../../../shared/contract/calls';

/** A part's state as a coloured dot plus words (colour is never the only signal). */
export function StateBadge({ state }: { state: PartHealth['state'] }) {
  const { t } = useTranslation();
  return (
    <span className={`state-badge state-${state}`} data-state={state}>
      <span className="state-dot" aria-hidden="true" />
      {t(`state.${state}`)}
    </span>
  );
}
