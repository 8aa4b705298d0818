import { readFile, rename, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { DEFAULT_LANGUAGE } from '../../../shared/domain/language';
import { Settings } from '../../../shared/contract/calls';
import { ensurePrivateDir, PRIVATE_FILE_MODE } from '../profile';

const FILE_NAME = 'settings.json';

/**
 * Non-secret workstation settings (interface language for now), stored as JSON in the profile
 * folder. Nothing sensitive belongs here: the file is not encrypted. Writes are atomic
 * (temp file in the same folder, then rename) so a crash leaves the old or the new file.
 */
export interface SettingsStore {
  get(): Promise<Settings>;
  update(change: Partial<Settings>): Promise<Settings>;
}

export function createSettingsStore(profileDir: string): SettingsStore {
  const path = join(profileDir, FILE_NAME);
  const defaults: Settings = { language: DEFAULT_LANGUAGE };
  // Serialise writes so two updates cannot interleave their read-modify-write.
  let queue: Promise<unknown> = Promise.resolve();

  async function read(): Promise<Settings> {
    let text: string;
    try {
      text = await readFile(path, 'utf8');
    } catch (e) {
      if ((e as NodeJS.ErrnoException).code === 'ENOENT') return defaults;
      throw e;
    }
    // A damaged or hand-edited file falls back to defaults field by field, never crashes start-up.
    let raw: unknown;
    try {
      raw = JSON.parse(text);
    } catch {
      return defaults;
    }
    const parsed = Settings.partial().safeParse(raw);
    return parsed.success ? { ...defaults, ...parsed.data } : defaults;
  }

  async function write(next: Settings): Promise<void> {
    await ensurePrivateDir(profileDir);
    const tmp = `${path}.${process.pid}.tmp`;
    await writeFile(tmp, `${JSON.stringify(next, null, 2)}\n`, { mode: PRIVATE_FILE_MODE });
    await rename(tmp, path);
  }

  return {
    get: read,
    update(change) {
      const run = queue.then(async () => {
        const merged: Partial<Settings> = { ...(await read()), ...change };
        // One way of naming the token driver at a time: the newer choice replaces the other.
        if (change.pkcs11Driver !== undefined) delete merged.pkcs11Module;
        if (change.pkcs11Module !== undefined) delete merged.pkcs11Driver;
        const next = Settings.parse(merged);
        await write(next);
        return next;
      });
      queue = run.catch(() => undefined);
      return run;
    },
  };
}
