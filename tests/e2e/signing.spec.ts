import { spawnSync } from 'node:child_process';
import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { basePdf } from '../fixtures/attack-pdfs';
import { appendUpdate, streamBody } from '../fixtures/pdf-updates';
import { makePdf } from '../fixtures/verifiers';
import { createSoftHsmToken, type SoftHsmToken } from '../fixtures/softhsm';
import type { Page } from '@playwright/test';
import { expect, startPreviewProcess, test } from './fixtures';

/**
 * Issues 4 and 13 end to end in Chromium, through the preview and the real core: sign a
 * document with a SoftHSM token and see the signature panel say valid; verify a tampered
 * signed file and see invalid with its reason; sign a form into its placed signature field as
 * a certification; a file changed after signing says so with the page named, in both
 * languages, and shows the signed version; the report exported as a PDF in both languages.
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

    await newVaultWithDocument(page, preview.url, 'Consular certificate for signature', pdfPath);

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
    await expect(page.getByText('letter.v1.signed.pdf')).toBeVisible();
    await page.screenshot({ path: info.outputPath('signed-en.png'), fullPage: false });

    // The report to file: a PDF naming the verdict, in English, then in Vietnamese.
    for (const [lang, words] of [
      ['en', ['Signature verification report', 'Overall verdict: VALID']],
      ['vi', ['Báo cáo kiểm tra chữ ký số', 'Kết luận chung: HỢP LỆ']],
    ] as const) {
      await page.getByTestId(`top-language-${lang}`).check();
      const [download] = await Promise.all([
        page.waitForEvent('download'),
        panel.getByTestId('export-report').click(),
      ]);
      expect(download.suggestedFilename()).toMatch(new RegExp(`verification-${lang}\\.pdf$`));
      const reportPath = info.outputPath(`report-${lang}.pdf`);
      await download.saveAs(reportPath);
      expect(readFileSync(reportPath).subarray(0, 5).toString('latin1')).toBe('%PDF-');
      const text = spawnSync('pdftotext', ['-enc', 'UTF-8', reportPath, '-'], { encoding: 'utf8' }).stdout;
      for (const w of words) expect(text.replace(/\s+/g, ' ')).toContain(w);
      spawnSync('pdftoppm', [
        '-r',
        '60',
        '-png',
        '-f',
        '1',
        '-l',
        '1',
        reportPath,
        info.outputPath(`report-${lang}`),
      ]);
      await page.screenshot({ path: info.outputPath(`report-export-${lang}.png`), fullPage: false });
    }
    await page.getByTestId('top-language-en').check();

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

/** In English: a new token-bound vault, then one document with the PDF at `pdfPath`, shown. */
async function newVaultWithDocument(
  page: Page,
  url: string,
  subject: string,
  pdfPath: string,
): Promise<void> {
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
  await page.getByTestId('doc-subject').fill(subject);
  await page.getByTestId('doc-pdf').setInputFiles(pdfPath);
  await page.getByTestId('doc-save').click();
  await expect(page.getByTestId('signature-panel')).toContainText('This PDF is not signed.', {
    timeout: 20_000,
  });
}

/** A form with an empty signature field "Consul signature" on page 1, placed before signing. */
function formWithField(): Buffer {
  return appendUpdate(basePdf(), [
    {
      num: 20,
      body: '<< /Type /Annot /Subtype /Widget /FT /Sig /T (Consul signature) /Rect [300 90 540 160] /F 4 /P 3 0 R >>',
    },
    { num: 10, body: '<< /Fields [11 0 R 20 0 R] /DA (/Helv 0 Tf 0 g) /DR << /Font << /Helv 5 0 R >> >> >>' },
    {
      num: 3,
      body:
        '<< /Type /Page /Parent 2 0 R /MediaBox [0 0 595 842] /Contents [4 0 R 7 0 R] /Annots [11 0 R 20 0 R] ' +
        '/Resources << /Font << /F1 5 0 R >> /XObject << /Stamp 8 0 R >> >> >>',
    },
  ]);
}

test('certify a form in its signature field; a file changed after signing names the page and shows the signed version, in both languages', async ({
  page,
}, info) => {
  test.setTimeout(240_000);
  const preview = await startPreviewProcess({ env: token.env, args: ['--trust', token.ca.rootPath] });
  try {
    const formPath = join(info.outputPath(), 'form.pdf');
    writeFileSync(formPath, formWithField());

    await newVaultWithDocument(page, preview.url, 'Legalisation form', formPath);

    // The placed field is listed and chosen; certify with form filling allowed.
    await page.getByTestId('sign-document').click();
    const dialog = page.getByRole('dialog');
    await expect(dialog.getByRole('radio')).toBeChecked({ timeout: 20_000 });
    const field = dialog.getByTestId('sign-field');
    await expect(field).toHaveValue('Consul signature', { timeout: 20_000 });
    await expect(field.locator('option', { hasText: 'Consul signature (page 1)' })).toHaveCount(1);
    await dialog.getByTestId('sign-certify').selectOption('2');
    await dialog.getByLabel('Reason').fill('Legalised');
    await dialog.getByTestId('sign-pin').fill(token.pin);
    await page.screenshot({ path: info.outputPath('certify-form-en.png') });
    await dialog.getByTestId('sign-submit').click();

    const panel = page.getByTestId('signature-panel');
    await expect(panel.getByTestId('verify-report')).toHaveAttribute('data-verdict', 'valid', {
      timeout: 60_000,
    });
    await expect(panel.getByTestId('certification')).toHaveText(
      'Certified: form filling and signing allowed',
    );
    await expect(panel.getByTestId('signature')).toContainText('Consul signature');
    await expect(page.getByText('Page 1 of 1')).toBeVisible({ timeout: 30_000 });
    await page.screenshot({ path: info.outputPath('certified-en.png') });
    await panel.screenshot({ path: info.outputPath('certified-panel-en.png') });
    await page.getByTestId('top-language-vi').check();
    await expect(panel.getByTestId('certification')).toHaveText(
      'Đã chứng nhận: cho phép điền biểu mẫu và ký',
    );
    await panel.screenshot({ path: info.outputPath('certified-panel-vi.png') });
    await page.getByTestId('top-language-en').check();

    // A file signed with the embassy command, then changed in an incremental update.
    const signedPath = join(info.outputPath(), 'letter.signed.pdf');
    const signed = spawnSync(
      process.execPath,
      [
        'dist/node/embassy.cjs', 'sign', formPath, '--out', signedPath, '--module', token.modulePath,
        '--token', token.label, '--pin-stdin', '--trust', token.ca.rootPath, '--field', 'Consul signature',
        '--profile', join(info.outputPath(), 'cli-profile'),
      ], // prettier-ignore
      { input: `${token.pin}\n`, env: { ...process.env, ...token.env }, encoding: 'utf8' },
    );
    expect(signed.stderr).toBe('');
    const changedPath = join(info.outputPath(), 'changed.pdf');
    writeFileSync(
      changedPath,
      appendUpdate(readFileSync(signedPath), [
        { num: 4, body: streamBody('BT /F1 14 Tf 50 780 Td (Note verbale 42: PAY 1000000 USD) Tj ET') },
      ]),
    );

    await page.getByRole('link', { name: /Sign/ }).first().click();
    await page.getByTestId('verify-file').setInputFiles(changedPath);
    await page.getByTestId('verify-submit').click();
    const report = page.getByTestId('verify-report');
    await expect(report).toHaveAttribute('data-verdict', 'invalid', { timeout: 30_000 });
    await expect(report.getByTestId('changed-after-signing')).toHaveText(
      'Changed after signing: page 1 is not what was signed.',
    );
    await expect(report.locator('[data-reason="MODIFIED_CONTENT"]')).toContainText('page 1');
    await report.screenshot({ path: info.outputPath('changed-en.png') });

    // The signed version: the bytes the signature covers, rendered on their own.
    await report.getByTestId('view-signed').click();
    const version = page.getByTestId('signed-version');
    await expect(version.locator('canvas')).toBeVisible({ timeout: 30_000 });
    await expect(version).toContainText('Page 1 of 1', { timeout: 30_000 });
    await expect(version).toContainText(`${readFileSync(signedPath).length.toLocaleString('en')}`);
    await page.screenshot({ path: info.outputPath('signed-version-en.png') });
    await page.getByRole('button', { name: 'Close' }).click();

    await page.getByTestId('top-language-vi').check();
    await expect(report.getByTestId('changed-after-signing')).toHaveText(
      'Đã bị thay đổi sau khi ký: trang 1 không còn như bản đã ký.',
    );
    await expect(report.getByTestId('view-signed')).toHaveText('Xem bản đã ký');
    await report.screenshot({ path: info.outputPath('changed-vi.png') });
  } finally {
    await preview.stop();
  }
});
