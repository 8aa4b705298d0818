import { useEffect, type RefObject } from 'react';
import { escapeLeaves } from './escape-leaves';

/**
 * Escape leaves a view (e.g. back from a document to the list) when it was pressed in that
 * view or on the page itself, and nothing else took it: an open dialog closes first, a field
 * or menu that handles Escape keeps it.
 */
export function useLeaveOnEscape(view: RefObject<HTMLElement | null>, leave: () => void): void {
  useEffect(() => {
    const onKey = (e: KeyboardEvent) => {
      if (escapeLeaves(e, view.current, document)) {
        e.preventDefault();
        leave();
      }
    };
    window.addEventListener('keydown', onKey);
    return () => window.removeEventListener('keydown', onKey);
  }, [view, leave]);
}
