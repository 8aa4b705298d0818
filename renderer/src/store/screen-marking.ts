import {
  CLASSIFICATIONS,
  classificationRank,
  type Classification,
} from '../../../shared/domain/classification';
import type { AppState } from './app-store';
import type { Route } from './routes';

/**
 * The marking of what is on screen, for the banner at the top of the window: an open
 * document's own classification; in the list, the highest among the rows loaded (their
 * subjects are shown); elsewhere Unclassified. Never lower than what is visible.
 */
export function screenMarking(state: AppState, route: Route): Classification {
  if (route !== 'documents' || state.vault?.state !== 'unlocked') return 'unclassified';
  if (state.openDocument) return state.openDocument.document.classification;
  let highest = 0;
  for (const row of Object.values(state.documentRows)) {
    highest = Math.max(highest, classificationRank(row.classification));
  }
  return CLASSIFICATIONS[highest] ?? 'unclassified';
}
