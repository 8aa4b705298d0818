import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { expect, startPreviewProcess, test } from './fixtures';

interface AuditStrings {
  nav: { settings: string };
  audit: { title: string; kinds: Record<string, string>; reasons: Record<string, string> };
}
const locale = (lang: 'en' | 'vi') =>
  JSON.parse(
    readFileSync(join('renderer', 'src', 'i18n', 'locales', `${lang}.json`), 'utf8'),
  ) as AuditStrings;
const en = locale('en');
const vi = locale('vi');

/**
 * The officer reads their own audit log in Settings, by keyboard, in both languages: a wrong
 * passphrase and a lock recorded while the vault was closed are there after the unlock, with
 * why the vault locked; no passphrase or title appears anywhere in the table.
 */
test('the audit log in Settings, by keyboard, in English and Vietnamese', async ({ page }, info) => {
  test.setTimeout(120_000);
  const preview = await startPreviewProcess({});
  const secret = 'correct horse battery staple';
  try {
    await page.goto(preview.url);
    await page.getByTestId('top-language-en').check();
    await page.getByRole('link', { name: /Documents/ }).click();
    await page.getByTestId('choose-passphrase').click();
    await page.getByTestId('passphrase').fill(secret);
    await page.getByTestId('passphrase-repeat').fill(secret);
    await page.getByTestId('create-vault').click();
    await expect(page.getByRole('heading', { name: 'The vault is ready' })).toBeVisible({ timeout: 30_000 });

    // Lock, a wrong passphrase, the right one.
    await page.getByTestId('lock').click();
    await page.getByTestId('unlock-secret').fill('wrong passphrase entirely');
    await page.getByTestId('unlock').click();
    await expect(page.getByRole('alert')).toBeVisible({ timeout: 30_000 });
    await page.getByTestId('unlock-secret').fill(secret);
    await page.getByTestId('unlock').click();
    await expect(page.getByTestId('lock')).toBeVisible({ timeout: 30_000 });

    await page.getByRole('link', { name: new RegExp(en.nav.settings) }).click();
    const card = page.getByTestId('audit-card');
    // Keyboard only: focus the button and press Enter.
    await card.getByTestId('audit-show').focus();
    await page.keyboard.press('Enter');
    const table = card.getByTestId('audit-table');
    await expect(table).toBeVisible();
    for (const kind of ['vault.created', 'vault.locked', 'vault.unlock-failed', 'vault.unlocked'] as const)
      await expect(table.locator(`tr[data-kind="${kind}"]`).first()).toContainText(
        String(en.audit.kinds[kind]),
      );
    await expect(table.locator('tr[data-kind="vault.locked"]').first()).toContainText(
      String(en.audit.reasons.officer),
    );
    await expect(table).not.toContainText(secret);
    await page.screenshot({ path: info.outputPath('audit-en.png'), fullPage: true });

    await page.getByTestId('top-language-vi').check();
    await expect(table.locator('tr[data-kind="vault.unlock-failed"]').first()).toContainText(
      String(vi.audit.kinds['vault.unlock-failed']),
    );
    await expect(card.getByRole('heading', { name: vi.audit.title })).toBeVisible();
    await page.screenshot({ path: info.outputPath('audit-vi.png'), fullPage: true });
  } finally {
    await preview.stop();
  }
});
