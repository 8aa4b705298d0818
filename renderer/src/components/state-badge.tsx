import { useTranslation } from 'react-i18next';
import type { PartHealth } from '../../../shared/contract/calls';

/**
 * A part's state as a coloured dot plus words (colour is never the only signal); `label`
 * gives finer words than the state's own (e.g. "Online" for the HQ link).
 */
export function StateBadge({ state, label }: { state: PartHealth['state']; label?: string }) {
  const { t } = useTranslation();
  return (
    <span className={`state-badge state-${state}`} data-state={state}>
      <span className="state-dot" aria-hidden="true" />
      {label ?? t(`state.${state}`)}
    </span>
  );
}
