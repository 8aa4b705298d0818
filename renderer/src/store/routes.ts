/** The areas of the app, in navigation order (Alt+1…6). The hash is `#/<route>`. */
export const ROUTES = ['documents', 'messages', 'sign', 'sync', 'settings', 'about'] as const;
export type NavRoute = (typeof ROUTES)[number];

/** Pages reached from within the app rather than the navigation: the full search results. */
export const PAGE_ROUTES = ['search'] as const;
export type Route = NavRoute | (typeof PAGE_ROUTES)[number];

export const DEFAULT_ROUTE: Route = 'about';

export function routeFromHash(hash: string): Route {
  const name = hash.replace(/^#\/?/, '');
  return ([...ROUTES, ...PAGE_ROUTES] as readonly string[]).includes(name) ? (name as Route) : DEFAULT_ROUTE;
}
