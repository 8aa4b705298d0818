import { randomBytes } from 'node:crypto';
import { existsSync, mkdtempSync, readdirSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { Page } from '@playwright/test';
import { PDFDocument, StandardFonts } from 'pdf-lib';
import { createSoftHsmToken, type SoftHsmToken } from '../fixtures/softhsm';
import { expect, startPreviewProcess, test } from './fixtures';

/**
 * Issue 3, end to end, as an officer would do it: the real core behind the preview, a real
 * SoftHSM token, Debian's Chromium. First run → create the vault → sample data → add a
 * document with a PDF → see it and its preview → search finds it → lock → wrong PIN → right
 * PIN → wipe → the vault is gone.
 */
let token: SoftHsmToken;

test.beforeAll(async () => {
  token = await createSoftHsmToken({ label: 'Officer E2E', keys: ['rsa'] });
});
test.afterAll(async () => {
  await token?.cleanup();
});

test('first run to wipe with a SoftHSM token', async ({ page }, info) => {
  test.setTimeout(120_000);
  const preview = await startPreviewProcess({ env: token.env });
  try {
    const canary = `Canary${Date.now()}`;
    const pdfPath = join(info.outputPath(), 'note.pdf');
    const pdf = await PDFDocument.create();
    const font = await pdf.embedFont(StandardFonts.Helvetica);
    pdf.addPage([595, 842]).drawText(`Note verbale ${canary} concerning the consular agreement`, {
      x: 50,
      y: 780,
      size: 14,
      font,
    });
    writeFileSync(pdfPath, await pdf.save());

    await page.goto(preview.url);
    await page.getByTestId('top-language-en').check();
    await page.getByRole('link', { name: /Documents/ }).click();

    // First run: token profile.
    await expect(page.getByRole('heading', { level: 1 })).toHaveText('Set up this workstation');
    await page.getByTestId('choose-token').click();
    await page.getByLabel('Token driver (PKCS#11 module)').selectOption('softhsm2');
    // Installed drivers are offered by name, in the interface's language, never as a file path.
    const driver = page.getByTestId('driver');
    await expect(driver.locator('option:checked')).toHaveText(/^SoftHSM2 \(software token/);
    await expect(driver.locator('option[value*="/"], option[value*="\\\\"]')).toHaveCount(0);
    await page.getByTestId('top-language-vi').check();
    await expect(driver.locator('option:checked')).toHaveText(/^SoftHSM2 \(token phần mềm/);
    await page.getByTestId('top-language-en').check();
    // The wizard detects the token on the chosen driver; picking it fills the label.
    await page.getByTestId('detected-token').filter({ hasText: token.label }).click();
    await expect(page.getByTestId('token-label')).toHaveValue(token.label);
    await page.getByTestId('pin').fill(token.pin);
    await page.getByTestId('create-vault').click();
    await expect(page.getByRole('heading', { name: 'The vault is ready' })).toBeVisible({ timeout: 30_000 });

    // Sample data, then the list.
    await page.getByTestId('load-sample').click();
    await expect(page.getByTestId('document-count')).toContainText(/\d+ documents/, { timeout: 30_000 });
    await page.screenshot({ path: info.outputPath('documents-en.png') });

    // Add a document with a PDF.
    await page.getByTestId('add-document').click();
    await page.getByTestId('doc-subject').fill(`Consular agreement ${canary}`);
    await page.getByTestId('doc-classification').selectOption('confidential');
    await page.getByTestId('doc-pdf').setInputFiles(pdfPath);
    await page.getByTestId('doc-save').click();
    await expect(page.getByRole('heading', { level: 1 })).toHaveText(`Consular agreement ${canary}`);
    await expect(
      page.locator('.document-view').getByRole('note', { name: 'Classification: Confidential' }),
    ).toBeVisible();
    // The preview loads the PDF from memory and draws its text (dark pixels on the page).
    await expect(page.getByText('Page 1 of 1')).toBeVisible({ timeout: 20_000 });
    await expect
      .poll(
        () =>
          page.getByTestId('pdf-canvas').evaluate((c: HTMLCanvasElement) => {
            const data =
              c.getContext('2d')?.getImageData(0, 0, c.width, c.height).data ?? new Uint8ClampedArray();
            let dark = 0;
            for (let i = 0; i < data.length; i += 4) if ((data[i] ?? 255) < 100) dark++;
            return dark;
          }),
        { timeout: 20_000 },
      )
      .toBeGreaterThan(100);
    // The page marking follows the open document.
    await expect(page.locator('.app-shell > .classification-banner')).toHaveAttribute(
      'data-classification',
      'confidential',
    );
    await page.screenshot({ path: info.outputPath('document-view-en.png') });

    // Back in the list, it is there.
    await page.getByTestId('back-to-list').click();
    await expect(page.getByRole('grid').getByText(`Consular agreement ${canary}`)).toBeVisible();

    // A file far above a bridge frame (12 MB, not a PDF) goes up piece by piece, byte-exact.
    const bigPath = join(info.outputPath(), 'ho-so-luu-tru.bin');
    const big = randomBytes(12 * 1024 * 1024 + 1234);
    writeFileSync(bigPath, big);
    await page.getByTestId('add-document').click();
    await page.getByTestId('doc-subject').fill(`Archive transfer ${canary}`);
    await page.getByTestId('doc-pdf').setInputFiles(bigPath);
    await page.getByTestId('doc-save').click();
    await page.screenshot({ path: info.outputPath('upload-progress-en.png') });
    await expect(page.getByRole('heading', { level: 1 })).toHaveText(`Archive transfer ${canary}`, {
      timeout: 60_000,
    });
    await expect(page.locator('.document-view').getByText('ho-so-luu-tru.bin')).toBeVisible();
    // Listed with its size (the bytes themselves are checked in tests/integration/vault.test.ts).
    await expect(page.locator('.document-view').getByText('(12 MB)')).toBeVisible();
    await page.getByTestId('back-to-list').click();

    // Search finds it by the text inside the PDF, lower-case.
    await page.getByTestId('search').fill(canary.toLowerCase());
    await expect(page.getByRole('listbox').getByRole('option').first()).toContainText(canary, {
      timeout: 20_000,
    });
    await page.keyboard.press('Escape');

    // Lock: content gone from the page, unlock screen shown.
    await page.getByTestId('lock').click();
    await expect(page.getByRole('heading', { name: 'The vault is locked' })).toBeVisible();
    expect(await page.content()).not.toContain(canary);
    await expect(page.getByTestId('unlock-token')).toHaveText(token.label);
    await expect(page.getByTestId('token-state')).toHaveText('Inserted', { timeout: 20_000 });

    // Wrong PIN: a clear error, still locked.
    await page.getByTestId('unlock-secret').fill('000000');
    await page.getByTestId('unlock').click();
    await expect(page.getByRole('alert')).toContainText(/PIN/i);
    await expect(page.getByRole('heading', { name: 'The vault is locked' })).toBeVisible();

    // Right PIN: back to the documents.
    await page.getByTestId('unlock-secret').fill(token.pin);
    await page.getByTestId('unlock').click();
    await expect(page.getByTestId('document-count')).toBeVisible({ timeout: 30_000 });

    // Wipe, guarded by typing the word.
    await page.getByRole('link', { name: /Settings/ }).click();
    await page.getByTestId('wipe').click();
    await expect(page.getByTestId('wipe-confirm')).toBeDisabled();
    await page.getByTestId('wipe-word').fill('WIPE');
    await page.getByTestId('wipe-confirm').click();
    await expect(page.getByTestId('wiped')).toBeVisible({ timeout: 10_000 });
    await page.screenshot({ path: info.outputPath('wiped-en.png') });

    // The vault is gone: first run again, and no vault file left in the profile.
    await page.getByRole('link', { name: /Documents/ }).click();
    await expect(page.getByRole('heading', { level: 1 })).toHaveText('Set up this workstation');
    const left = existsSync(preview.profileDir)
      ? readdirSync(preview.profileDir, { recursive: true, encoding: 'utf8' })
      : [];
    expect(left.filter((f) => /\.(key|db|db-wal|db-shm)$/.test(f))).toEqual([]);
  } finally {
    await preview.stop();
  }
});

/** The seconds the lock control shows before the idle lock ("Auto-lock in 0:27" → 27). */
async function secondsLeft(page: Page): Promise<number> {
  const text = (await page.getByTestId('idle-countdown').textContent()) ?? '';
  const m = /(\d+):(\d{2})/.exec(text);
  if (!m) throw new Error(`no countdown in "${text}"`);
  return Number(m[1]) * 60 + Number(m[2]);
}

/**
 * Issue 16, item 1, in the page: while the officer gives no input, the page's own background
 * calls (vault and sync status polls every 2 s) must not postpone the idle lock; a key press
 * does; and the page shows the lock when the core locks. The delay is the contract's
 * shortest, 30 s, stored as IT policy would store it.
 */
test('the idle lock counts only officer input, and the page follows it', async ({ page }, info) => {
  test.setTimeout(120_000);
  const profileDir = mkdtempSync(join(tmpdir(), 'embassy-e2e-idle-'));
  writeFileSync(join(profileDir, 'vault-settings.json'), `${JSON.stringify({ idleTimeoutSeconds: 30 })}\n`);
  const preview = await startPreviewProcess({ profileDir });
  try {
    await page.goto(preview.url);
    await page.getByTestId('top-language-en').check();
    await page.getByRole('link', { name: /Documents/ }).click();
    await page.getByTestId('choose-passphrase').click();
    await page.getByTestId('passphrase').fill('correct horse battery staple');
    await page.getByTestId('passphrase-repeat').fill('correct horse battery staple');
    await page.getByTestId('create-vault').click();
    await expect(page.getByRole('heading', { name: 'The vault is ready' })).toBeVisible({ timeout: 30_000 });
    await expect(page.getByTestId('idle-countdown')).toBeVisible();

    // No input for 10 s: five rounds of background polls, and the countdown runs down (when
    // the polls counted as activity, it hovered between 26 and 28 s, reset at every poll).
    const first = await secondsLeft(page);
    await page.waitForTimeout(10_000);
    expect(await secondsLeft(page)).toBeLessThanOrEqual(first - 8);
    await page.screenshot({ path: info.outputPath('idle-countdown-en.png') });

    // A key press is the officer: the countdown starts again from the full delay.
    await page.keyboard.press('Shift');
    await expect.poll(() => secondsLeft(page)).toBeGreaterThanOrEqual(28);

    // Then nothing: the core locks at 30 s and the page shows it (its poll is every 2 s).
    await expect(page.getByRole('heading', { name: 'The vault is locked' })).toBeVisible({
      timeout: 40_000,
    });
    await expect(page.getByTestId('idle-countdown')).toHaveCount(0);
    await expect(page.getByTestId('unlock-secret')).toBeVisible();
  } finally {
    await preview.stop();
  }
});
