import { highestClassification, type Classification } from '../../../shared/domain/classification';
import type { AppState } from './app-store';
import type { Route } from './routes';

/**
 * The marking of what is on screen, for the banner at the top of the window: the highest of
 * - on Documents, the open document's own classification, or in the list the highest among
 *   the rows loaded (their subjects are shown);
 * - on Messages, the highest among the threads listed (their subjects are shown) and the open
 *   thread's messages (each has its own marking);
 * - the search results, while the search box shows them, and on the results page (each hit
 *   carries its document's marking);
 * - whatever a mounted view declared it shows (`shownMarkings`: dialogs, the Sign screen's
 *   candidates, a text attachment), whatever the route.
 * Unclassified while the vault is not open (nothing from it is on screen). Never lower than
 * what is visible: a view that shows vault content declares it.
 */
export function screenMarking(state: AppState, route: Route): Classification {
  if (state.vault?.state !== 'unlocked') return 'unclassified';
  const levels: Classification[] = [...Object.values(state.shownMarkings)];
  if (route === 'documents') {
    if (state.openDocument) levels.push(state.openDocument.document.classification);
    else for (const row of Object.values(state.documentRows)) levels.push(row.classification);
  }
  if (route === 'messages') {
    for (const thread of state.threads ?? []) levels.push(thread.classification);
    for (const message of state.threadMessages) levels.push(message.classification);
  }
  if (state.searchQuery.trim().length > 0)
    for (const hit of state.searchHits) levels.push(hit.classification);
  if (route === 'search') for (const hit of state.searchPage.hits) levels.push(hit.classification);
  return highest(levels);
}

/** The highest of these markings; Unclassified for none. */
export const highest = (levels: readonly Classification[]): Classification => highestClassification(levels);
