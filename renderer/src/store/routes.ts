/** The areas of the app, in navigation order (Alt+1…6). The hash is `#/<route>`. */
export const ROUTES = ['documents', 'messages', 'sign', 'sync', 'settings', 'about'] as const;
export type NavRoute = (typeof ROUTES)[number];

/** Pages reached from within the app rather than the navigation: the full search results. */
export const PAGE_ROUTES = ['search'] as const;
export type Route = NavRoute | (typeof PAGE_ROUTES)[number];

/**
 * Where every run starts: Documents, which shows first run or unlock until the vault is open
 * (the vault gate), so the officer lands on the next thing to do, never on About.
 */
export const DEFAULT_ROUTE: Route = 'documents';

export function routeFromHash(hash: string): Route {
  const name = hash.replace(/^#\/?/, '');
  return ([...ROUTES, ...PAGE_ROUTES] as readonly string[]).includes(name) ? (name as Route) : DEFAULT_ROUTE;
}
