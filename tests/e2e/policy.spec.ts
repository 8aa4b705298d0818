import { X509Certificate } from 'node:crypto';
import { mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import type { Page } from '@playwright/test';
import type { ItKeyFile } from '../../electron/core/it-signing';
import { makeItKeys, policyPayload, rootPayload, signWith, writeRoot } from '../fixtures/it-keys';
import { createSoftHsmToken, type SoftHsmToken } from '../fixtures/softhsm';
import { makePdf } from '../fixtures/verifiers';
import { expect, startPreviewProcess, test } from './fixtures';

/**
 * Issue 15 end to end, in each language: a fresh workstation (no trust anchor at all) cannot
 * sign; a tampered policy file picked from "a USB stick" is refused with its reason and nothing
 * changes; IT's signed policy is applied, the idle lock shows "set by IT" and is locked, and the
 * same document now signs and verifies valid, its anchor coming from policy alone.
 */
let token: SoftHsmToken;
let keys: ItKeyFile[];
test.beforeAll(async () => {
  token = await createSoftHsmToken({ label: 'Policy E2E', keys: ['ec'] });
  keys = await makeItKeys(3);
});
test.afterAll(async () => {
  await token?.cleanup();
});

type Locale = {
  errors: Record<string, string>;
  nav: Record<string, string>;
  policy: Record<string, string>;
  vault: Record<string, string>;
};
const locale = (lang: string): Locale =>
  JSON.parse(readFileSync(join('renderer', 'src', 'i18n', 'locales', `${lang}.json`), 'utf8')) as Locale;

for (const lang of ['en', 'vi'] as const) {
  test(`a fresh workstation gets its trust anchors from IT policy and then signs (${lang})`, async ({
    page,
  }, info) => {
    test.setTimeout(240_000);
    const t = locale(lang);
    const dir = info.outputPath('it');
    mkdirSync(dir, { recursive: true });
    const rootPath = await writeRoot(dir, await signWith(rootPayload(keys, 2), keys.slice(0, 2)));
    const anchor = new X509Certificate(token.ca.rootPem).raw.toString('base64');
    const good = await signWith(
      policyPayload(1, { signing: { trustAnchors: [anchor], crls: [] }, idleLockMinutes: 15 }),
      keys.slice(1),
    );
    const tampered = structuredClone(good);
    (tampered.signed as unknown as { idleLockMinutes: number }).idleLockMinutes = 480;
    writeFileSync(join(dir, 'tampered.json'), JSON.stringify(tampered));
    writeFileSync(join(dir, 'policy.json'), JSON.stringify(good));
    const pdfPath = join(dir, 'letter.pdf');
    writeFileSync(pdfPath, await makePdf(1));

    // No --trust: the only anchors this workstation will ever have come from policy.
    const preview = await startPreviewProcess({ env: token.env, args: ['--it-root', rootPath] });
    try {
      await newVaultWithDocument(page, preview.url, pdfPath);
      await page.getByTestId(`top-language-${lang}`).check();

      // Before policy: signing is refused, the certificate leads to no trusted authority.
      await page.getByTestId('sign-document').click();
      const dialog = page.getByRole('dialog');
      await expect(dialog.getByRole('radio')).toBeChecked({ timeout: 20_000 });
      await dialog.getByTestId('sign-pin').fill(token.pin);
      await dialog.getByTestId('sign-submit').click();
      await expect(dialog.getByText(String(t.errors.E_SIGN_CERT_UNTRUSTED))).toBeVisible({ timeout: 30_000 });
      await page.keyboard.press('Escape');

      // Settings: a tampered file is refused with its reason; still no policy.
      await page.getByRole('link', { name: new RegExp(String(t.nav.settings)) }).click();
      const card = page.getByTestId('policy-card');
      await expect(card.getByTestId('policy-state')).toHaveText(String(t.policy.none));
      await card.getByTestId('policy-file').setInputFiles(join(dir, 'tampered.json'));
      await expect(card.getByTestId('policy-outcome')).toContainText(String(t.errors.E_IT_BAD_SIGNATURE));
      await expect(card.getByTestId('policy-state')).toHaveText(String(t.policy.none));
      await page.screenshot({ path: info.outputPath(`policy-refused-${lang}.png`), fullPage: true });

      // IT's signed policy: applied; the idle lock is set by IT and locked.
      await card.getByTestId('policy-file').setInputFiles(join(dir, 'policy.json'));
      await expect(card.getByTestId('policy-outcome')).toContainText(
        String(t.policy.applied).replace('{{version}}', '1'),
      );
      await expect(card).toContainText('https://hq.example.vn:8443');
      const idle = page.getByLabel(new RegExp(String(t.vault.idleTimeout)));
      await expect(page.getByTestId('set-by-it')).toHaveText(String(t.policy.setByIt));
      await expect(idle).toBeDisabled();
      await expect(idle).toHaveValue('900');
      await page.screenshot({ path: info.outputPath(`policy-applied-${lang}.png`), fullPage: true });

      // Now the same document signs, and verifies valid against the anchor from policy.
      await page.getByRole('link', { name: new RegExp(String(t.nav.documents)) }).click();
      await page.getByText('Note for signature').first().click();
      await page.getByTestId('sign-document').click();
      await expect(dialog.getByRole('radio')).toBeChecked({ timeout: 20_000 });
      await dialog.getByTestId('sign-pin').fill(token.pin);
      await dialog.getByTestId('sign-submit').click();
      await expect(page.getByTestId('signature-panel').getByTestId('verify-report')).toHaveAttribute(
        'data-verdict',
        'valid',
        { timeout: 60_000 },
      );
      await page.screenshot({ path: info.outputPath(`signed-${lang}.png`), fullPage: false });
    } finally {
      await preview.stop();
    }
  });
}

/** In English: a new token-bound vault, then one document with the PDF, shown. */
async function newVaultWithDocument(page: Page, url: string, pdfPath: string): Promise<void> {
  await page.goto(url);
  await page.getByTestId('top-language-en').check();
  await page.getByRole('link', { name: /Documents/ }).click();
  await page.getByTestId('choose-token').click();
  await page.getByLabel('Token driver (PKCS#11 module)').selectOption('softhsm2');
  await page.getByTestId('token-label').fill(token.label);
  await page.getByTestId('pin').fill(token.pin);
  await page.getByTestId('create-vault').click();
  await page.getByRole('link', { name: 'Start with an empty vault' }).click();
  await page.getByTestId('add-document').click();
  await page.getByTestId('doc-subject').fill('Note for signature');
  await page.getByTestId('doc-pdf').setInputFiles(pdfPath);
  await page.getByTestId('doc-save').click();
  await expect(page.getByTestId('signature-panel')).toContainText('This PDF is not signed.', {
    timeout: 20_000,
  });
}
