import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import AxeBuilder from '@axe-core/playwright';
import type { Page } from '@playwright/test';
import { makePdf } from '../fixtures/verifiers';
import { createSoftHsmToken, type SoftHsmToken } from '../fixtures/softhsm';
import { expect, startPreviewProcess, test } from './fixtures';

/**
 * Issue 16 (signing and first run) end to end in Chromium, through the preview and the real
 * core with a SoftHSM token: the first run binds the vault through the certificate picker (no
 * hex key id); a batch with one document that cannot be signed says "2 of 3 signed" and names
 * it; a document with only a .txt is not offered for PAdES and is signed from the UI as a
 * detached .p7s (CAdES); both languages, screenshots taken.
 */
let token: SoftHsmToken;
test.beforeAll(async () => {
  token = await createSoftHsmToken({ label: 'Batch E2E', keys: ['rsa'] });
});
test.afterAll(async () => {
  await token?.cleanup();
});

async function addDocument(page: Page, subject: string, file: string): Promise<void> {
  const back = page.getByTestId('back-to-list');
  if (await back.isVisible()) await back.click();
  await page.getByTestId('add-document').click();
  await page.getByTestId('doc-subject').fill(subject);
  await page.getByTestId('doc-pdf').setInputFiles(file);
  await page.getByTestId('doc-save').click();
  await expect(page.getByRole('heading', { name: subject })).toBeVisible({ timeout: 20_000 });
}

test('first run with the certificate picker; batch n of m with the failure named; CAdES from the UI; both languages', async ({
  page,
}, info) => {
  test.setTimeout(240_000);
  const preview = await startPreviewProcess({ env: token.env, args: ['--trust', token.ca.rootPath] });
  try {
    await page.goto(preview.url);
    await page.getByTestId('top-language-vi').check();
    await page
      .getByRole('link', { name: /Văn bản/ })
      .first()
      .click();
    await page.getByTestId('choose-token').click();
    await page.getByTestId('driver').selectOption('softhsm2');

    // The certificate picker: holder, issuer, validity and key type; no hex field.
    const picker = page.locator('fieldset.cert-picker');
    await expect(picker.getByRole('radio').first()).toBeChecked({ timeout: 30_000 });
    await expect(picker).toContainText('khoá RSA');
    await expect(picker).toContainText('hiệu lực');
    await expect(page.getByText(/Key ID|mã khoá dạng hex/i)).toHaveCount(0);
    await expect(page.getByTestId('token-label')).toHaveValue(token.label);
    // No button without a name (SoftHSM lists an empty slot beside the token).
    const axeVi = await new AxeBuilder({ page }).withRules(['button-name']).analyze();
    expect(axeVi.violations).toEqual([]);
    await page.screenshot({ path: info.outputPath('first-run-picker-vi.png'), fullPage: true });
    await page.getByTestId('top-language-en').check();
    await expect(picker).toContainText('RSA key');
    await expect(picker).toContainText(/valid .* – /);
    await page.screenshot({ path: info.outputPath('first-run-picker-en.png'), fullPage: true });

    // A wrong PIN at vault creation stays on the token form, not on the passphrase form.
    await page.getByTestId('pin').fill('000000');
    await page.getByTestId('create-vault').click();
    await expect(page.locator('.field-error')).toBeVisible({ timeout: 30_000 });
    await page.getByRole('button', { name: 'Back' }).click();
    await page.getByTestId('choose-passphrase').click();
    await expect(page.locator('.field-error')).toHaveCount(0);
    await page.getByRole('button', { name: 'Back' }).click();
    await page.getByTestId('choose-token').click();
    await page.getByTestId('driver').selectOption('softhsm2');
    await expect(page.locator('fieldset.cert-picker').getByRole('radio').first()).toBeChecked({
      timeout: 30_000,
    });
    await page.getByTestId('pin').fill(token.pin);
    await page.getByTestId('create-vault').click();
    await page.getByRole('link', { name: 'Start with an empty vault' }).click();

    const dir = info.outputPath();
    const pdf = async (n: number) => {
      const p = join(dir, `letter-${n}.pdf`);
      writeFileSync(p, await makePdf(1));
      return p;
    };
    const broken = join(dir, 'broken.pdf');
    writeFileSync(broken, '%PDF-1.7\nthis is not a PDF at all\n%%EOF\n');
    const txt = join(dir, 'minutes.txt');
    writeFileSync(txt, 'Biên bản họp — minutes of the meeting\n');
    await addDocument(page, 'Note verbale one', await pdf(1));
    await addDocument(page, 'Note verbale two', await pdf(2));
    await addDocument(page, 'Damaged scan', broken);
    await addDocument(page, 'Minutes as text', txt);

    // PAdES: the text-only document is not offered; one damaged PDF fails by name.
    await page.getByRole('link', { name: /Sign/ }).first().click();
    const picks = page.getByTestId('pick-document');
    await expect(picks).toHaveCount(3, { timeout: 20_000 });
    await expect(page.locator('.doc-picker')).not.toContainText('Minutes as text');
    await expect(page.getByTestId('sign-without-pdf')).toBeVisible();
    await page.getByText(/Select all/).click();
    await expect(page.locator('.cert-picker').getByRole('radio')).toBeChecked({ timeout: 20_000 });
    await page.getByTestId('sign-pin').fill(token.pin);
    await page.getByTestId('sign-submit').click();
    await expect(page.getByTestId('sign-progress')).toHaveText('2 of 3 signed', { timeout: 60_000 });
    await expect(page.getByTestId('sign-failure')).toHaveCount(1);
    await expect(page.getByTestId('sign-failure')).toContainText('Damaged scan');
    await expect(page.getByTestId('sign-failure')).toContainText('cannot be signed');
    await page.screenshot({ path: info.outputPath('batch-en.png'), fullPage: true });
    await page.getByTestId('top-language-vi').check();
    await expect(page.getByTestId('sign-progress')).toHaveText('Đã ký 2/3 văn bản');
    await expect(page.getByTestId('sign-failures')).toContainText('Chưa được ký (1):');
    await page.screenshot({ path: info.outputPath('batch-vi.png'), fullPage: true });

    // CAdES: any file, as a detached .p7s stored beside it.
    await page.getByTestId('sign-format-cades').check();
    await expect(page.locator('.doc-picker')).toContainText('Minutes as text');
    // The document that failed stays selected for another try: as a .p7s it signs.
    await expect(
      page.locator('.doc-picker label', { hasText: 'Damaged scan' }).getByRole('checkbox'),
    ).toBeChecked();
    await page.locator('.doc-picker label', { hasText: 'Minutes as text' }).getByRole('checkbox').check();
    await expect(page.getByTestId('sign-cades-note')).toBeVisible();
    await expect(page.getByText('Hiển thị dấu ký trên trang đầu')).toHaveCount(0);
    await page.getByTestId('sign-pin').fill(token.pin);
    await page.getByTestId('sign-submit').click();
    await expect(page.getByTestId('sign-progress')).toHaveText('Đã ký 2/2 văn bản', { timeout: 60_000 });
    await expect(page.getByTestId('sign-failure')).toHaveCount(0);
    await page.screenshot({ path: info.outputPath('cades-vi.png'), fullPage: true });
    await page
      .getByRole('link', { name: /Văn bản/ })
      .first()
      .click();
    await page.getByText('Minutes as text').first().click();
    await expect(page.getByText('minutes.txt.p7s')).toBeVisible({ timeout: 20_000 });
    await page.screenshot({ path: info.outputPath('cades-document-vi.png'), fullPage: true });

    // The trust anchors in use, in Settings: the --trust root, with its subject and source.
    await page
      .getByRole('link', { name: /Cài đặt/ })
      .first()
      .click();
    const anchors = page.getByTestId('trust-anchor');
    await expect(anchors.first()).toBeVisible({ timeout: 20_000 });
    await expect(page.getByTestId('trust-anchors')).toContainText('Test Root CA');
    await expect(page.getByTestId('trust-anchors')).toContainText('Cấu hình khi khởi động');
    await page.getByTestId('trust-anchors').screenshot({ path: info.outputPath('trust-anchors-vi.png') });
    await page.getByTestId('top-language-en').check();
    await expect(page.getByTestId('trust-anchors')).toContainText('Given at start');
    await page.getByTestId('trust-anchors').screenshot({ path: info.outputPath('trust-anchors-en.png') });
  } finally {
    await preview.stop();
  }
});
