/** The areas of the app, in navigation order. The hash is `#/<route>`. */
export const ROUTES = ['documents', 'messages', 'sign', 'sync', 'settings', 'about'] as const;
export type Route = (typeof ROUTES)[number];

export const DEFAULT_ROUTE: Route = 'about';

export function routeFromHash(hash: string): Route {
  const name = hash.replace(/^#\/?/, '');
  return (ROUTES as readonly string[]).includes(name) ? (name as Route) : DEFAULT_ROUTE;
}
