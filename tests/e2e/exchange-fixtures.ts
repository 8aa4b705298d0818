import { spawn, type ChildProcess } from 'node:child_process';
import { createInterface } from 'node:readline';
import type { Browser, Page } from '@playwright/test';
import type { SoftHsmToken } from '../fixtures/softhsm';
import { expect, startPreviewProcess, type PreviewServer } from './fixtures';

/**
 * Shared setup of the two-officer exchange specs (sync-exchange, officer-keyboard-exchange):
 * the project's relay from the built bundle, an officer's preview and page, a vault on the
 * token, enrolment through the Sync screen. Setup only: the journeys stay in the specs.
 */
export const MISSION = { name: 'Nguyen Van An', email: 'an.nguyen@mission.example', label: 'Mission E2E' };
export const HQ = { name: 'Tran Thi Binh', email: 'binh.tran@hq.example', label: 'HQ E2E' };

export interface Relay {
  readonly url: string;
  readonly fingerprint: string;
  readonly child: ChildProcess;
  readonly log: string[];
}

export interface Officer {
  readonly page: Page;
  readonly preview: PreviewServer & { stop(): Promise<void> };
  readonly token: SoftHsmToken;
}

/** `embassy hq serve` from the bundle; its first stdout line is JSON with url and fingerprint. */
export async function startRelay(dataDir: string, trustCa: string): Promise<Relay> {
  const child = spawn(
    process.execPath,
    [
      'dist/node/embassy.cjs',
      'hq',
      'serve',
      '--data',
      dataDir,
      '--listen',
      '127.0.0.1:0',
      '--json',
      '--trust-ca',
      trustCa,
    ],
    { stdio: ['ignore', 'pipe', 'pipe'] },
  );
  // The relay's request log, kept for the report of a failed run (not printed otherwise).
  const log: string[] = [];
  if (child.stderr) createInterface({ input: child.stderr }).on('line', (l) => log.push(l));
  const line = await new Promise<string>((resolve, reject) => {
    if (!child.stdout) return reject(new Error('relay has no stdout'));
    createInterface({ input: child.stdout }).once('line', resolve);
    child.once('exit', (code) => reject(new Error(`hq serve exited with ${code} before it was ready`)));
  });
  const { url, fingerprint } = JSON.parse(line) as { url: string; fingerprint: string };
  return { url, fingerprint, child, log };
}

/** Stops the relay started by `startRelay`, waiting for it to exit. */
export async function stopRelay(relay: Relay | undefined): Promise<void> {
  if (!relay || relay.child.exitCode !== null) return;
  const exited = new Promise((r) => relay.child.once('exit', r));
  relay.child.kill('SIGTERM');
  await exited;
}

/** The whole screen: a tall window for the shot (the main region scrolls, not the page). */
export async function fullShot(page: Page, path: string): Promise<void> {
  const size = page.viewportSize() ?? { width: 1280, height: 800 };
  const height = await page.locator('main').evaluate((m) => m.scrollHeight + 200);
  await page.setViewportSize({ width: size.width, height: Math.max(size.height, height) });
  await page.screenshot({ path });
  await page.setViewportSize(size);
}

/** A preview on the officer's token (trusting the ministry CA) and a page on it, in English. */
export async function openOfficer(browser: Browser, token: SoftHsmToken, rootPath: string): Promise<Officer> {
  const preview = await startPreviewProcess({ env: token.env, args: ['--trust', rootPath] });
  const context = await browser.newContext({ viewport: { width: 1280, height: 800 } });
  const page = await context.newPage();
  await page.goto(preview.url);
  await page.getByTestId('top-language-en').check();
  return { page, preview, token };
}

/** First run with the token, as vault.spec does it; an empty vault. */
export async function createVault({ page, token }: Officer): Promise<void> {
  await page.getByRole('link', { name: /Documents/ }).click();
  await expect(page.getByRole('heading', { level: 1 })).toHaveText('Set up this workstation');
  await page.getByTestId('choose-token').click();
  await page.getByLabel('Token driver (PKCS#11 module)').selectOption('softhsm2');
  await page.getByTestId('detected-token').filter({ hasText: token.label }).click();
  await page.getByTestId('pin').fill(token.pin);
  await page.getByTestId('create-vault').click();
  await page.getByRole('link', { name: 'Start with an empty vault' }).click();
  await expect(page.getByTestId('add-document')).toBeVisible({ timeout: 30_000 });
}

/** Sync screen → enrolment form → approved (the relay trusts the CA). */
export async function enrol(
  { page, token }: Officer,
  relay: Relay,
  department: string,
  shot?: string,
): Promise<void> {
  await page.getByRole('link', { name: /Sync/ }).first().click();
  await expect(page.getByRole('heading', { name: 'Enrol this workstation' })).toBeVisible();
  await expect(page.locator('input[name=enrol-certificate]')).toBeChecked({ timeout: 20_000 });
  await page.getByTestId('enrol-url').fill(relay.url);
  await page.getByTestId('enrol-fingerprint').fill(relay.fingerprint);
  await page.getByTestId('enrol-department').fill(department);
  await page.getByTestId('enrol-pin').fill(token.pin);
  if (shot) await fullShot(page, shot);
  await page.getByTestId('enrol-submit').click();
  // Approved at once; the first round (directory, prekeys) makes the link online.
  await expect(page.getByTestId('sync-connection')).toHaveText(/Online/, { timeout: 30_000 });
  await expect(page.getByTestId('status-connection')).toHaveText('Online');
}
