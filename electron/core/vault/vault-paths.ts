import { join } from 'node:path';

/** The vault's files inside the profile folder. */
export interface VaultPaths {
  readonly dir: string;
  /** The key file: every wrapped copy of the vault key lives in it. */
  readonly keyFile: string;
  readonly db: string;
  /** The officer's idle delay (outside `vault/`: it survives a wipe). */
  readonly settings: string;
}

export function vaultPaths(profileDir: string): VaultPaths {
  const dir = join(profileDir, 'vault');
  return {
    dir,
    keyFile: join(dir, 'vault.key'),
    db: join(dir, 'vault.db'),
    settings: join(profileDir, 'vault-settings.json'),
  };
}
