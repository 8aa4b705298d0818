import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import type { Page } from '@playwright/test';
import { createSoftHsmToken, type SoftHsmToken } from '../fixtures/softhsm';
import { makePdf } from '../fixtures/verifiers';
import { expect, startPreviewProcess, test } from './fixtures';

/**
 * Issue 16 item 2, end to end, in both languages, through the preview with the real core and a
 * SoftHSM token: register an outgoing note verbale (numbered in its register, two files),
 * edit it (version 2 shown with its changes), submit it for review, approve it with a
 * signature (verified in the history), sign it (the copy named by version), archive it and
 * undo. Buttons are pressed from the keyboard (focus, then Enter) and focus is visible.
 */
let token: SoftHsmToken;
test.beforeAll(async () => {
  token = await createSoftHsmToken({ label: 'Desk E2E', keys: ['rsa'] });
});
test.afterAll(async () => {
  await token?.cleanup();
});

const WORDS = {
  en: {
    status: { inReview: 'In review', approved: 'Approved', signed: 'Signed' },
    subjectField: 'Subject',
    version2: 'Version 2',
    edited: 'edited',
    valid: 'signature valid',
    archived: 'was archived',
    english: [] as string[],
  },
  vi: {
    status: { inReview: 'Đang duyệt', approved: 'Đã phê duyệt', signed: 'Đã ký' },
    subjectField: 'Trích yếu',
    version2: 'Phiên bản 2',
    edited: 'sửa đổi',
    valid: 'chữ ký hợp lệ',
    archived: 'Đã lưu trữ',
    // English words that must not appear in the Vietnamese document view.
    english: ['created', 'edited', 'Version', 'Sent', 'Approved', 'History', 'signature valid'],
  },
} as const;

/** Press a button the way a keyboard user does: focus it, check the focus shows, Enter. */
async function press(page: Page, testId: string): Promise<void> {
  const button = page.getByTestId(testId);
  await button.focus();
  // Arrive by keyboard (Tab away and back), as a keyboard user would, so the focus ring shows.
  await page.keyboard.press('Tab');
  await page.keyboard.press('Shift+Tab');
  await expect(button).toBeFocused();
  const outline = await button.evaluate((el) => {
    const style = getComputedStyle(el);
    return el.matches(':focus-visible') ? `${style.outlineStyle} ${style.outlineWidth}` : 'not focus-visible';
  });
  expect(outline).not.toBe('not focus-visible');
  expect(outline).not.toMatch(/^none/);
  await page.keyboard.press('Enter');
}

for (const lang of ['en', 'vi'] as const) {
  test(`register, edit, review, approve and sign a note verbale (${lang})`, async ({ page }, info) => {
    test.setTimeout(240_000);
    const w = WORDS[lang];
    const shot = (name: string) => info.outputPath(`${name}-${lang}.png`);
    const preview = await startPreviewProcess({ env: token.env, args: ['--trust', token.ca.rootPath] });
    try {
      const pdfPath = join(info.outputPath(), 'letter.pdf');
      writeFileSync(pdfPath, await makePdf(1));
      const notePath = join(info.outputPath(), 'annex.txt');
      writeFileSync(notePath, 'Phụ lục: danh sách đoàn.\n');

      await page.goto(preview.url);
      await page.getByTestId('top-language-en').check();
      await page.getByRole('link', { name: /Documents/ }).click();
      await page.getByTestId('choose-token').click();
      await page.getByLabel('Token driver (PKCS#11 module)').selectOption('softhsm2');
      await page.getByTestId('token-label').fill(token.label);
      await page.getByTestId('pin').fill(token.pin);
      await page.getByTestId('create-vault').click();
      await page.getByRole('link', { name: 'Start with an empty vault' }).click();
      await page.getByTestId(`top-language-${lang}`).check();

      // Register: outgoing, note verbale (the defaults), two files.
      await press(page, 'add-document');
      await page.getByTestId('doc-subject').fill('Công hàm đề nghị cấp thị thực');
      await expect(page.getByTestId('doc-direction')).toHaveValue('outgoing');
      await expect(page.getByTestId('doc-kind')).toHaveValue('note-verbale');
      await page.getByTestId('doc-pdf').setInputFiles([pdfPath, notePath]);
      await expect(page.getByRole('dialog')).toContainText('annex.txt');
      await page.screenshot({ path: shot('workflow-add') });
      await press(page, 'doc-save');
      await expect(page.getByTestId('document-number')).toHaveText(/^1\/\d{4}\/NV$/, { timeout: 20_000 });
      await expect(page.getByText('annex.txt')).toBeVisible();

      // Edit: version 2 with its change, in the UI's language.
      await press(page, 'edit-document');
      await page.getByTestId('edit-subject').fill('Công hàm đề nghị cấp thị thực ngoại giao');
      await press(page, 'edit-save');
      const v2 = page.getByTestId('version-2');
      await expect(v2).toContainText(w.version2);
      await expect(v2).toContainText(w.edited);
      await expect(v2).toContainText(`${w.subjectField}:`);
      await expect(v2).toContainText('Công hàm đề nghị cấp thị thực ngoại giao');
      await v2.scrollIntoViewIfNeeded();
      await page.screenshot({ path: shot('workflow-version2') });

      // Review, then approval: the token signs version 2.
      await press(page, 'move-in-review');
      await expect(page.getByTestId('document-status')).toHaveText(w.status.inReview);
      // Cancel leaves it in review, nothing signed.
      await press(page, 'move-approved');
      await expect(page.getByRole('dialog')).toBeVisible();
      await press(page, 'approve-cancel');
      await expect(page.getByRole('dialog')).toHaveCount(0);
      await expect(page.getByTestId('document-status')).toHaveText(w.status.inReview);
      await press(page, 'move-approved');
      const dialog = page.getByRole('dialog');
      await expect(dialog.getByRole('radio')).toBeChecked({ timeout: 20_000 });
      await dialog.getByTestId('approve-pin').fill(token.pin);
      await press(page, 'approve-submit');
      await expect(page.getByTestId('document-status')).toHaveText(w.status.approved, { timeout: 30_000 });
      const approval = page.getByTestId('approval');
      await expect(approval).toHaveAttribute('data-verdict', 'valid');
      await expect(approval).toContainText(w.valid);

      // Sign: the copy is named by the version it signs.
      await press(page, 'sign-document');
      const sign = page.getByRole('dialog');
      await expect(sign.getByRole('radio')).toBeChecked({ timeout: 20_000 });
      await sign.getByTestId('sign-pin').fill(token.pin);
      await press(page, 'sign-submit');
      await expect(page.getByTestId('signature-panel').getByTestId('verify-report')).toHaveAttribute(
        'data-verdict',
        'valid',
        { timeout: 60_000 },
      );
      await expect(page.getByText('letter.v2.signed.pdf')).toBeVisible();
      await expect(page.getByTestId('document-status')).toHaveText(w.status.signed);
      await expect(page.getByTestId('document-history').locator('li')).toHaveCount(3);
      await page.screenshot({ path: shot('workflow-signed') });
      await page.getByTestId('document-history').scrollIntoViewIfNeeded();
      await page.screenshot({ path: shot('workflow-history') });
      if (w.english.length) {
        const side = (await page.locator('.document-side').innerText()).replace(
          /letter\.v2\.signed\.pdf/g,
          '',
        );
        for (const word of w.english) expect(side).not.toContain(word);
      }

      // Archive, with undo.
      await press(page, 'archive-document');
      await expect(page.getByTestId('archived-notice')).toContainText(w.archived);
      await expect(page.getByTestId('document-count')).toContainText('0');
      await page.screenshot({ path: shot('workflow-archived') });
      await press(page, 'archive-undo');
      await expect(page.getByTestId('document-count')).toContainText('1');
    } finally {
      await preview.stop();
    }
  });
}
