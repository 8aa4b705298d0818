import { readFileSync } from 'node:fs';
import { expect, test } from './fixtures';

const NAV = [
  { route: 'documents', vi: 'Văn bản', en: 'Documents' },
  { route: 'messages', vi: 'Tin nhắn', en: 'Messages' },
  { route: 'sign', vi: 'Ký số', en: 'Sign' },
  { route: 'sync', vi: 'Đồng bộ', en: 'Sync' },
  { route: 'settings', vi: 'Cài đặt', en: 'Settings' },
  { route: 'about', vi: 'Giới thiệu', en: 'About' },
] as const;

const version = (JSON.parse(readFileSync('package.json', 'utf8')) as { version: string }).version;

test('renders in Vietnamese by default and in English after the switch (screenshots)', async ({
  page,
  preview,
}, info) => {
  await page.goto(preview.url);
  await expect(page.locator('html')).toHaveAttribute('lang', 'vi');
  // A fresh workstation starts on first run (Documents, behind the vault gate), never About.
  await expect(page.getByRole('heading', { level: 1 })).toHaveText('Thiết lập trạm làm việc');
  await expect(page.getByRole('link', { name: /Văn bản/ })).toHaveAttribute('aria-current', 'page');
  for (const item of NAV) await expect(page.getByRole('link', { name: new RegExp(item.vi) })).toBeVisible();
  await expect(page.getByRole('note', { name: 'Độ mật: Thường' }).first()).toBeVisible();
  // The Vietnamese font is really used (not a fallback that drops stacked diacritics).
  // Load it explicitly (under load the check can run before the lazy font fetch finishes),
  // then require that a Be Vietnam Pro face covering these characters was loaded.
  const loaded = await page.evaluate(async () => {
    const faces = await document.fonts.load('16px "Be Vietnam Pro"', 'Tuyệt mật');
    return {
      faces: faces.map((f) => f.family),
      check: document.fonts.check('16px "Be Vietnam Pro"', 'Tuyệt mật'),
    };
  });
  expect(loaded.faces.length).toBeGreaterThan(0);
  expect(loaded.check).toBe(true);
  await page.screenshot({ path: info.outputPath('shell-vi.png'), fullPage: true });

  await page.getByTestId('top-language-en').check();
  await expect(page.locator('html')).toHaveAttribute('lang', 'en');
  await expect(page.getByRole('heading', { level: 1 })).toHaveText('Set up this workstation');
  for (const item of NAV) await expect(page.getByRole('link', { name: new RegExp(item.en) })).toBeVisible();
  await page.screenshot({ path: info.outputPath('shell-en.png'), fullPage: true });
});

test('the language choice persists across a reload (stored by the core)', async ({ page, preview }) => {
  await page.goto(preview.url);
  await page.getByRole('link', { name: /Cài đặt/ }).click();
  await page.getByTestId('settings-language-en').check();
  await expect(page.getByRole('heading', { level: 1 })).toHaveText('Settings');
  await page.reload();
  await expect(page.getByRole('heading', { level: 1 })).toHaveText('Settings');
  await expect(page.locator('html')).toHaveAttribute('lang', 'en');
  // A brand-new tab (new session, token again from the printed URL) sees it too.
  const other = await page.context().newPage();
  await other.goto(preview.url);
  await expect(other.getByRole('heading', { level: 1 })).toHaveText('Set up this workstation');
});

test('every navigation item is reachable and usable by keyboard alone', async ({ page, preview }) => {
  await page.goto(preview.url);
  await expect(page.getByRole('heading', { level: 1 })).toBeVisible();
  // From the top of the page, Tab until each nav link has focus, then Enter.
  for (const item of NAV) {
    await page.evaluate(() => (document.activeElement as HTMLElement | null)?.blur());
    await page.locator('body').focus();
    let reached = false;
    for (let presses = 0; presses < 30 && !reached; presses++) {
      await page.keyboard.press('Tab');
      reached = await page.evaluate(
        (r) => document.activeElement?.getAttribute('data-route') === r,
        item.route,
      );
    }
    expect(reached, `${item.route} reached by Tab`).toBe(true);
    // Focus is visible (the outline is drawn).
    const outline = await page.evaluate(
      () => getComputedStyle(document.activeElement as Element).outlineStyle,
    );
    expect(outline).toBe('solid');
    await page.keyboard.press('Enter');
    await expect(page.locator('main')).toHaveAttribute('data-route', item.route);
    await expect(page.getByRole('link', { name: new RegExp(item.vi) })).toHaveAttribute(
      'aria-current',
      'page',
    );
  }
  // Shortcuts: Alt+1 … Alt+6.
  await page.keyboard.press('Alt+1');
  await expect(page.locator('main')).toHaveAttribute('data-route', 'documents');
  await page.keyboard.press('Alt+6');
  await expect(page.locator('main')).toHaveAttribute('data-route', 'about');
  // The language switch is keyboard operable too.
  await page.getByTestId('top-language-vi').focus();
  await page.keyboard.press('ArrowRight');
  await expect(page.locator('html')).toHaveAttribute('lang', 'en');
});

test('About shows version and health read through the contract', async ({ page, preview }) => {
  const calls: string[] = [];
  page.on('websocket', (ws) => ws.on('framesent', (f) => calls.push(String(f.payload))));
  await page.goto(preview.url);
  await page.getByTestId('top-language-en').check();
  await page.keyboard.press('Alt+6');
  await expect(page.getByTestId('about-version')).toHaveText(version);
  await expect(page.getByText('Preview bridge (loopback)')).toBeVisible();
  for (const part of ['vault', 'token', 'hq', 'updates']) {
    await expect(page.locator(`[data-part=${part}] [data-state]`)).toHaveAttribute(
      'data-state',
      'not-set-up',
    );
  }
  await expect(page.getByTestId('status-vault')).toContainText('Not set up');
  const before = calls.filter((c) => c.includes('"app.health"')).length;
  expect(before).toBeGreaterThan(0);
  await page.getByRole('button', { name: 'Check again' }).click();
  await expect.poll(() => calls.filter((c) => c.includes('"app.health"')).length).toBeGreaterThan(before);
});

test('About has the Updates card in both languages; the preview says it does not update itself', async ({
  page,
  preview,
}) => {
  await page.goto(preview.url);
  await page.getByRole('link', { name: /Giới thiệu/ }).click();
  const card = page.getByTestId('updates-card');
  await expect(card).toHaveAttribute('data-state', 'unsupported');
  await expect(card.getByRole('heading')).toHaveText('Cập nhật');
  await expect(card).toContainText(version);
  await expect(page.getByTestId('updates-state')).toHaveText(
    'Bản này không tự cập nhật (bản xem trước hoặc dòng lệnh).',
  );
  await page.getByTestId('top-language-en').check();
  await expect(card.getByRole('heading')).toHaveText('Updates');
  await expect(page.getByTestId('updates-state')).toHaveText(
    'This build does not update itself (preview or command line).',
  );
  // No button offers what this build cannot do.
  await expect(card.getByRole('button')).toHaveCount(0);
});

test('the page is served with the strict CSP and nothing else is loaded', async ({ page, preview }) => {
  const response = await page.goto(preview.url);
  const csp = response?.headers()['content-security-policy'] ?? '';
  expect(csp).toMatch(/^default-src 'none'/);
  expect(csp).not.toMatch(/unsafe-inline|unsafe-eval/);
  const violations: string[] = [];
  page.on('console', (m) => {
    if (/Content Security Policy/i.test(m.text())) violations.push(m.text());
  });
  const foreign: string[] = [];
  page.on('request', (r) => {
    if (!r.url().startsWith(preview.origin) && !r.url().startsWith(preview.origin.replace('http', 'ws'))) {
      foreign.push(r.url());
    }
  });
  await page.reload();
  await expect(page.getByRole('heading', { level: 1 })).toBeVisible();
  expect(violations).toEqual([]);
  expect(foreign).toEqual([]);
});

test('without the bridge token the page says it cannot reach the core', async ({ page, preview }) => {
  await page.goto(preview.origin + '/');
  await expect(page.getByRole('alert')).toContainText(/core|lõi/);
});
