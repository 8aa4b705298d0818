import { defineConfig } from '@playwright/test';

/**
 * End-to-end tests in Debian's Chromium (no browser download: this machine cannot fetch
 * one), against the real core behind `npm run preview`'s bridge. See tests/e2e/fixtures.ts.
 */
export const CHROMIUM_ARGS = [
  '--no-sandbox', // Chromium under root refuses to start otherwise; CI runs as root.
  '--disable-gpu',
  '--disable-background-networking', // Otherwise it tries to reach the internet and stalls.
  '--disable-component-update',
  '--disable-sync',
  '--no-first-run',
  '--disable-quic',
];

export default defineConfig({
  testDir: 'tests/e2e',
  outputDir: 'test-results/e2e',
  timeout: 60_000,
  expect: { timeout: 10_000 },
  fullyParallel: false,
  workers: 2,
  retries: 0,
  reporter: [['list']],
  use: {
    browserName: 'chromium',
    launchOptions: {
      executablePath: process.env.CHROMIUM_PATH ?? '/usr/bin/chromium',
      args: CHROMIUM_ARGS,
    },
    viewport: { width: 1280, height: 800 },
    trace: 'retain-on-failure',
  },
});
