/** The areas of the app, in navigation order. The hash is `#/<route>`. */
export const ROUTES = ['documents', 'messages', 'sign', 'sync', 'settings', 'about'] as const;
export type Route = (typeof ROUTES)[number];

/**
 * Where every run starts: Documents, which shows first run or unlock until the vault is open
 * (the vault gate), so the officer lands on the next thing to do, never on About.
 */
export const DEFAULT_ROUTE: Route = 'documents';

export function routeFromHash(hash: string): Route {
  const name = hash.replace(/^#\/?/, '');
  return (ROUTES as readonly string[]).includes(name) ? (name as Route) : DEFAULT_ROUTE;
}
