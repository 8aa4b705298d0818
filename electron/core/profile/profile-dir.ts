import { homedir } from 'node:os';
import { join } from 'node:path';

/** The product name Electron uses for its userData folder; the CLI must agree with it. */
export const PRODUCT_NAME = 'Embassy Secure Workstation';

/**
 * Electron's `app.getPath('appData')` for this platform, computed without Electron so the CLI
 * and the preview find the same folders as the app.
 */
export function appDataDir(env: NodeJS.ProcessEnv = process.env, platform = process.platform): string {
  if (platform === 'win32') return env.APPDATA ?? join(homedir(), 'AppData', 'Roaming');
  if (platform === 'darwin') return join(homedir(), 'Library', 'Application Support');
  return env.XDG_CONFIG_HOME || join(homedir(), '.config');
}

/**
 * The officer's profile folder: `<userData>/profile` for the app and CLI; the preview uses
 * `<userData>/preview-profile` so trying the UI never touches real data.
 */
export function defaultProfileDir(kind: 'app' | 'preview' = 'app', userData?: string): string {
  const base = userData ?? join(appDataDir(), PRODUCT_NAME);
  return join(base, kind === 'app' ? 'profile' : 'preview-profile');
}
