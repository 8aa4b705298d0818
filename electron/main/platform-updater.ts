import { app } from 'electron';
import { AppImageUpdater, DebUpdater, NsisUpdater, type BaseUpdater } from 'electron-updater';
import { ElectronAppAdapter } from 'electron-updater/out/ElectronAppAdapter';

/**
 * electron-updater's updater for this platform (AppImage or deb on Linux, NSIS on Windows),
 * given to the core, which decides everything it does (docs/protocols/release-manifest-v1.md):
 * the core sets its HTTP layer (pinned to HQ's certificate), its feed URL from policy, and
 * turns automatic download, install on quit and downgrades off. Other platforms: none.
 */
export function createPlatformUpdater(): BaseUpdater | undefined {
  const adapter = new ElectronAppAdapter(app);
  let updater: BaseUpdater;
  if (process.platform === 'win32') updater = new NsisUpdater(null, adapter);
  else if (process.platform === 'linux')
    updater = process.env.APPIMAGE ? new AppImageUpdater(null, adapter) : new DebUpdater(null, adapter);
  else return undefined;
  // Unpackaged (development, the smoke test): electron-updater otherwise skips every check.
  updater.forceDevUpdateConfig = !app.isPackaged;
  return updater;
}
