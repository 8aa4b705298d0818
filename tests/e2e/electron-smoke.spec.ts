import { _electron as electron, expect, test } from '@playwright/test';
import { electronBinary, hasDisplay } from '../../build/scripts/electron-binary.mjs';

/**
 * Launches the real Electron app. Needs the Electron binary (not downloadable on CI
 * machines: installed with ELECTRON_SKIP_BINARY_DOWNLOAD=1) and a display; reports itself
 * skipped, never passed, where either is missing.
 */

const binary = electronBinary();
const display = hasDisplay();

test.skip(!binary, 'no Electron binary on this machine (ELECTRON_SKIP_BINARY_DOWNLOAD)');
test.skip(!display, 'no display for Electron');

test('the Electron app opens one locked-down window on app://embassy showing About, updater wired', async () => {
  const app = await electron.launch({ executablePath: binary ?? '', args: ['dist/main/main.cjs'] });
  try {
    const win = await app.firstWindow();
    await expect(win.getByRole('heading', { level: 1 })).toBeVisible();
    expect(win.url()).toMatch(/^app:\/\/embassy\//);
    // The preload exposes only `call`; Node is not reachable from the page.
    expect(await win.evaluate(() => Object.keys(window.embassy ?? {}))).toEqual(['call']);
    expect(await win.evaluate(() => typeof (globalThis as { require?: unknown }).require)).toBe('undefined');
    await expect(win.getByText('Electron IPC')).toBeVisible();
    // The updater is wired: main built electron-updater's updater and the core drives it
    // (`unsupported` is what the preview and the CLI answer, which have none).
    const updates = await win.evaluate(() => window.embassy.call('updates.status', {}));
    expect(updates).toMatchObject({ ok: true, value: { state: 'idle', refused: null } });
    // Navigation away and new windows are refused.
    await win.evaluate(() => window.open('https://example.org'));
    await win.evaluate(() => {
      window.location.href = 'https://example.org';
    });
    await win.waitForTimeout(500);
    expect(win.url()).toMatch(/^app:\/\/embassy\//);
    expect(app.windows()).toHaveLength(1);
  } finally {
    await app.close();
  }
});
