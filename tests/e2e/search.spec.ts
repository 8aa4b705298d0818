import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { makeDocx } from '../fixtures/office-files';
import { expect, startPreviewProcess, test } from './fixtures';

/**
 * Search that shows context (issue 16, item 8) in the browser against the real core: a word
 * only inside a .docx attachment finds its document, the hit names the document, its number
 * and marking; Enter in the search box opens the full results page, whose hits are reached
 * and opened from the keyboard; in English and Vietnamese, with screenshots.
 */
test('a word in a .docx attachment finds its document, with context, by keyboard', async ({ page }, info) => {
  test.setTimeout(180_000);
  const preview = await startPreviewProcess({});
  const secret = 'correct horse battery staple';
  const word = `Kangaroo${Date.now() % 100000}`;
  try {
    const docxPath = join(info.outputPath(), 'cong-ham.docx');
    writeFileSync(docxPath, makeDocx(['Đề nghị gia hạn thị thực cho đoàn', `Mã hồ sơ ${word}`]));

    await page.goto(preview.url);
    await page.getByTestId('top-language-en').check();
    await page.getByRole('link', { name: /Documents/ }).click();
    await page.getByTestId('choose-passphrase').click();
    await page.getByTestId('passphrase').fill(secret);
    await page.getByTestId('passphrase-repeat').fill(secret);
    await page.getByTestId('create-vault').click();
    await expect(page.getByRole('heading', { name: 'The vault is ready' })).toBeVisible({ timeout: 30_000 });
    await page.getByTestId('load-sample').click();
    await expect(page.getByTestId('document-count')).toContainText(/\d+ documents/, { timeout: 30_000 });

    await page.getByTestId('add-document').click();
    await page.getByTestId('doc-subject').fill('Visa extension for the delegation');
    await page.getByTestId('doc-classification').selectOption('confidential');
    await page.getByTestId('doc-pdf').setInputFiles(docxPath);
    await page.getByTestId('doc-save').click();
    await expect(page.getByRole('heading', { level: 1 })).toHaveText('Visa extension for the delegation', {
      timeout: 30_000,
    });
    await page.getByTestId('back-to-list').click();

    // The dropdown: the attachment hit, with its document and marking.
    await page.keyboard.press('Control+k');
    await page.keyboard.type(word.toLowerCase());
    const option = page.getByRole('listbox').getByRole('option').first();
    await expect(option).toContainText('cong-ham.docx', { timeout: 20_000 });
    await expect(option).toContainText('in “Visa extension for the delegation”');
    await expect(option).toContainText('Confidential');
    await expect(option.locator('mark')).toHaveText(word);
    await page.screenshot({ path: info.outputPath('search-dropdown-en.png') });

    // Enter opens the full results page; its hits are buttons the keyboard reaches.
    await page.keyboard.press('Enter');
    await expect(page.getByRole('heading', { level: 1 })).toHaveText(
      `Search results for “${word.toLowerCase()}”`,
    );
    const results = page.getByTestId('search-page-results').getByRole('button');
    await expect(results).toHaveCount(1);
    await expect(results.first()).toContainText('Confidential');
    await expect(page.locator('.app-shell > .classification-banner')).toHaveAttribute(
      'data-classification',
      'confidential',
    );
    await page.screenshot({ path: info.outputPath('search-page-en.png') });

    // Vietnamese: the same page in the other language.
    await page.getByTestId('top-language-vi').check();
    await expect(page.getByRole('heading', { level: 1 })).toHaveText(
      `Kết quả tìm kiếm cho “${word.toLowerCase()}”`,
    );
    await expect(results.first()).toContainText('trong “Visa extension for the delegation”');
    await expect(results.first()).toContainText('Mật');
    await page.screenshot({ path: info.outputPath('search-page-vi.png') });

    // A new query from the page's own form, then the hit opened from the keyboard.
    await page.getByTestId('search-page-query').fill('gia han thi thuc');
    await page.keyboard.press('Enter');
    await expect(results.first()).toContainText('cong-ham.docx', { timeout: 20_000 });
    await page.keyboard.press('Tab');
    await page.keyboard.press('Tab');
    await expect(results.first()).toBeFocused();
    await page.keyboard.press('Enter');
    await expect(page.getByRole('heading', { level: 1 })).toHaveText('Visa extension for the delegation');
    await page.screenshot({ path: info.outputPath('search-opened-vi.png') });
  } finally {
    await preview.stop();
  }
});
