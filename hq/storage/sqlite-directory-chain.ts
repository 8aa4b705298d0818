import type Database from 'better-sqlite3-multiple-ciphers';
import type { DirectoryChainStore, DirectoryVersion } from './relay-store';

type Db = InstanceType<typeof Database>;

/**
 * The published directory versions (table `directory_versions`, sqlite-relay-schema.ts).
 * `previous_serial` is unique (-1 for the first version), so a version has at most one
 * successor and the table holds one chain whatever writes to it.
 */

interface VersionRow {
  serial: number;
  issued_at: number;
  digest: string;
  link: string;
  previous_serial: number;
  previous_link: string | null;
}

export const toVersion = (r: VersionRow): DirectoryVersion => ({
  serial: Number(r.serial),
  issuedAt: Number(r.issued_at),
  digest: r.digest,
  link: r.link,
  ...(r.previous_link !== null
    ? { previous: { serial: Number(r.previous_serial), link: r.previous_link } }
    : {}),
});

export class SqliteDirectoryChain implements DirectoryChainStore {
  constructor(private readonly db: Db) {}

  async head(): Promise<DirectoryVersion | undefined> {
    const row = this.db.prepare('SELECT * FROM directory_versions ORDER BY serial DESC LIMIT 1').get() as
      VersionRow | undefined;
    return row ? toVersion(row) : undefined;
  }

  async append(v: DirectoryVersion): Promise<boolean> {
    const tx = this.db.transaction((): boolean => {
      const head = this.db
        .prepare('SELECT serial, link FROM directory_versions ORDER BY serial DESC LIMIT 1')
        .get() as { serial: number; link: string } | undefined;
      if (head?.serial !== v.previous?.serial || head?.link !== v.previous?.link) return false;
      if (v.serial <= (head?.serial ?? -1)) return false;
      this.db
        .prepare(
          `INSERT INTO directory_versions (serial, issued_at, digest, link, previous_serial, previous_link)
           VALUES (?, ?, ?, ?, ?, ?)`,
        )
        .run(v.serial, v.issuedAt, v.digest, v.link, v.previous?.serial ?? -1, v.previous?.link ?? null);
      return true;
    });
    return tx.immediate();
  }

  async steps(after: number, before: number, limit: number): Promise<{ serial: number; digest: string }[]> {
    return (
      this.db
        .prepare(
          'SELECT serial, digest FROM directory_versions WHERE serial > ? AND serial < ? ORDER BY serial LIMIT ?',
        )
        .all(after, before, limit) as { serial: number; digest: string }[]
    ).map((r) => ({ serial: Number(r.serial), digest: r.digest }));
  }
}
