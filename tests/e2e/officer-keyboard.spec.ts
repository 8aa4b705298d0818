import type { Page } from '@playwright/test';
import { expect, startPreviewProcess, test } from './fixtures';

/**
 * Issue 16, items 7 and 9, by keyboard alone, in both languages: the app starts on first run
 * (not About); the tour is offered, stepped through and skipped; F1 opens the help for the
 * screen on show and Escape closes it; a filled form asks before Escape discards it; a
 * document opened from the list is left with Escape, the back button or Alt+1, and focus comes
 * back to its row each time.
 */
const TEXT = {
  vi: {
    firstRun: 'Thiết lập trạm làm việc',
    documents: 'Văn bản',
    tour: 'Giới thiệu nhanh',
    step1: 'Bước 1/4',
    step2: 'Bước 2/4',
    help: 'Trợ giúp',
    discard: 'Bỏ các thay đổi?',
  },
  en: {
    firstRun: 'Set up this workstation',
    documents: 'Documents',
    tour: 'A short tour',
    step1: 'Step 1 of 4',
    step2: 'Step 2 of 4',
    help: 'Help',
    discard: 'Discard your changes?',
  },
} as const;

const focused = (page: Page) =>
  page.evaluate(() => {
    const el = document.activeElement;
    return {
      tag: el?.tagName.toLowerCase() ?? '',
      testid: el?.getAttribute('data-testid') ?? '',
      role: el?.getAttribute('role') ?? '',
      active: el?.getAttribute('aria-activedescendant') ?? '',
      text: (el?.textContent ?? '').slice(0, 80),
    };
  });

/** Tab from the current focus until `testid` has it (at most 40 presses). */
async function tabTo(page: Page, testid: string) {
  for (let i = 0; i < 40; i++) {
    if ((await focused(page)).testid === testid) return;
    await page.keyboard.press('Tab');
  }
  throw new Error(`Tab never reached ${testid}`);
}

for (const lang of ['vi', 'en'] as const) {
  test(`keyboard only: start screen, tour, help, discard, document and back (${lang})`, async ({
    page,
  }, info) => {
    test.setTimeout(240_000);
    const T = TEXT[lang];
    const preview = await startPreviewProcess();
    try {
      await page.goto(preview.url);
      if (lang === 'en') {
        await page.getByTestId('top-language-en').check();
        await page.reload();
      }
      // Starts on first run, under Documents; never About.
      await expect(page.getByRole('heading', { level: 1 })).toHaveText(T.firstRun);
      await expect(page.locator('.nav-link[aria-current=page]')).toHaveAttribute('data-route', 'documents');

      // The tour: offered, opened with the keyboard, stepped, skipped with Escape.
      await page.locator('body').focus();
      await tabTo(page, 'tour-start');
      await page.keyboard.press('Enter');
      const tour = page.getByTestId('tour-dialog');
      await expect(tour.getByRole('heading', { level: 2 })).toHaveText(T.tour);
      await expect(tour).toContainText(T.step1);
      expect((await focused(page)).tag).toBe('h3');
      await tabTo(page, 'tour-next');
      await page.keyboard.press('Enter');
      await expect(tour).toContainText(T.step2);
      await page.screenshot({ path: info.outputPath(`tour-${lang}.png`) });
      await page.keyboard.press('Escape');
      await expect(tour).toBeHidden();

      // F1: help for this screen (first run), Escape closes it.
      await page.keyboard.press('F1');
      const help = page.getByTestId('help-dialog');
      await expect(help.getByRole('heading', { level: 2 })).toHaveText(T.help);
      await expect(page.getByTestId('help-context')).toHaveAttribute('data-context', 'firstRun');
      await page.keyboard.press('Escape');
      await expect(help).toBeHidden();

      // A passphrase vault (keyboard), sample data.
      await tabTo(page, 'choose-passphrase');
      await page.keyboard.press('Enter');
      await page.keyboard.press('Tab');
      await tabTo(page, 'passphrase');
      await page.keyboard.type('correct horse battery staple');
      await page.keyboard.press('Tab');
      await page.keyboard.type('correct horse battery staple');
      await page.keyboard.press('Enter');
      await expect(page.getByTestId('load-sample')).toBeVisible({ timeout: 90_000 });
      await page.locator('body').focus();
      await tabTo(page, 'load-sample');
      await page.keyboard.press('Enter');
      const grid = page.getByRole('grid');
      await expect(grid).toBeVisible({ timeout: 90_000 });

      // Help follows the screen: now the document list.
      await page.keyboard.press('F1');
      await expect(page.getByTestId('help-context')).toHaveAttribute('data-context', 'documents');
      await page.screenshot({ path: info.outputPath(`help-documents-${lang}.png`) });
      await page.keyboard.press('Escape');

      // A filled form: Escape asks first; Escape again keeps the work; Discard throws it away.
      await tabTo(page, 'add-document');
      await page.keyboard.press('Enter');
      await expect(page.getByTestId('doc-subject')).toBeFocused();
      await page.keyboard.type('Công hàm về lịch làm việc');
      await page.keyboard.press('Escape');
      const discard = page.getByTestId('discard-dialog');
      await expect(discard.getByRole('heading')).toHaveText(T.discard);
      await expect(page.getByTestId('discard-keep')).toBeFocused();
      await page.screenshot({ path: info.outputPath(`discard-${lang}.png`) });
      await page.keyboard.press('Escape');
      await expect(discard).toHaveCount(0);
      await expect(page.getByTestId('doc-subject')).toHaveValue('Công hàm về lịch làm việc');
      await page.keyboard.press('Escape');
      await page.getByTestId('discard-confirm').focus();
      await page.keyboard.press('Enter');
      await expect(page.locator('dialog[open]')).toHaveCount(0);
      // An empty form closes on Escape without asking (nothing to lose).
      await expect(page.getByTestId('add-document')).toBeFocused();
      await page.keyboard.press('Enter');
      await expect(page.getByTestId('doc-subject')).toHaveValue('');
      await page.keyboard.press('Escape');
      await expect(page.locator('dialog[open]')).toHaveCount(0);

      // Open the third document from the grid; focus lands on its title.
      await tabTo(page, 'grid');
      await page.keyboard.press('ArrowDown');
      await page.keyboard.press('ArrowDown');
      // The active row's index (the id's prefix is React's, new each time the grid mounts).
      const rowOf = async () => (await focused(page)).active.replace(/^.*-row-/, 'row-');
      const row = await rowOf();
      expect(row).toBe('row-2');
      await page.keyboard.press('Enter');
      await expect(page.getByTestId('back-to-list')).toBeVisible();
      expect((await focused(page)).tag).toBe('h1');
      await page.keyboard.press('F1');
      await expect(page.getByTestId('help-context')).toHaveAttribute('data-context', 'document');
      await page.keyboard.press('Escape');
      await expect(page.getByTestId('help-dialog')).toBeHidden();
      await expect(page.getByTestId('back-to-list')).toBeVisible(); // Escape closed help only

      // Escape leaves the document; focus is back on the grid, on the same row.
      await page.keyboard.press('Escape');
      await expect(grid).toBeFocused();
      expect(await rowOf()).toBe(row);

      // Alt+1 leaves it too (already on Documents: no hash change), focus back on the row.
      await page.keyboard.press('Enter');
      await expect(page.getByTestId('back-to-list')).toBeVisible();
      await page.keyboard.press('Alt+1');
      await expect(grid).toBeFocused();
      expect(await rowOf()).toBe(row);

      // The back button, by keyboard.
      await page.keyboard.press('Enter');
      await expect(page.getByTestId('back-to-list')).toBeVisible();
      await page.getByTestId('back-to-list').focus();
      await page.keyboard.press('Enter');
      await expect(grid).toBeFocused();
      expect(await rowOf()).toBe(row);
      await page.screenshot({ path: info.outputPath(`focus-returned-${lang}.png`) });

      // Help → the tour again.
      await page.keyboard.press('F1');
      await page.getByTestId('help-tour').focus();
      await page.keyboard.press('Enter');
      await expect(page.getByTestId('tour-dialog')).toBeVisible();
      await expect(page.getByTestId('help-dialog')).toBeHidden();
      await page.getByTestId('tour-skip').focus();
      await page.keyboard.press('Enter');
      await expect(page.locator('dialog[open]')).toHaveCount(0);
    } finally {
      await preview.stop();
    }
  });
}
