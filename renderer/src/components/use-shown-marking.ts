import { useEffect, useId } from 'react';
import type { Classification } from '../../../shared/domain/classification';
import { useAppStore } from '../store/store-context';

/**
 * Declares the marking of what this component shows, for the page banner, while it is mounted
 * and `marking` is not null (a closed dialog shows nothing).
 */
export function useShownMarking(marking: Classification | null): void {
  const key = useId();
  const shown = useAppStore((s) => s.markingShown);
  const hidden = useAppStore((s) => s.markingHidden);
  useEffect(() => {
    if (marking === null) return;
    shown(key, marking);
    return () => hidden(key);
  }, [key, marking, shown, hidden]);
}
