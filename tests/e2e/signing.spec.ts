import { spawnSync } from 'node:child_process';
import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { makePdf } from '../fixtures/verifiers';
import { createSoftHsmToken, type SoftHsmToken } from '../fixtures/softhsm';
import { expect, startPreviewProcess, test } from './fixtures';

/**
 * Issue 4 end to end in Chromium, through the preview and the real core: sign a document with
 * a SoftHSM token and see the signature panel say valid; verify a tampered signed file and
 * see invalid with its reason.
 */
let token: SoftHsmToken;
test.beforeAll(async () => {
  token = await createSoftHsmToken({ label: 'Consul E2E', keys: ['rsa'] });
});
test.afterAll(async () => {
  await token?.cleanup();
});

test('sign a document with the token, then verify a tampered file', async ({ page }, info) => {
  test.setTimeout(180_000);
  const preview = await startPreviewProcess({ env: token.env, args: ['--trust', token.ca.rootPath] });
  try {
    const pdfPath = join(info.outputPath(), 'letter.pdf');
    writeFileSync(pdfPath, await makePdf(1));

    await page.goto(preview.url);
    await page.getByTestId('top-language-en').check();
    await page.getByRole('link', { name: /Documents/ }).click();
    await page.getByTestId('choose-token').click();
    await page.getByLabel('Token driver (PKCS#11 module)').selectOption(token.modulePath);
    await page.getByTestId('token-label').fill(token.label);
    await page.getByTestId('pin').fill(token.pin);
    await page.getByTestId('create-vault').click();
    await page.getByRole('link', { name: 'Start with an empty vault' }).click();

    await page.getByTestId('add-document').click();
    await page.getByTestId('doc-subject').fill('Consular certificate for signature');
    await page.getByTestId('doc-pdf').setInputFiles(pdfPath);
    await page.getByTestId('doc-save').click();
    await expect(page.getByTestId('signature-panel')).toContainText('This PDF is not signed.', {
      timeout: 20_000,
    });

    // Sign: the certificate on the token is offered, one PIN.
    await page.getByTestId('sign-document').click();
    const dialog = page.getByRole('dialog');
    await expect(dialog.getByRole('radio')).toBeChecked({ timeout: 20_000 });
    await dialog.getByLabel('Reason').fill('Certified true copy');
    await dialog.getByTestId('sign-pin').fill(token.pin);
    await dialog.getByTestId('sign-submit').click();

    // The signed PDF is shown and its signature verified as valid, signer named.
    const panel = page.getByTestId('signature-panel');
    await expect(panel.getByTestId('verify-report')).toHaveAttribute('data-verdict', 'valid', {
      timeout: 60_000,
    });
    await expect(panel.getByTestId('signature')).toContainText('Certified true copy');
    await expect(page.getByText('note.signed.pdf').or(page.getByText('letter.signed.pdf'))).toBeVisible();
    await page.screenshot({ path: info.outputPath('signed-en.png'), fullPage: false });

    // A tampered signed file, made with the embassy command and the same token.
    const signedPath = join(info.outputPath(), 'letter.signed.pdf');
    const signed = spawnSync(
      process.execPath,
      [
        'dist/node/embassy.cjs',
        'sign',
        pdfPath,
        '--out',
        signedPath,
        '--module',
        token.modulePath,
        '--token',
        token.label,
        '--pin-stdin',
        '--trust',
        token.ca.rootPath,
        '--profile',
        join(info.outputPath(), 'cli-profile'),
      ],
      { input: `${token.pin}\n`, env: { ...process.env, ...token.env }, encoding: 'utf8' },
    );
    expect(signed.stderr).toBe('');
    const bytes = readFileSync(signedPath);
    const at = bytes.indexOf('/Type /Page');
    bytes[at + 1] = 'X'.charCodeAt(0);
    const tamperedPath = join(info.outputPath(), 'tampered.pdf');
    writeFileSync(tamperedPath, bytes);

    await page.getByRole('link', { name: /Sign/ }).first().click();
    await page.getByTestId('verify-file').setInputFiles(tamperedPath);
    await page.getByTestId('verify-submit').click();
    const report = page.getByTestId('verify-report');
    await expect(report).toHaveAttribute('data-verdict', 'invalid', { timeout: 30_000 });
    await expect(report.getByText('Invalid').first()).toBeVisible();
    await expect(report.locator('[data-reason]').first()).toBeVisible();
    await page.screenshot({ path: info.outputPath('tampered-en.png'), fullPage: false });
  } finally {
    await preview.stop();
  }
});
