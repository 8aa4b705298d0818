import { RelayErrorCode } from '../../shared/sync/relay-protocol';
import { RelayError } from './relay-error';

/** The relay's routes: which path names which route, and the methods each accepts. */

export type Route =
  | 'health'
  | 'enroll'
  | 'challenge'
  | 'session'
  | 'mail.create'
  | 'mail.item'
  | 'inbox.list'
  | 'inbox.item'
  | 'inbox.ack'
  | 'prekeys'
  | 'directory'
  | 'policy'
  | 'updates'
  | 'audit'
  | 'tsa'
  | 'device.wiped';

/** Which route a path names, with its item id; undefined when none. */
export function matchRoute(path: string): { route: Route; id?: string } | undefined {
  const fixed: Record<string, Route> = {
    '/health': 'health',
    '/v1/enroll': 'enroll',
    '/v1/auth/challenge': 'challenge',
    '/v1/auth/session': 'session',
    '/v1/mail': 'mail.create',
    '/v1/inbox': 'inbox.list',
    '/v1/prekeys': 'prekeys',
    '/v1/directory': 'directory',
    '/v1/policy': 'policy',
    '/v1/audit': 'audit',
    '/v1/tsa': 'tsa',
    '/v1/device/wiped': 'device.wiped',
  };
  const f = fixed[path];
  if (f) return { route: f };
  let m = /^\/v1\/updates\/([^/]+)$/.exec(path);
  if (m?.[1] !== undefined) return { route: 'updates', id: m[1] };
  m = /^\/v1\/mail\/([^/]+)$/.exec(path);
  if (m?.[1] !== undefined) return { route: 'mail.item', id: m[1] };
  m = /^\/v1\/inbox\/([^/]+)\/ack$/.exec(path);
  if (m?.[1] !== undefined) return { route: 'inbox.ack', id: m[1] };
  m = /^\/v1\/inbox\/([^/]+)$/.exec(path);
  if (m?.[1] !== undefined) return { route: 'inbox.item', id: m[1] };
  return undefined;
}

export const METHODS: Record<Route, readonly string[]> = {
  health: ['GET'],
  enroll: ['POST'],
  challenge: ['POST'],
  session: ['POST'],
  'mail.create': ['POST'],
  'mail.item': ['HEAD', 'PATCH'],
  'inbox.list': ['GET'],
  'inbox.item': ['GET'],
  'inbox.ack': ['POST'],
  prekeys: ['PUT'],
  directory: ['GET'],
  policy: ['GET'],
  updates: ['GET', 'HEAD'],
  audit: ['POST'],
  tsa: ['POST'],
  'device.wiped': ['POST'],
};

/** Absence, and anything the caller may not see, look the same: no probing of others' ids. */
export const notFound = () => new RelayError(404, RelayErrorCode.NotFound, 'no such item');

/** A non-negative decimal number of at most 15 digits (offsets, cursors, limits). */
export const DECIMAL = /^\d{1,15}$/;
