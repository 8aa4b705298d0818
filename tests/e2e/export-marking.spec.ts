import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import type { Page } from '@playwright/test';
import { createSoftHsmToken, type SoftHsmToken } from '../fixtures/softhsm';
import { makePdf, nssDbTrusting, pdfsig } from '../fixtures/verifiers';
import { expect, startPreviewProcess, test } from './fixtures';

/**
 * Files leave deliberately, and markings follow what is on screen (issue 16, items 4 and 6), in
 * Chromium through the preview and the real core: a Top secret document signed on a SoftHSM
 * token; saving its signed PDF asks first, naming the marking in both languages (Cancel is the
 * default: Enter on the open dialog saves nothing); once confirmed the download's bytes verify
 * with poppler's pdfsig; the audit log shows the export. A Confidential document's text in
 * the search results raises the page banner to Confidential.
 */
let token: SoftHsmToken;
test.beforeAll(async () => {
  token = await createSoftHsmToken({ label: 'Export E2E', keys: ['rsa'] });
});
test.afterAll(async () => {
  await token?.cleanup();
});

async function addDocument(page: Page, subject: string, classification: string, pdfPath: string) {
  await page.getByRole('link', { name: /Documents|Tài liệu/ }).click();
  await page.getByTestId('add-document').click();
  await page.getByTestId('doc-subject').fill(subject);
  await page.getByTestId('doc-classification').selectOption(classification);
  await page.getByTestId('doc-pdf').setInputFiles(pdfPath);
  await page.getByTestId('doc-save').click();
}

test('save a signed Top secret PDF: confirmation naming the marking, pdfsig-valid bytes, audit record; banner follows search', async ({
  page,
}, info) => {
  test.setTimeout(300_000);
  const preview = await startPreviewProcess({ env: token.env, args: ['--trust', token.ca.rootPath] });
  const shot = (name: string) => info.outputPath(`${name}.png`);
  try {
    await page.goto(preview.url);
    await page.getByTestId('top-language-en').check();
    await page.getByRole('link', { name: /Documents/ }).click();
    await page.getByTestId('choose-token').click();
    await page.getByLabel('Token driver (PKCS#11 module)').selectOption('softhsm2');
    await page.getByTestId('token-label').fill(token.label);
    await page.getByTestId('pin').fill(token.pin);
    await page.getByTestId('create-vault').click();
    await page.getByRole('link', { name: 'Start with an empty vault' }).click();

    const pdfPath = join(info.outputPath(), 'plan.pdf');
    writeFileSync(pdfPath, await makePdf(1));
    await addDocument(page, 'Visit plan for the minister', 'top-secret', pdfPath);
    await expect(page.getByTestId('signature-panel')).toContainText('This PDF is not signed.', {
      timeout: 30_000,
    });
    await page.getByTestId('sign-document').click();
    const signDialog = page.getByRole('dialog');
    await expect(signDialog.getByRole('radio')).toBeChecked({ timeout: 20_000 });
    await signDialog.getByTestId('sign-pin').fill(token.pin);
    await signDialog.getByTestId('sign-submit').click();
    const panel = page.getByTestId('signature-panel');
    await expect(panel.getByTestId('verify-report')).toHaveAttribute('data-verdict', 'valid', {
      timeout: 90_000,
    });
    await expect(page.locator('.app-shell > .classification-banner')).toHaveAttribute(
      'data-classification',
      'top-secret',
    );

    // Save: the dialog names Top secret; Cancel has the focus, so Enter saves nothing.
    const downloads: string[] = [];
    page.on('download', (d) => downloads.push(d.suggestedFilename()));
    await page.getByTestId('attachment-save').click();
    const confirm = page.getByRole('dialog', { name: /Top secret/ });
    await expect(confirm).toBeVisible();
    await expect(confirm.getByTestId('marking-confirm')).toContainText('Top secret');
    await expect(confirm.getByTestId('marking-confirm')).toContainText('Tuyệt mật');
    await expect(confirm.getByTestId('marking-confirm-cancel')).toBeFocused();
    await page.screenshot({ path: shot('confirm-save-en') });
    await page.keyboard.press('Enter');
    await expect(confirm).toBeHidden();
    await page.waitForTimeout(500);
    expect(downloads).toEqual([]);

    // Vietnamese: the same question, naming Tuyệt mật; confirmed, the file downloads.
    await page.getByTestId('top-language-vi').check();
    await page.getByTestId('attachment-save').click();
    const confirmVi = page.getByRole('dialog', { name: /Tuyệt mật/ });
    await expect(confirmVi).toBeVisible();
    await expect(confirmVi.getByTestId('marking-confirm-ok')).toHaveText('Lưu tệp Tuyệt mật');
    await page.screenshot({ path: shot('confirm-save-vi') });
    const [download] = await Promise.all([
      page.waitForEvent('download'),
      confirmVi.getByTestId('marking-confirm-ok').click(),
    ]);
    expect(download.suggestedFilename()).toBe('plan.v1.signed.pdf');
    const saved = info.outputPath('downloaded.signed.pdf');
    await download.saveAs(saved);
    const sigs = await pdfsig(saved, await nssDbTrusting([token.ca.rootPath]));
    expect(sigs).toHaveLength(1);
    expect(sigs[0]).toMatchObject({ valid: true, trusted: true, totalDocument: true });
    await expect(page.getByTestId('attachment-export-status')).toContainText('Đã tải xuống');
    await page.screenshot({ path: shot('saved-vi') });

    // The audit log: the export, with its marking and channel (and the Enter above: nothing).
    await page.getByTestId('top-language-en').check();
    await page.keyboard.press('Alt+5');
    await page.getByTestId('audit-show').click();
    const exported = page
      .getByTestId('audit-table')
      .getByRole('row')
      .filter({ hasText: 'Document exported' });
    await expect(exported).toHaveCount(1);
    await expect(exported).toContainText('Top secret');
    await expect(exported).toContainText('saved to a file');
    await exported.scrollIntoViewIfNeeded();
    await page.screenshot({ path: shot('audit-en') });

    // Search: Confidential text in the results raises the banner from Unclassified.
    writeFileSync(pdfPath, await makePdf(1));
    await page.keyboard.press('Alt+1');
    await page.getByTestId('back-to-list').click();
    await addDocument(page, 'Consular roster quarterly', 'confidential', pdfPath);
    await expect(page.getByTestId('signature-panel')).toBeVisible({ timeout: 30_000 });
    await page.keyboard.press('Alt+6');
    const banner = page.locator('.app-shell > .classification-banner');
    await expect(banner).toHaveAttribute('data-classification', 'unclassified');
    await page.getByTestId('search').fill('roster');
    await expect(page.getByRole('option').filter({ hasText: 'Consular roster' })).toBeVisible({
      timeout: 20_000,
    });
    await expect(banner).toHaveAttribute('data-classification', 'confidential');
    await expect(banner).toContainText('Confidential');
    await page.screenshot({ path: shot('search-banner-en') });
    await page.getByTestId('top-language-vi').check();
    await expect(banner).toContainText('Mật');
    await page.screenshot({ path: shot('search-banner-vi') });
    await page.getByTestId('search').fill('');
    await expect(banner).toHaveAttribute('data-classification', 'unclassified');
  } finally {
    await preview.stop();
  }
});
