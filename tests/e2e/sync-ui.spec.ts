import type { Page } from '@playwright/test';
import { createSoftHsmToken, type SoftHsmToken } from '../fixtures/softhsm';
import { expect, startPreviewProcess, test } from './fixtures';

/**
 * The sync UI against the real core (preview bridge, SoftHSM token, Debian's Chromium) while
 * this workstation is not enrolled: the enrolment form's checks, a relay that cannot be
 * reached, and "Send to headquarters…" before enrolment. The two-workstation exchange through
 * a real relay is sync-exchange.spec.ts. Nothing here answers a sync call in place of the core.
 */
let token: SoftHsmToken;
test.beforeAll(async () => {
  token = await createSoftHsmToken({ label: 'Sync E2E', keys: ['rsa'] });
});
test.afterAll(async () => {
  await token?.cleanup();
});

const FINGERPRINT = Array.from({ length: 32 }, (_, i) => (i * 7 + 16).toString(16).padStart(2, '0')).join(
  ':',
);

async function createVault(page: Page): Promise<void> {
  await page.getByRole('link', { name: /Documents/ }).click();
  await page.getByTestId('choose-token').click();
  await page.getByLabel('Token driver (PKCS#11 module)').selectOption('softhsm2');
  await page.getByTestId('token-label').fill(token.label);
  await page.getByTestId('pin').fill(token.pin);
  await page.getByTestId('create-vault').click();
  await page.getByRole('link', { name: 'Start with an empty vault' }).click();
  await expect(page.getByTestId('add-document')).toBeVisible({ timeout: 30_000 });
}

/** Tab from the top of the page until the Sync link has focus, then Enter. */
async function syncByKeyboard(page: Page): Promise<void> {
  await page.evaluate(() => (document.activeElement as HTMLElement | null)?.blur());
  let reached = false;
  for (let presses = 0; presses < 40 && !reached; presses++) {
    await page.keyboard.press('Tab');
    reached = await page.evaluate(() => document.activeElement?.getAttribute('data-route') === 'sync');
  }
  expect(reached, 'Sync reached by Tab').toBe(true);
  await page.keyboard.press('Enter');
  await expect(page.locator('main')).toHaveAttribute('data-route', 'sync');
}

test('sync screen: keyboard, enrolment checks and the core’s refusal, in both languages', async ({
  page,
}, info) => {
  test.setTimeout(150_000);
  const preview = await startPreviewProcess({ env: token.env });
  const frames: string[] = [];
  page.on('websocket', (ws) => ws.on('framesent', (f) => frames.push(String(f.payload))));
  try {
    await page.goto(preview.url);
    await page.getByTestId('top-language-en').check();

    // Locked (no vault yet): no sync state in the status bar.
    await expect(page.getByTestId('status-vault')).toBeVisible();
    await expect(page.getByTestId('status-sync')).toHaveCount(0);

    await createVault(page);
    // Unlocked, not enrolled: said in words in the status bar, and it leads to the screen.
    const statusSync = page.getByTestId('status-sync');
    await expect(statusSync).toHaveText('HQ link: Not enrolled', { timeout: 10_000 });
    await expect(statusSync).toHaveAttribute('href', '#/sync');

    await syncByKeyboard(page);
    await expect(page.getByRole('heading', { level: 1 })).toHaveText('Sync with headquarters');
    await page.screenshot({ path: info.outputPath('sync-top-en.png') });
    await expect(page.getByRole('heading', { name: 'Enrol this workstation' })).toBeVisible();
    // The token's certificate is offered and chosen (the same picker as signing).
    await expect(page.locator('input[name=enrol-certificate]')).toBeChecked({ timeout: 20_000 });

    // HQ address: checked when the field is left.
    const url = page.getByTestId('enrol-url');
    await url.fill('http://hq.mofa.gov.vn');
    await url.press('Tab');
    await expect(page.getByText('The address must start with https://')).toBeVisible();
    await expect(url).toHaveAttribute('aria-invalid', 'true');
    await url.fill('https://hq.mofa.gov.vn/relay');
    await expect(page.getByText(/no path, no user name/)).toBeVisible();
    await url.fill('https://127.0.0.1:9');
    await expect(url).not.toHaveAttribute('aria-invalid', 'true');

    // Fingerprint: a wrong character as typed, the length once left, a count all along.
    const fp = page.getByTestId('enrol-fingerprint');
    await fp.pressSequentially('ab:cd:zq');
    await expect(page.getByText('Not allowed: z q')).toBeVisible();
    await fp.fill('ab:cd');
    await expect(page.getByTestId('fingerprint-count')).toHaveText('4 of 64 digits');
    await fp.press('Tab');
    await expect(page.getByText('Too short: 4 of 64 digits.')).toBeVisible();
    await fp.fill(FINGERPRINT.toUpperCase());
    await expect(page.getByTestId('fingerprint-count')).toHaveText('64 of 64 digits');
    await expect(fp).not.toHaveAttribute('aria-invalid', 'true');

    // No PIN: said at the PIN field, which gets focus; nothing sent to the core.
    await page.getByTestId('enrol-submit').click();
    await expect(page.getByText('Enter your token PIN.')).toBeVisible();
    await expect(page.getByTestId('enrol-pin')).toBeFocused();
    expect(frames.some((f) => f.includes('"sync.enroll"'))).toBe(false);

    // The real core answers: nothing listens at that address. Said for enrolment (nothing is
    // queued, so not the outbox wording), translated.
    await page.getByTestId('enrol-department').fill('Consular section');
    await page.getByTestId('enrol-pin').fill(token.pin);
    await page.getByTestId('enrol-submit').click();
    const refusal = page.getByTestId('enrol-error');
    await expect(refusal).toHaveText(/^Headquarters cannot be reached at this address\. Check the address/, {
      timeout: 20_000,
    });
    await expect(refusal).toBeFocused();
    await expect(page.getByTestId('enrol-pin')).toHaveValue('');
    const enroll = frames.find((f) => f.includes('"sync.enroll"')) ?? '';
    expect(enroll).toContain(`"fingerprint":"${FINGERPRINT.replace(/:/g, '').toLowerCase()}"`);
    expect(enroll).toContain('"department":"Consular section"');
    expect(await page.content()).not.toContain(token.pin);
    await page.screenshot({ path: info.outputPath('sync-enrol-en.png'), fullPage: true });

    // The same in Vietnamese: screen, the core's error, the status bar.
    await page.getByTestId('top-language-vi').check();
    await expect(page.getByRole('heading', { level: 1 })).toHaveText('Đồng bộ với trụ sở');
    await expect(refusal).toHaveText(/^Không kết nối được với trụ sở theo địa chỉ này\./);
    await expect(statusSync).toHaveText('Kết nối Bộ: Chưa đăng ký');
    await expect(page.getByText('64/64 chữ số')).toBeVisible();
    await page.screenshot({ path: info.outputPath('sync-enrol-vi.png'), fullPage: true });
    await page.locator('main').evaluate((m) => {
      m.scrollTo(0, 0);
      window.scrollTo(0, 0);
    });
    await page.screenshot({ path: info.outputPath('sync-top-vi.png') });

    // Keyboard in Vietnamese too: from another screen, Tab to "Đồng bộ", Enter.
    await page.keyboard.press('Alt+1');
    await expect(page.locator('main')).toHaveAttribute('data-route', 'documents');
    await syncByKeyboard(page);
    await expect(page.getByRole('heading', { name: 'Đăng ký máy trạm này' })).toBeVisible();
    // The status bar link works by keyboard as well.
    await page.keyboard.press('Alt+1');
    await statusSync.focus();
    await page.keyboard.press('Enter');
    await expect(page.locator('main')).toHaveAttribute('data-route', 'sync');

    // Lock: the sync state leaves the status bar with the rest.
    await page.getByTestId('lock').click();
    await expect(page.getByTestId('status-sync')).toHaveCount(0);
  } finally {
    await preview.stop();
  }
});

test('"Send to headquarters…" from a document: dialog, focus, the core’s error translated', async ({
  page,
}, info) => {
  test.setTimeout(120_000);
  const preview = await startPreviewProcess({ env: token.env });
  try {
    await page.goto(preview.url);
    await page.getByTestId('top-language-en').check();
    await createVault(page);
    await page.getByTestId('add-document').click();
    await page.getByTestId('doc-subject').fill('Note verbale for HQ');
    await page.getByTestId('doc-save').click();
    await expect(page.getByRole('heading', { level: 1 })).toHaveText('Note verbale for HQ');

    const open = page.getByTestId('send-to-hq');
    await open.focus();
    await page.keyboard.press('Enter');
    const dialog = page.getByRole('dialog', { name: 'Send to headquarters' });
    await expect(dialog).toBeVisible();
    // Focus is inside the dialog; not enrolled, so nobody to send to: said, and where to enrol.
    expect(await dialog.evaluate((d) => d.contains(document.activeElement))).toBe(true);
    await expect(dialog.getByTestId('directory-error')).toContainText(
      'This workstation is not enrolled with headquarters yet.',
    );
    await expect(dialog.getByRole('link', { name: /Enrol this workstation/ })).toHaveAttribute(
      'href',
      '#/sync',
    );
    // Without a directory there is nobody to send to: Send stays disabled.
    await expect(dialog.getByTestId('send-document-submit')).toBeDisabled();
    await page.screenshot({ path: info.outputPath('send-document-en.png') });

    // Escape closes it and focus goes back to the button that opened it.
    await page.keyboard.press('Escape');
    await expect(dialog).toBeHidden();
    await expect(open).toBeFocused();

    // In Vietnamese, opened again: a clean form, the same refusal translated.
    await page.getByTestId('top-language-vi').check();
    await open.click();
    const dialogVi = page.getByRole('dialog', { name: 'Gửi về trụ sở' });
    await expect(dialogVi.getByTestId('directory-error')).toContainText(
      'Máy trạm này chưa đăng ký với trụ sở.',
    );
    await expect(dialogVi.getByTestId('send-document-submit')).toBeDisabled();
    await page.screenshot({ path: info.outputPath('send-document-vi.png') });
    await dialogVi.getByTestId('send-document-close').click();
    await expect(dialogVi).toBeHidden();
  } finally {
    await preview.stop();
  }
});
