import { readdir, rm } from 'node:fs/promises';
import { join } from 'node:path';
import type { IdleLock } from './idle-lock';
import { fsyncDir, shredFile } from './key-file';
import type { TokenKeyWrapper } from './token-wrapper';
import { databaseFiles } from './vault-db';
import type { VaultPaths } from './vault-paths';
import type { LockReason, VaultState } from './vault-state';

export interface WipeOptions {
  readonly paths: VaultPaths;
  readonly state: VaultState;
  readonly idle: IdleLock;
  readonly tokenWrapper?: TokenKeyWrapper;
  readonly onLock?: (reason: LockReason) => void;
}

/**
 * Crypto-shred: every wrapped copy of the vault key (the key file and any leftover temp copy)
 * overwritten and removed first, then the database files. It does not wait for a graceful
 * close or queue behind a slow transition: it is the emergency path.
 */
export async function wipeVault(options: WipeOptions): Promise<{ elapsedMs: number }> {
  const { paths, state } = options;
  const started = process.hrtime.bigint();
  options.idle.stopped();
  const w = state.worker;
  state.worker = null;
  options.tokenWrapper?.stopWatching?.();
  // Stop the thread without waiting for a graceful close: the point is speed.
  const stopping = w ? w.terminate() : Promise.resolve();
  // 1. Every wrapped copy of the key: the key file (all wrappers live in it).
  await shredFile(paths.keyFile);
  for (const stale of await listTempKeyFiles(paths.dir)) await shredFile(stale);
  state.keyFile = null;
  await fsyncDirIfThere(paths.dir);
  await stopping;
  // 2. The database and its side files: unlink is O(1) whatever the size; without the key
  //    their bytes are ciphertext no one can open.
  for (const f of databaseFiles(paths.db)) await rm(f, { force: true });
  await fsyncDirIfThere(paths.dir);
  if (w) options.onLock?.('officer');
  return { elapsedMs: Number(process.hrtime.bigint() - started) / 1e6 };
}

/** Key files a crashed write left behind (`vault.key.<random>.tmp`). */
async function listTempKeyFiles(dir: string): Promise<string[]> {
  try {
    return (await readdir(dir))
      .filter((n) => n.startsWith('vault.key.') && n.endsWith('.tmp'))
      .map((n) => join(dir, n));
  } catch {
    return [];
  }
}

async function fsyncDirIfThere(dir: string): Promise<void> {
  try {
    await fsyncDir(dir);
  } catch (e) {
    if ((e as NodeJS.ErrnoException).code !== 'ENOENT') throw e;
  }
}
