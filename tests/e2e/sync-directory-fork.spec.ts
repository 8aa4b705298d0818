import { execFile, spawn, type ChildProcess } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createInterface } from 'node:readline';
import { promisify } from 'node:util';
import Database from 'better-sqlite3-multiple-ciphers';
import type { Page } from '@playwright/test';
import { createSoftHsmToken, makeCa, type SoftHsmToken } from '../fixtures/softhsm';
import { expect, startPreviewProcess, test } from './fixtures';

/**
 * Issue 12 item 2 in the interface: the relay (its database rewritten by an attacker who keeps
 * HQ's key) serves another history of the directory version the workstation holds. The officer
 * presses "Sync now"; the Sync screen shows the refusal and the warning, in English and in
 * Vietnamese, and the workstation keeps the version it held.
 */
const run = promisify(execFile);
const OFFICER = { name: 'Le Van Cuong', email: 'cuong.le@mission.example', label: 'Fork E2E' };

let caDir: string;
let relayDir: string;
let rootPath: string;
let token: SoftHsmToken;
let relay: { url: string; fingerprint: string; child: ChildProcess };

test.beforeAll(async () => {
  caDir = mkdtempSync(join(tmpdir(), 'embassy-e2e-ca-'));
  relayDir = mkdtempSync(join(tmpdir(), 'embassy-e2e-relay-'));
  const ca = await makeCa(caDir, 'ministry', (cmd, args) => run(cmd, args));
  rootPath = ca.rootPath;
  token = await createSoftHsmToken({
    keys: ['rsa'],
    label: OFFICER.label,
    holder: { name: OFFICER.name, email: OFFICER.email },
    ca,
  });
  const child = spawn(
    process.execPath,
    [
      'dist/node/embassy.cjs',
      'hq',
      'serve',
      '--data',
      relayDir,
      '--listen',
      '127.0.0.1:0',
      '--json',
      '--trust-ca',
      rootPath,
    ],
    { stdio: ['ignore', 'pipe', 'ignore'] },
  );
  const line = await new Promise<string>((resolve, reject) => {
    if (!child.stdout) return reject(new Error('relay has no stdout'));
    createInterface({ input: child.stdout }).once('line', resolve);
    child.once('exit', (code) => reject(new Error(`hq serve exited with ${code}`)));
  });
  relay = { ...(JSON.parse(line) as { url: string; fingerprint: string }), child };
});

test.afterAll(async () => {
  if (relay?.child.exitCode === null) {
    const exited = new Promise((r) => relay.child.once('exit', r));
    relay.child.kill('SIGTERM');
    await exited;
  }
  await token?.cleanup();
  rmSync(caDir, { recursive: true, force: true });
  rmSync(relayDir, { recursive: true, force: true });
});

/** The attacker forgets the relay's newest directory version: the next one re-signs its serial. */
function forkNewestVersion(): number {
  const db = new Database(join(relayDir, 'relay.sqlite'));
  try {
    db.pragma('busy_timeout = 5000');
    const head = db.prepare('SELECT max(serial) FROM directory_versions').pluck().get() as number;
    db.prepare('DELETE FROM directory_versions WHERE serial = ?').run(head);
    return head;
  } finally {
    db.close();
  }
}

async function fullShot(page: Page, path: string): Promise<void> {
  const size = page.viewportSize() ?? { width: 1280, height: 800 };
  const height = await page.locator('main').evaluate((m) => m.scrollHeight + 200);
  await page.setViewportSize({ width: size.width, height: Math.max(size.height, height) });
  await page.screenshot({ path });
  await page.setViewportSize(size);
}

test('a forked directory is refused and shown as a warning, in both languages', async ({ browser }, info) => {
  test.setTimeout(120_000);
  const preview = await startPreviewProcess({ env: token.env, args: ['--trust', rootPath] });
  const context = await browser.newContext({ viewport: { width: 1280, height: 800 } });
  const page = await context.newPage();
  try {
    await page.goto(preview.url);
    await page.getByTestId('top-language-en').check();
    await page.getByRole('link', { name: /Documents/ }).click();
    await page.getByTestId('choose-token').click();
    await page.getByLabel('Token driver (PKCS#11 module)').selectOption('softhsm2');
    await page.getByTestId('detected-token').filter({ hasText: token.label }).click();
    await page.getByTestId('pin').fill(token.pin);
    await page.getByTestId('create-vault').click();
    await page.getByRole('link', { name: 'Start with an empty vault' }).click();
    await expect(page.getByTestId('add-document')).toBeVisible({ timeout: 30_000 });

    await page.getByRole('link', { name: /Sync/ }).first().click();
    await expect(page.locator('input[name=enrol-certificate]')).toBeChecked({ timeout: 20_000 });
    await page.getByTestId('enrol-url').fill(relay.url);
    await page.getByTestId('enrol-fingerprint').fill(relay.fingerprint);
    await page.getByTestId('enrol-department').fill('Consular');
    await page.getByTestId('enrol-pin').fill(token.pin);
    await page.getByTestId('enrol-submit').click();
    await expect(page.getByTestId('sync-connection')).toHaveText(/Online/, { timeout: 30_000 });
    await expect(page.getByTestId('sync-warnings')).toHaveCount(0);

    forkNewestVersion();
    await page.getByTestId('sync-now').click();
    const warnings = page.getByTestId('sync-warnings');
    await expect(warnings).toContainText(
      "HQ's relay served a directory with another history: refused, the one held is kept",
      { timeout: 30_000 },
    );
    await expect(page.getByText('does not continue the one this workstation holds')).toBeVisible();
    await fullShot(page, info.outputPath('directory-forked-en.png'));

    await page.getByTestId('top-language-vi').check();
    await expect(warnings).toContainText('Máy chủ chuyển tiếp gửi một danh bạ có lịch sử khác');
    await expect(page.getByText('không nối tiếp danh bạ máy trạm đang giữ')).toBeVisible();
    await fullShot(page, info.outputPath('directory-forked-vi.png'));
  } finally {
    await context.close();
    await preview.stop();
  }
});
