import { execFile } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import type { Page } from '@playwright/test';
import { createSoftHsmToken, makeCa, type SoftHsmToken } from '../fixtures/softhsm';
import { makePdf, nssDbTrusting, pdfsig } from '../fixtures/verifiers';
import {
  createVault,
  enrol,
  fullShot,
  HQ,
  MISSION,
  openOfficer,
  startRelay,
  stopRelay,
  type Relay,
} from './exchange-fixtures';
import { expect, test } from './fixtures';

/**
 * Issue 16, "keyboard only: every journey above", for the journeys between two officers: the
 * mission sends a Top secret document to HQ (recipient, the marking confirmation, Escape, focus
 * back on "Send to headquarters…") and saves its signed PDF (pdfsig verifies the download);
 * HQ opens the arrival from the grid and registers it; the mission sees it acknowledged; the
 * mission writes in Messages and HQ replies there. Only keys are pressed on the journeys
 * (setup — vaults, enrolment, the signed document — uses the mouse as sync-exchange does), and
 * after each view change the focus is on an element, not the page body, and visibly so.
 */
const run = promisify(execFile);

let caDir: string;
let rootPath: string;
let tokens: { mission: SoftHsmToken; hq: SoftHsmToken };

const TEXT = {
  en: {
    sendTitle: 'Send to headquarters',
    confirmTitle: 'Send a Top secret document?',
    saveTitle: /Top secret/,
    downloaded: 'Downloaded',
    registeredAs: 'Registered as',
    received: 'Received',
    registered: 'Registered',
    acknowledged: 'Acknowledged',
    ackBy: 'registered it as 1/',
    messages: 'Messages',
    queued: 'Queued for 1 device',
    unread: '1 unread',
  },
  vi: {
    sendTitle: 'Gửi về trụ sở',
    confirmTitle: 'Gửi tài liệu Tuyệt mật?',
    saveTitle: /Tuyệt mật/,
    downloaded: 'Đã tải xuống',
    registeredAs: 'Đã vào sổ với số',
    received: 'Mới đến',
    registered: 'Đã vào sổ',
    acknowledged: 'Đã báo nhận',
    ackBy: 'đã vào sổ với số 1/',
    messages: 'Tin nhắn',
    queued: 'Đã đưa vào hộp thư đi cho 1 máy trạm',
    unread: '1 chưa đọc',
  },
} as const;

test.beforeAll(async () => {
  caDir = mkdtempSync(join(tmpdir(), 'embassy-e2e-kbd-ca-'));
  const ca = await makeCa(caDir, 'ministry', (cmd, args) => run(cmd, args));
  rootPath = ca.rootPath;
  const [mission, hq] = await Promise.all(
    [MISSION, HQ].map((p) =>
      createSoftHsmToken({ keys: ['rsa'], label: p.label, holder: { name: p.name, email: p.email }, ca }),
    ),
  );
  tokens = { mission: mission as SoftHsmToken, hq: hq as SoftHsmToken };
});

test.afterAll(async () => {
  await tokens?.mission.cleanup();
  await tokens?.hq.cleanup();
  rmSync(caDir, { recursive: true, force: true });
});

interface Focused {
  tag: string;
  testid: string;
  address: string;
  className: string;
  text: string;
  active: string;
  /** `:focus-visible` matches and the element (or, for the grid, its active row) is drawn
   * with an outline or a ring. */
  visible: boolean;
  /** What `visible` was made of, for the failure message. */
  why: string;
}

const focused = (page: Page): Promise<Focused> =>
  page.evaluate(() => {
    const el = document.activeElement as HTMLElement | null;
    const drawn = (e: Element | null) => {
      if (!e) return false;
      const s = getComputedStyle(e);
      const outline = s.outlineStyle !== 'none' && parseFloat(s.outlineWidth) > 0;
      return outline || (s.boxShadow !== '' && s.boxShadow !== 'none');
    };
    const ring = el?.getAttribute('role') === 'grid' ? el.querySelector('.grid-row.is-active') : el;
    return {
      tag: el?.tagName.toLowerCase() ?? '',
      testid: el?.getAttribute('data-testid') ?? '',
      address: el?.getAttribute('data-address') ?? '',
      className: typeof el?.className === 'string' ? el.className : '',
      text: (el?.textContent ?? '').slice(0, 120),
      active: el?.getAttribute('aria-activedescendant') ?? '',
      visible: !!el && el.matches(':focus-visible') && drawn(el) && drawn(ring),
      why: `focus-visible=${String(el?.matches(':focus-visible'))} drawn=${String(drawn(el))} ring=${String(drawn(ring))}`,
    };
  });

/** After a view change: the focus is on something the officer can see, never the body. */
async function expectVisibleFocus(page: Page, where: string): Promise<Focused> {
  const f = await focused(page);
  expect(f.tag, `focus after ${where}`).not.toBe('body');
  expect(f.tag, `focus after ${where}`).not.toBe('');
  expect(f.visible, `visible focus after ${where} (on ${f.tag} ${f.testid}: ${f.why})`).toBe(true);
  return f;
}

/** Tab (or Shift+Tab) from the current focus until `match` holds (at most 80 presses). */
async function tabUntil(page: Page, match: (f: Focused) => boolean, what: string, back = false) {
  for (let i = 0; i < 80; i++) {
    if (match(await focused(page))) return;
    await page.keyboard.press(back ? 'Shift+Tab' : 'Tab');
  }
  throw new Error(`Tab never reached ${what}`);
}
/** The top bar's language radio, by keyboard (a click would put Chromium in mouse mode). */
async function switchLanguage(page: Page, lang: 'vi' | 'en') {
  await page.getByTestId(`top-language-${lang}`).focus();
  await page.keyboard.press('Space');
  await expect(page.getByTestId(`top-language-${lang}`)).toBeChecked();
}

const tabTo = (page: Page, testid: string, back = false) =>
  tabUntil(page, (f) => f.testid === testid, testid, back);

for (const lang of ['en', 'vi'] as const) {
  test(`keyboard only: send Top secret to HQ, save the signed PDF, HQ registers, acknowledged, reply in Messages (${lang})`, async ({
    browser,
  }, info) => {
    test.setTimeout(420_000);
    const T = TEXT[lang];
    const other = lang === 'en' ? 'vi' : 'en';
    const started = Date.now();
    // A relay of its own for each language's run (the tokens are the same officers').
    const relayDir = mkdtempSync(join(tmpdir(), 'embassy-e2e-kbd-relay-'));
    const relay: Relay = await startRelay(relayDir, rootPath);
    const shot = (name: string) => info.outputPath(`${name}.png`);
    const [hq, mission] = await Promise.all([
      openOfficer(browser, tokens.hq, rootPath),
      openOfficer(browser, tokens.mission, rootPath),
    ]);
    const m = mission.page;
    const h = hq.page;
    try {
      // Setup (not a journey): vaults, enrolment (HQ first, so its prekey is in the mission's
      // directory), a Top secret document with a PDF signed on the mission's token.
      await Promise.all([createVault(hq), createVault(mission)]);
      await enrol(hq, relay, 'Consular Department');
      await enrol(mission, relay, 'Embassy in Paris');
      await h.keyboard.press('Alt+1');
      await expect(h.getByTestId('document-count')).toContainText('0 documents');
      const subject = `Keyboard legalisation ${Date.now()}`;
      const pdfPath = info.outputPath('request.pdf');
      writeFileSync(pdfPath, await makePdf(1));
      await m.keyboard.press('Alt+1');
      await m.getByTestId('add-document').click();
      await m.getByTestId('doc-subject').fill(subject);
      await m.getByTestId('doc-classification').selectOption('top-secret');
      await m.getByTestId('doc-pdf').setInputFiles(pdfPath);
      await m.getByTestId('doc-save').click();
      await expect(m.getByTestId('signature-panel')).toContainText('This PDF is not signed.', {
        timeout: 60_000,
      });
      await m.getByTestId('sign-document').click();
      const signDialog = m.getByRole('dialog');
      await expect(signDialog.getByRole('radio')).toBeChecked({ timeout: 20_000 });
      await signDialog.getByTestId('sign-pin').fill(tokens.mission.pin);
      await signDialog.getByTestId('sign-submit').click();
      await expect(m.getByTestId('signature-panel').getByTestId('verify-report')).toHaveAttribute(
        'data-verdict',
        'valid',
        { timeout: 60_000 },
      );
      await expect(m.locator('dialog[open]')).toHaveCount(0);

      // ---- From here on, keys only. ----
      // Chromium draws :focus-visible for script-moved focus only once the officer has used the
      // keyboard (a key without Alt/Ctrl); the setup's clicks left both pages in "mouse" mode,
      // which a keyboard-only officer never is in. One Tab (and back) on each page sets that.
      // The journey in the test's language, switched by keyboard too.
      for (const p of [m, h]) {
        await p.keyboard.press('Tab');
        await p.keyboard.press('Shift+Tab');
        if (lang === 'vi') await switchLanguage(p, 'vi');
      }
      // 1. Mission: Alt+1 leaves the document for the list (focus on its row), Enter opens it
      //    again (focus on its title).
      const mGrid = m.getByTestId('grid');
      await m.keyboard.press('Alt+1');
      await expect(mGrid).toBeFocused();
      await expectVisibleFocus(m, 'Alt+1 to the list');
      await m.keyboard.press('Enter');
      await expect(m.getByRole('heading', { level: 1 })).toHaveText(subject);
      expect((await expectVisibleFocus(m, 'opening the document')).tag).toBe('h1');

      // "Send to headquarters…" → the HQ officer (Space) → Send → the Top secret question.
      await tabTo(m, 'send-to-hq');
      await m.keyboard.press('Enter');
      const send = m.getByRole('dialog', { name: T.sendTitle });
      await expect(send).toBeVisible();
      await expect(send.locator(`[data-testid=recipient][data-address="${HQ.email}"]`)).toBeEnabled({
        timeout: 20_000,
      });
      await expectVisibleFocus(m, 'opening Send to headquarters');
      await tabUntil(m, (f) => f.testid === 'recipient' && f.address === HQ.email, 'the HQ recipient');
      await m.keyboard.press('Space');
      await expect(send.locator(`[data-testid=recipient][data-address="${HQ.email}"]`)).toBeChecked();
      await tabTo(m, 'send-document-submit');
      await m.keyboard.press('Enter');
      const confirm = m.getByRole('dialog', { name: T.confirmTitle });
      await expect(confirm.getByTestId('marking-confirm')).toContainText('Tuyệt mật');
      await expect(confirm.getByTestId('marking-confirm-cancel')).toBeFocused();
      await expectVisibleFocus(m, 'the marking question');
      await m.screenshot({ path: shot(`mission-kbd-send-confirm-${lang}`) });
      // Confirming is deliberate: Tab to the danger button, Enter.
      await m.keyboard.press('Tab');
      expect((await focused(m)).testid).toBe('marking-confirm-ok');
      await m.keyboard.press('Enter');
      await expect(confirm).toBeHidden();
      await expect(send.getByTestId('send-result')).toContainText(T.queued, { timeout: 20_000 });
      await expectVisibleFocus(m, 'the send was queued');
      await m.screenshot({ path: shot(`mission-kbd-send-queued-${lang}`) });
      await m.keyboard.press('Escape');
      await expect(send).toBeHidden();
      expect((await expectVisibleFocus(m, 'Escape on the send dialog')).testid).toBe('send-to-hq');

      // 2. Mission saves the signed PDF: Save → the question (Cancel focused) → Tab, Enter.
      await tabTo(m, 'attachment-save');
      await m.keyboard.press('Enter');
      const saveConfirm = m.getByRole('dialog', { name: T.saveTitle });
      await expect(saveConfirm.getByTestId('marking-confirm-cancel')).toBeFocused();
      await m.keyboard.press('Tab');
      expect((await focused(m)).testid).toBe('marking-confirm-ok');
      const [download] = await Promise.all([m.waitForEvent('download'), m.keyboard.press('Enter')]);
      expect(download.suggestedFilename()).toBe('request.v1.signed.pdf');
      const saved = info.outputPath('downloaded.signed.pdf');
      await download.saveAs(saved);
      const sigs = await pdfsig(saved, await nssDbTrusting([rootPath]));
      expect(sigs).toHaveLength(1);
      expect(sigs[0]).toMatchObject({ valid: true, trusted: true, totalDocument: true });
      await expect(m.getByTestId('attachment-export-status')).toContainText(T.downloaded);
      expect((await expectVisibleFocus(m, 'the save')).testid).toBe('attachment-save');

      // 3. HQ: Alt+1, the arrival in the grid (arrows, Enter), Register.
      const hGrid = h.getByTestId('grid');
      await expect(h.getByRole('row').filter({ hasText: subject })).toBeVisible({ timeout: 45_000 });
      await h.keyboard.press('Alt+1');
      await expectVisibleFocus(h, 'Alt+1 on HQ');
      await tabTo(h, 'grid');
      await h.keyboard.press('ArrowDown');
      await h.keyboard.press('Home');
      await expectVisibleFocus(h, 'arrows in the grid');
      await expect(hGrid.locator('.grid-row.is-active')).toContainText(subject);
      await h.screenshot({ path: shot(`hq-kbd-inbox-${lang}`) });
      await h.keyboard.press('Enter');
      await expect(h.getByRole('heading', { level: 1 })).toHaveText(subject);
      expect((await expectVisibleFocus(h, 'opening the arrival')).tag).toBe('h1');
      await expect(h.getByTestId('document-status')).toHaveText(T.received);
      await tabTo(h, 'register-document');
      await h.keyboard.press('Enter');
      await expect(h.getByTestId('document-registration')).toContainText(
        new RegExp(`${T.registeredAs} 1/${new Date().getUTCFullYear()}/ĐẾN`),
      );
      await expect(h.getByTestId('document-status')).toHaveText(T.registered);
      await expectVisibleFocus(h, 'registering');
      await fullShot(h, shot(`hq-kbd-registered-${lang}`));
      await switchLanguage(h, other);
      await expect(h.getByTestId('document-status')).toHaveText(TEXT[other].registered);
      await fullShot(h, shot(`hq-kbd-registered-${other}`));
      await switchLanguage(h, lang);
      // Escape back to the list: focus on the row it came from.
      await h.getByRole('heading', { level: 1 }).focus();
      await h.keyboard.press('Escape');
      await expect(hGrid).toBeFocused();
      await expectVisibleFocus(h, 'Escape from the document');

      // 4. Mission: the list, the document, Acknowledged.
      await m.keyboard.press('Escape');
      await expect(mGrid).toBeFocused();
      await expectVisibleFocus(m, 'Escape from the document (mission)');
      await m.keyboard.press('Enter');
      await expect(m.getByRole('heading', { level: 1 })).toHaveText(subject);
      await expectVisibleFocus(m, 'opening the document again');
      await expect(m.getByTestId('document-status')).toHaveText(T.acknowledged, { timeout: 60_000 });
      await expect(m.getByTestId('document-acknowledgements')).toContainText(
        `${HQ.name} <${HQ.email}> ${T.ackBy}`,
      );
      await fullShot(m, shot(`mission-kbd-acknowledged-${lang}`));
      await switchLanguage(m, other);
      await expect(m.getByTestId('document-status')).toHaveText(TEXT[other].acknowledged);
      await fullShot(m, shot(`mission-kbd-acknowledged-${other}`));
      await switchLanguage(m, lang);

      // 5. Mission writes in Messages (New message, HQ officer, title, text, Send); HQ opens the
      //    thread and replies; the mission sees the reply.
      await m.keyboard.press('Alt+2');
      await expect(m.getByRole('heading', { level: 1 })).toHaveText(T.messages);
      await expectVisibleFocus(m, 'Alt+2');
      await tabTo(m, 'message-new');
      await m.keyboard.press('Enter');
      await expect(m.locator(`[data-testid=recipient][data-address="${HQ.email}"]`)).toBeVisible();
      expect((await expectVisibleFocus(m, 'New message')).testid).toBe('recipient-search');
      await tabUntil(m, (f) => f.testid === 'recipient' && f.address === HQ.email, 'the HQ recipient');
      await m.keyboard.press('Space');
      await tabTo(m, 'compose-title');
      await m.keyboard.type('Courier on Friday');
      await tabTo(m, 'compose-text');
      await m.keyboard.type('The original will travel by diplomatic courier on Friday.');
      await tabTo(m, 'compose-send');
      await m.keyboard.press('Enter');
      await expect(m.getByRole('status').filter({ hasText: T.queued })).toBeVisible({
        timeout: 20_000,
      });
      await expectVisibleFocus(m, 'sending a message');

      await h.keyboard.press('Alt+2');
      await expect(h.getByRole('heading', { level: 1 })).toHaveText(T.messages);
      await expectVisibleFocus(h, 'Alt+2 on HQ');
      const hThread = h.getByRole('button', { name: /Courier on Friday/ });
      await expect(hThread).toContainText(T.unread, { timeout: 45_000 });
      await tabUntil(
        h,
        (f) => f.className.includes('thread') && f.text.includes('Courier on Friday'),
        'the thread',
      );
      await h.keyboard.press('Enter');
      await expect(h.locator('.message-list > li')).toHaveCount(1);
      await expectVisibleFocus(h, 'opening the thread');
      await tabTo(h, 'message-reply');
      await h.keyboard.press('Enter');
      await expect(h.locator(`[data-testid=recipient][data-address="${MISSION.email}"]`)).toBeChecked();
      await expect(h.getByTestId('compose-title')).toHaveValue('Courier on Friday');
      await expect(h.getByTestId('compose-text')).toBeFocused();
      await expectVisibleFocus(h, 'Reply');
      await h.keyboard.type('Noted: we will meet the courier at the airport.');
      await fullShot(h, shot(`hq-kbd-reply-${lang}`));
      await tabTo(h, 'compose-send');
      await h.keyboard.press('Enter');
      await expect(h.getByRole('status').filter({ hasText: T.queued })).toBeVisible({
        timeout: 20_000,
      });
      await expectVisibleFocus(h, 'sending the reply');
      // Closing the form gives the focus back to Reply.
      await tabTo(h, 'message-compose-close');
      await h.keyboard.press('Enter');
      await expect(h.getByTestId('compose-text')).toHaveCount(0);
      expect((await expectVisibleFocus(h, 'closing the reply')).testid).toBe('message-reply');

      const mThread = m.getByRole('button', { name: /Courier on Friday/ });
      await expect(mThread).toContainText(T.unread, { timeout: 45_000 });
      await m.locator('h1').focus();
      await tabUntil(
        m,
        (f) => f.className.includes('thread') && f.text.includes('Courier on Friday'),
        'the thread',
      );
      await m.keyboard.press('Enter');
      await expect(m.locator('.message-list > li')).toHaveCount(2);
      await expect(m.locator('.message-list')).toContainText('we will meet the courier at the airport');
      await expectVisibleFocus(m, 'opening the thread (mission)');
      await fullShot(m, shot(`mission-kbd-thread-reply-${lang}`));
      console.log(`keyboard exchange e2e (${lang}): ${((Date.now() - started) / 1000).toFixed(1)} s`);
    } catch (e) {
      await info.attach('relay.log', { body: relay.log.join('\n'), contentType: 'text/plain' });
      await m.screenshot({ path: shot('failure-mission') }).catch(() => undefined);
      await h.screenshot({ path: shot('failure-hq') }).catch(() => undefined);
      throw e;
    } finally {
      await Promise.all([h.context().close(), m.context().close()]);
      await Promise.all([hq.preview.stop(), mission.preview.stop()]);
      await stopRelay(relay);
      rmSync(relayDir, { recursive: true, force: true });
    }
  });
}
