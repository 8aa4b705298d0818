import AxeBuilder from '@axe-core/playwright';
import type { Page } from '@playwright/test';
import { createSoftHsmToken, type SoftHsmToken } from '../fixtures/softhsm';
import { makePdf } from '../fixtures/verifiers';
import { expect, startPreviewProcess, test } from './fixtures';

/**
 * axe-core on every main screen and dialog, in both languages: 0 violations of WCAG 2.0/2.1
 * A and AA, plus axe's best practices (which hold `region`: all content inside landmarks).
 *
 * One officer's walk through the app, as a table: each step opens a screen or a dialog from
 * where the previous one left off, is checked, and (for a dialog) is closed again. To cover a
 * new screen or dialog, add a step where the walk reaches it. A step that cannot open its
 * screen fails the test (a check of the wrong screen would pass for nothing).
 */
const TAGS = ['wcag2a', 'wcag2aa', 'wcag21a', 'wcag21aa', 'best-practice'];
const PASSPHRASE = 'correct horse battery staple';

type Lang = 'vi' | 'en';
interface Step {
  readonly name: string;
  /** Opens the screen or dialog, and waits until it is shown. */
  readonly open: (page: Page, lang: Lang) => Promise<void>;
  /** For a dialog: closes it (the walk goes on from the screen under it). */
  readonly close?: (page: Page) => Promise<void>;
}

const h1 = (page: Page) => page.getByRole('heading', { level: 1 });
const dialog = (page: Page) => page.locator('dialog[open]');
const escape = async (page: Page) => {
  await page.keyboard.press('Escape');
  await expect(dialog(page)).toHaveCount(0);
};
const go = async (page: Page, route: string) => {
  await page.locator(`.nav-link[data-route=${route}]`).click();
  await expect(page.locator('main')).toHaveAttribute('data-route', route);
  await expect(h1(page)).toBeVisible();
};

const WALK: readonly Step[] = [
  { name: 'first run', open: async (page) => expect(page.getByTestId('choose-token')).toBeVisible() },
  {
    name: 'dialog: tour',
    open: async (page) => {
      await page.getByTestId('tour-start').click();
      await expect(page.getByTestId('tour-dialog')).toBeVisible();
    },
    close: escape,
  },
  {
    name: 'dialog: help (first run)',
    open: async (page) => {
      await page.keyboard.press('F1');
      await expect(page.getByTestId('help-dialog')).toBeVisible();
      await page.getByTestId('help-q-token').locator('summary').click();
    },
    close: escape,
  },
  {
    name: 'first run: token',
    open: async (page) => {
      await page.getByTestId('choose-token').click();
      await page.getByTestId('driver').selectOption('softhsm2');
      await expect(page.getByTestId('detected-token').first()).toBeVisible({ timeout: 20_000 });
    },
  },
  {
    name: 'first run: passphrase',
    open: async (page) => {
      await page.reload();
      await page.getByTestId('choose-passphrase').click();
      await expect(page.getByTestId('passphrase')).toBeVisible();
    },
  },
  {
    name: 'first run: vault ready',
    open: async (page) => {
      await page.getByTestId('passphrase').fill(PASSPHRASE);
      await page.getByTestId('passphrase-repeat').fill(PASSPHRASE);
      await page.getByTestId('create-vault').click();
      // Key derivation for a passphrase takes seconds, many more on a loaded machine.
      await expect(page.getByTestId('load-sample')).toBeVisible({ timeout: 90_000 });
    },
  },
  {
    name: 'documents',
    open: async (page) => {
      await page.getByTestId('load-sample').click();
      await expect(page.getByRole('grid')).toBeVisible({ timeout: 30_000 });
      await expect(page.getByRole('row').nth(1)).toBeVisible();
    },
  },
  {
    name: 'dialog: add document',
    open: async (page) => {
      await page.getByTestId('add-document').click();
      await expect(dialog(page)).toBeVisible();
    },
    close: escape,
  },
  {
    name: 'dialog: discard changes?',
    open: async (page) => {
      await page.getByTestId('add-document').click();
      await page.getByTestId('doc-subject').fill('Draft note');
      await page.keyboard.press('Escape');
      await expect(page.getByTestId('discard-dialog')).toBeVisible();
    },
    close: async (page) => {
      await page.getByTestId('discard-confirm').click();
      await expect(dialog(page)).toHaveCount(0);
    },
  },
  {
    name: 'dialog: help (documents)',
    open: async (page) => {
      await page.getByTestId('help-button').click();
      await expect(page.getByTestId('help-dialog')).toBeVisible();
    },
    close: escape,
  },
  {
    name: 'document view',
    open: async (page) => {
      // The first document with a PDF (so that signing is offered too).
      const grid = page.getByRole('grid');
      for (let i = 0; i < 12; i++) {
        await grid.focus();
        for (let down = 0; down < i; down++) await page.keyboard.press('ArrowDown');
        await page.keyboard.press('Enter');
        await expect(page.getByTestId('back-to-list')).toBeVisible();
        if ((await page.getByTestId('sign-document').count()) > 0) return;
        await page.getByTestId('back-to-list').click();
      }
      throw new Error('no sample document with a PDF');
    },
  },
  {
    name: 'dialog: send to headquarters',
    open: async (page) => {
      await page.getByTestId('send-to-hq').click();
      await expect(dialog(page)).toBeVisible();
    },
    close: escape,
  },
  {
    name: 'dialog: sign',
    open: async (page) => {
      await page.getByTestId('sign-document').click();
      await expect(dialog(page)).toBeVisible();
    },
    close: escape,
  },
  {
    name: 'dialog: add files',
    open: async (page) => {
      await page.getByTestId('add-attachments').click();
      await expect(dialog(page)).toBeVisible();
    },
    close: escape,
  },
  {
    name: 'document view: a new Top secret draft',
    open: async (page) => {
      await page.getByTestId('back-to-list').click();
      await page.getByTestId('add-document').click();
      await page.getByTestId('doc-subject').fill('Kế hoạch chuyến thăm');
      await page.getByTestId('doc-classification').selectOption('top-secret');
      await page.getByTestId('doc-pdf').setInputFiles({
        name: 'plan.pdf',
        mimeType: 'application/pdf',
        buffer: await makePdf(1),
      });
      await page.getByTestId('doc-save').click();
      await expect(page.getByTestId('workflow-panel')).toBeVisible({ timeout: 30_000 });
      await expect(page.getByTestId('attachment-save')).toBeVisible({ timeout: 30_000 });
    },
  },
  {
    name: 'dialog: edit document',
    open: async (page) => {
      await page.getByTestId('edit-document').click();
      await expect(dialog(page)).toBeVisible();
    },
    close: escape,
  },
  {
    name: 'dialog: confirm the marking (save)',
    open: async (page) => {
      await page.getByTestId('attachment-save').click();
      await expect(page.getByTestId('marking-confirm')).toBeVisible();
    },
    close: escape,
  },
  {
    name: 'dialog: approve',
    open: async (page) => {
      await page.getByTestId('move-in-review').click();
      await page.getByTestId('move-approved').click();
      await expect(page.getByTestId('approve-form')).toBeVisible();
    },
    close: escape,
  },
  {
    name: 'search results page',
    open: async (page) => {
      await page.getByTestId('search').fill('chuyến thăm');
      await page.getByTestId('search').press('Enter');
      await expect(page.locator('main')).toHaveAttribute('data-route', 'search');
      await expect(page.getByTestId('search-page-results')).toBeVisible();
    },
  },
  { name: 'messages', open: (page) => go(page, 'messages') },
  {
    name: 'messages: compose',
    open: async (page) => {
      await page.getByTestId('message-new').click();
      await expect(page.getByTestId('compose-title')).toBeVisible();
    },
  },
  { name: 'sign', open: (page) => go(page, 'sign') },
  { name: 'sync', open: (page) => go(page, 'sync') },
  { name: 'settings', open: (page) => go(page, 'settings') },
  {
    name: 'dialog: wipe',
    open: async (page) => {
      await page.getByTestId('wipe').click();
      await expect(dialog(page)).toBeVisible();
    },
    close: escape,
  },
  { name: 'about', open: (page) => go(page, 'about') },
  {
    name: 'unlock (after Lock)',
    open: async (page) => {
      await page.getByTestId('lock').click();
      await go(page, 'documents');
      await expect(page.getByTestId('unlock-secret')).toBeVisible();
    },
  },
];

let token: SoftHsmToken;
test.beforeAll(async () => {
  token = await createSoftHsmToken({ label: 'Officer A11y', keys: ['rsa'] });
});
test.afterAll(async () => {
  await token?.cleanup();
});

for (const lang of ['vi', 'en'] as const) {
  test(`axe finds nothing on every main screen and dialog (${lang})`, async ({ page }, info) => {
    // About 35 steps, each an axe run over the whole page: minutes on a loaded 2-core machine.
    test.setTimeout(480_000);
    const preview = await startPreviewProcess({ env: token.env });
    try {
      await page.goto(preview.url);
      await page.getByTestId(`top-language-${lang}`).check();
      await expect(page.locator('html')).toHaveAttribute('lang', lang);
      const found: string[] = [];
      for (const step of WALK) {
        await step.open(page, lang);
        const result = await new AxeBuilder({ page }).withTags(TAGS).analyze();
        for (const v of result.violations)
          found.push(
            `${step.name}: ${v.id} (${v.impact}) ${v.help}\n    ${v.nodes
              .slice(0, 3)
              .map((n) => `${n.target.join(' ')} ${n.failureSummary?.split('\n')[1] ?? ''}`)
              .join('\n    ')}`,
          );
        const file = step.name.replace(/[^a-z]+/gi, '-').toLowerCase();
        await page.screenshot({ path: info.outputPath(`a11y-${file}-${lang}.png`) });
        await step.close?.(page);
      }
      expect(found, found.join('\n')).toEqual([]);
    } finally {
      await preview.stop();
    }
  });
}
