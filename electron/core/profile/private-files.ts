import { chmodSync, mkdirSync } from 'node:fs';
import { chmod, mkdir } from 'node:fs/promises';

/**
 * Everything the workstation writes is the officer's alone: files 0600, folders 0700. Modes
 * are set explicitly (never left to the umask) and folders are chmod-ed even when they exist
 * already, so a profile made by an older version or by hand is tightened on first use. On
 * Windows the calls are harmless; the profile sits under the user's own AppData there.
 */
export const PRIVATE_FILE_MODE = 0o600;
export const PRIVATE_DIR_MODE = 0o700;
/** For entry points (app, CLI, preview): whatever else creates files gets owner-only too. */
export const PRIVATE_UMASK = 0o077;

export function ensurePrivateDirSync(dir: string): void {
  mkdirSync(dir, { recursive: true, mode: PRIVATE_DIR_MODE });
  chmodSync(dir, PRIVATE_DIR_MODE);
}

export async function ensurePrivateDir(dir: string): Promise<void> {
  await mkdir(dir, { recursive: true, mode: PRIVATE_DIR_MODE });
  await chmod(dir, PRIVATE_DIR_MODE);
}

/** 0600 on a file if it exists (SQLite's side files come and go). */
export function makePrivateSync(path: string): void {
  try {
    chmodSync(path, PRIVATE_FILE_MODE);
  } catch (e) {
    if ((e as NodeJS.ErrnoException).code !== 'ENOENT') throw e;
  }
}
