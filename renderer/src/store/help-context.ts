import type { Route } from './routes';

/** Which screen the officer is looking at, for help: the route, refined by what the gate shows. */
export type HelpContext =
  | 'firstRun'
  | 'unlock'
  | 'documents'
  | 'document'
  | 'messages'
  | 'search'
  | 'sign'
  | 'sync'
  | 'settings'
  | 'about';

/** Screens behind the vault gate: first run or unlock until the vault is open. */
const GATED: ReadonlySet<Route> = new Set(['documents', 'messages', 'search', 'sync']);

/**
 * The help for what is on screen, read from the same state the screens render from: the gate
 * (vault absent or onboarding: first run; locked: unlock), then an open document over the list.
 */
export function helpContext(s: {
  route: Route;
  vault: { state: 'absent' | 'locked' | 'unlocked' } | null;
  onboarding: boolean;
  openDocument: unknown;
}): HelpContext {
  if (GATED.has(s.route) && s.vault) {
    if (s.vault.state === 'absent' || (s.onboarding && s.vault.state === 'unlocked')) return 'firstRun';
    if (s.vault.state === 'locked') return 'unlock';
  }
  if (s.route === 'documents' && s.openDocument) return 'document';
  return s.route;
}
