import { PgAuthSessions } from '../storage/pg-auth-sessions';
import { PgMailEvents } from '../storage/pg-mail-events';
import { openPgPool } from '../storage/pg-pool';
import { PgRelayStore } from '../storage/pg-relay-store';
import { PgUploadLocks } from '../storage/pg-upload-locks';
import type { RelayStore } from '../storage/relay-store';
import { SqliteRelayStore } from '../storage/sqlite-relay-store';
import { AuthSessions, type AuthLimits, type SessionStore } from './auth-sessions';

/** Mail up to `cursor` waits for `recipient`. */
export type MailListener = (recipient: string, cursor: number) => void;

/** One writer per item: a release function, or undefined when another upload holds the item. */
export interface UploadLocks {
  tryLock(itemId: string): Promise<(() => Promise<void>) | undefined>;
}

/**
 * Everything a relay instance keeps outside its own memory, chosen once at start:
 * - `local`: the embedded SQLite store in the data directory, sessions, upload locks and
 *   wake-ups in this process (one machine);
 * - `postgres`: all of it in one PostgreSQL database, so that any number of instances behind a
 *   load balancer serve the same devices, sessions, uploads and push wake-ups.
 */
export interface RelayBackend {
  readonly kind: 'local' | 'postgres';
  readonly store: RelayStore;
  readonly auth: SessionStore;
  readonly uploads: UploadLocks;
  /**
   * Called by the instance that completed an item, after the commit. Locally this wakes the
   * listener; on PostgreSQL the completing transaction already NOTIFYed every instance.
   */
  mailCompleted(recipient: string, cursor: number): void;
  /** Hears every completed item, whichever instance completed it. */
  onMail(listener: MailListener): Promise<void>;
  close(): Promise<void>;
}

/** Items with a `PATCH` in progress in this process. */
class LocalUploadLocks implements UploadLocks {
  private readonly held = new Set<string>();

  async tryLock(itemId: string): Promise<(() => Promise<void>) | undefined> {
    if (this.held.has(itemId)) return undefined;
    this.held.add(itemId);
    return async () => {
      this.held.delete(itemId);
    };
  }
}

/** The single-machine backend (the default): SQLite in `dataDir`, the rest in memory. */
export function localBackend(store: RelayStore, limits: AuthLimits): RelayBackend {
  const listeners: MailListener[] = [];
  return {
    kind: 'local',
    store,
    auth: new AuthSessions(limits),
    uploads: new LocalUploadLocks(),
    mailCompleted: (recipient, cursor) => {
      for (const l of listeners) l(recipient, cursor);
    },
    onMail: async (listener) => {
      listeners.push(listener);
    },
    close: () => store.close(),
  };
}

/** `postgres://` or `postgresql://` (the forms libpq and `pg` take). */
export function isPostgresUrl(db: string): boolean {
  return /^postgres(?:ql)?:\/\//.test(db);
}

/** The scaled-out backend: everything in the PostgreSQL database at `url`. */
export async function postgresBackend(
  url: string,
  limits: AuthLimits,
  log: (line: string) => void,
  options: { poolSize?: number } = {},
): Promise<RelayBackend> {
  const store = await PgRelayStore.open(url, options);
  // Upload locks hold a connection each for as long as a PATCH streams: a pool of their own,
  // so that held locks can never starve the chunk writes they protect.
  const lockPool = openPgPool(url, 64);
  const events: PgMailEvents[] = [];
  return {
    kind: 'postgres',
    store,
    auth: new PgAuthSessions(store.pool, limits),
    uploads: new PgUploadLocks(lockPool),
    mailCompleted: () => undefined,
    onMail: async (listener) => {
      const e = new PgMailEvents(url, listener, log);
      events.push(e);
      await e.ready;
    },
    close: async () => {
      await Promise.all(events.map((e) => e.close()));
      await lockPool.end();
      await store.close();
    },
  };
}

/** The backend `hq serve` runs on: PostgreSQL when `db` is a URL, else SQLite in `dataDir`. */
export async function openRelayBackend(
  dataDir: string,
  db: string | undefined,
  limits: AuthLimits,
  log: (line: string) => void,
): Promise<RelayBackend> {
  if (db === undefined) return localBackend(SqliteRelayStore.open(dataDir), limits);
  if (!isPostgresUrl(db)) throw new Error('--db takes a postgres:// URL');
  return postgresBackend(db, limits, log);
}
