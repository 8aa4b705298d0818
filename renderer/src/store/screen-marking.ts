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
 * subjects are shown); on the search results page, the highest among its hits; elsewhere
 * Unclassified. Never lower than what is visible.
 */
export function screenMarking(state: AppState, route: Route): Classification {
  if (state.vault?.state !== 'unlocked') return 'unclassified';
  // The results page shows subjects and snippets: the highest marking among its hits.
  if (route === 'search') return highestOf(state.searchPage.hits.map((h) => h.classification));
  if (route !== 'documents') return 'unclassified';
  if (state.openDocument) return state.openDocument.document.classification;
  return highestOf(Object.values(state.documentRows).map((row) => row.classification));
}

function highestOf(markings: readonly Classification[]): Classification {
  let highest = 0;
  for (const m of markings) highest = Math.max(highest, classificationRank(m));
  return CLASSIFICATIONS[highest] ?? 'unclassified';
}
