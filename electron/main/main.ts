import { join } from 'node:path';
import { app, BrowserWindow, powerMonitor } from 'electron';
import { createCore, PRIVATE_UMASK } from '../core';
import { registerAppScheme, serveRenderer } from './app-protocol';
import { hardenApp, hardenSession } from './hardening';
import { registerIpc } from './ipc';
import { APP_ORIGIN } from './sender-policy';
import { utilityPdfSandbox } from './pdf-sandbox-process';
import { utilityTokenHost } from './token-process';
import { createPlatformUpdater, pickUpdateFolder } from './platform-updater';
import { pickSavePath } from './save-dialog';

declare const __APP_VERSION__: string;

/**
 * The Electron shell: wiring only. The core answers calls; this file creates the one window,
 * locks it down, and connects IPC to the core's dispatcher. The core runs in this process but
 * never blocks it on disk or USB: the vault's database runs in a worker thread and the token in
 * a utility process (`utilityTokenHost`).
 */

// First: the profile, Chromium's own files in userData, logs are the officer's alone (0600 / 0700).
process.umask(PRIVATE_UMASK);
registerAppScheme();
hardenApp();

if (!app.requestSingleInstanceLock()) {
  app.quit();
} else {
  let window: BrowserWindow | null = null;

  app.on('second-instance', () => {
    if (window) {
      if (window.isMinimized()) window.restore();
      window.focus();
    }
  });

  void app.whenReady().then(() => {
    hardenSession();
    const here = __dirname; // dist/main
    serveRenderer(join(here, '..', 'renderer'));
    const updater = createPlatformUpdater();
    const core = createCore({
      profileDir: join(app.getPath('userData'), 'profile'),
      version: __APP_VERSION__,
      electron: process.versions.electron ?? null,
      // The token process as a utilityProcess (fork cannot work with the runAsNode fuse off).
      signing: { tokenHost: { spawn: utilityTokenHost } },
      // Every PDF is parsed in a utilityProcess of its own, with no key and no database.
      pdfSandbox: { launch: utilityPdfSandbox },
      // Signed updates: electron-updater's updater, driven by the core's checks.
      ...(updater ? { updates: { updater, pickFolder: () => pickUpdateFolder(window) } } : {}),
      // Saving an attachment: main's save dialog picks the file; the core writes it.
      export: { pickSavePath: (name) => pickSavePath(window, name) },
    });
    registerIpc(core.dispatch, () => window?.webContents ?? null);

    // Lock the vault when the machine sleeps or the session's screen locks: a laptop closed
    // at a border check must come back locked.
    powerMonitor.on('suspend', () => void core.vault.lock('suspend'));
    powerMonitor.on('lock-screen', () => void core.vault.lock('suspend'));
    app.on('before-quit', () => void core.close());

    window = new BrowserWindow({
      width: 1280,
      height: 820,
      minWidth: 900,
      minHeight: 600,
      show: false,
      title: 'Embassy Secure Workstation',
      backgroundColor: '#f6f7f9',
      webPreferences: {
        preload: join(here, '..', 'preload', 'preload.cjs'),
        sandbox: true,
        contextIsolation: true,
        nodeIntegration: false,
        nodeIntegrationInWorker: false,
        nodeIntegrationInSubFrames: false,
        webSecurity: true,
        allowRunningInsecureContent: false,
        experimentalFeatures: false,
        webviewTag: false,
        navigateOnDragDrop: false,
        safeDialogs: true,
        spellcheck: false,
        devTools: !app.isPackaged,
      },
    });
    window.once('ready-to-show', () => window?.show());
    window.on('closed', () => {
      window = null;
    });
    void window.loadURL(`${APP_ORIGIN}/`);
  });

  app.on('window-all-closed', () => app.quit());
}
