import { closeSync, existsSync, openSync, statSync } from 'node:fs';
import Database from 'better-sqlite3-multiple-ciphers';
import { CoreError, ErrorCode } from '../../../shared/contract/errors';
import { makePrivateSync, PRIVATE_FILE_MODE } from '../profile';
import { MIGRATIONS, SCHEMA_VERSION } from './migrations';
import { sqlcipherRawKey, type VaultKey } from './vault-key';

type Db = InstanceType<typeof Database>;

/** SQLCipher v4 pages are 4096 bytes: a database file of any other multiple is truncated. */
const PAGE_SIZE = 4096;
/**
 * Up to this size a full `PRAGMA quick_check` also runs at unlock (tens of milliseconds); above,
 * it would read and decrypt the whole file on every unlock, so only the cheap structural checks
 * run (size, page count against the header) and any later SQLITE_CORRUPT surfaces as
 * E_VAULT_CORRUPT on the call that meets it.
 */
export const QUICK_CHECK_MAX_BYTES = 8 * 1024 * 1024;

const SIDE_FILES = ['-wal', '-shm', '-journal'];

/** WAL pages after which a commit checkpoints (SQLite's default): a small WAL, a quick lock. */
const WAL_AUTOCHECKPOINT = 1000;
/**
 * The journal a bulk import commits through: a rollback journal instead of the WAL. With
 * SQLCipher every page that goes through the WAL is encrypted into it, then decrypted and
 * encrypted again into the database file at checkpoint: three page-crypto operations per page.
 * Through a rollback journal a new page is encrypted once, straight into the file (only
 * pages that existed before the transaction are copied, encrypted, to the journal). The
 * worker is the vault's only connection and runs one request at a time, so the WAL's
 * concurrent readers are never used; durability and atomicity are the same (`synchronous=FULL`,
 * a hot journal is rolled back at the next open). The worker returns to WAL once the import's
 * requests stop arriving (see vault-worker.ts); a vault closed or killed meanwhile reopens in
 * WAL (configureAndMigrate). TRUNCATE: the journal is emptied, not deleted, after each commit.
 */
export const BULK_JOURNAL_MODE = 'truncate';

/** The database file and its SQLite side files, as the wipe must delete them. */
export function databaseFiles(dbPath: string): string[] {
  return [dbPath, ...SIDE_FILES.map((s) => `${dbPath}${s}`)];
}

function corrupt(reason: string): CoreError {
  return new CoreError(
    ErrorCode.VaultCorrupt,
    `the vault database is damaged (${reason}); it was left untouched`,
  );
}

/** Maps SQLite failures that mean something to the officer onto stable codes. */
export function classifySqliteError(e: unknown): unknown {
  const code = (e as { code?: unknown } | null)?.code;
  if (typeof code !== 'string') return e;
  if (code === 'SQLITE_FULL' || code === 'SQLITE_IOERR_WRITE' || code === 'SQLITE_IOERR_FSYNC') {
    // The unix VFS reports ENOSPC as SQLITE_FULL; a failed write/fsync is treated alike: the
    // transaction rolled back and what was committed before is intact.
    return new CoreError(ErrorCode.DiskFull, 'the disk is full: the change was not saved');
  }
  if (code.startsWith('SQLITE_CORRUPT') || code === 'SQLITE_NOTADB') return corrupt(code);
  return e;
}

/**
 * Opens the vault database with its raw key, in SQLCipher v4 format, then sets the durability
 * and hygiene pragmas and runs migrations. An existing file is checked before anything could
 * write to it: a wrong or damaged file fails with E_VAULT_CORRUPT and is left byte for byte as
 * it was — never repaired, never recreated. The caller has already checked the key against
 * the key file's KCV, so "not a database" here means damage, not a wrong key.
 */
export function openVaultDatabase(dbPath: string, key: VaultKey, create: boolean): Db {
  if (create) {
    if (SIDE_FILES.concat('').some((s) => existsSync(`${dbPath}${s}`))) {
      throw new CoreError(ErrorCode.VaultExists, 'vault database files already exist');
    }
    // Created 0600 by us, empty (SQLite takes an empty file as a new database): SQLite would
    // create it 0644, and makes its WAL, SHM and journal with the database file's mode.
    closeSync(openSync(dbPath, 'wx', PRIVATE_FILE_MODE));
  } else {
    let size: number;
    try {
      size = statSync(dbPath).size;
    } catch {
      throw corrupt('database file missing');
    }
    if (size === 0 || size % PAGE_SIZE !== 0) throw corrupt('truncated');
  }
  const db = new Database(dbPath, { fileMustExist: !create });
  try {
    // Cipher scheme before the key: SQLite3MultipleCiphers defaults to ChaCha20; we want
    // SQLCipher v4 (AES-256-CBC, HMAC-SHA512, PBKDF2 skipped for a raw key) so standard
    // sqlcipher tools can open the file with the escrowed key.
    db.pragma(`cipher = 'sqlcipher'`);
    db.pragma('legacy = 4');
    const raw = sqlcipherRawKey(key);
    try {
      db.key(raw);
    } finally {
      raw.fill(0);
    }
    if (!create) {
      try {
        db.prepare('SELECT count(*) FROM sqlite_master').get();
        const fileBytes = statSync(dbPath).size;
        const walBytes = existsSync(`${dbPath}-wal`) ? statSync(`${dbPath}-wal`).size : 0;
        // Without a WAL the header's page count must match the file: fewer pages = truncated.
        // (With a WAL, newer pages may legitimately live only in it.)
        const pages = db.pragma('page_count', { simple: true }) as number;
        if (walBytes === 0 && pages * PAGE_SIZE > fileBytes) throw corrupt('truncated');
        if (fileBytes + walBytes <= QUICK_CHECK_MAX_BYTES) {
          const result = db.pragma('quick_check', { simple: true });
          if (result !== 'ok') throw corrupt('quick_check failed');
        }
      } catch (e) {
        const mapped = classifySqliteError(e);
        throw mapped instanceof CoreError ? mapped : corrupt('unreadable');
      }
    }
    configureAndMigrate(db);
    // Also tightens a vault an older version left 0644, with whatever side files exist now.
    for (const f of databaseFiles(dbPath)) makePrivateSync(f);
    return db;
  } catch (e) {
    db.close();
    throw classifySqliteError(e);
  }
}

/**
 * The durability and hygiene pragmas, then migrations. Exported for the benchmark, which runs
 * the same schema on an unencrypted file to measure what encryption costs; the app never opens
 * a database without a key.
 */
export function configureAndMigrate(db: Db): void {
  db.pragma('journal_mode = WAL');
  db.pragma('synchronous = FULL');
  db.pragma('secure_delete = ON');
  db.pragma('temp_store = MEMORY');
  db.pragma('foreign_keys = ON');
  // 64 MiB of page cache (the default is 2 MiB): with SQLCipher every cache miss is a read plus
  // an AES decryption and HMAC check, so a cache that holds the FTS index's hot pages is what
  // keeps encrypted search close to plain search. The cache lives in the worker's memory only.
  db.pragma('cache_size = -65536');
  // Checkpoint often enough that the WAL stays small, but not on every commit; and give the
  // WAL file back to the disk after a checkpoint (it otherwise keeps its high-water size,
  // which also makes recovery after a crash slower). Bulk imports commit through a rollback
  // journal instead (see BULK_JOURNAL_MODE).
  db.pragma(`wal_autocheckpoint = ${WAL_AUTOCHECKPOINT}`);
  db.pragma(`journal_size_limit = ${8 * 1024 * 1024}`);
  migrate(db);
}

/** Runs every migration newer than the file's user_version, each in its own transaction. */
function migrate(db: Db): void {
  const current = db.pragma('user_version', { simple: true }) as number;
  if (current > SCHEMA_VERSION) {
    throw new CoreError(
      ErrorCode.VaultCorrupt,
      `the vault was written by a newer version (schema ${current})`,
    );
  }
  if (current === SCHEMA_VERSION) return;
  // Foreign keys off while migrating (a pragma that cannot change inside a transaction): a table
  // rebuilt to change a CHECK is dropped and renamed, and a drop with them on would cascade.
  // Each migration proves them intact before its commit instead.
  db.pragma('foreign_keys = OFF');
  try {
    for (let v = current; v < SCHEMA_VERSION; v++) {
      db.transaction(() => {
        db.exec(MIGRATIONS[v] as string);
        if ((db.pragma('foreign_key_check') as unknown[]).length > 0) {
          throw new CoreError(ErrorCode.VaultCorrupt, `migration ${v + 1} broke a foreign key`);
        }
        db.pragma(`user_version = ${v + 1}`);
      })();
    }
  } finally {
    db.pragma('foreign_keys = ON');
  }
}
