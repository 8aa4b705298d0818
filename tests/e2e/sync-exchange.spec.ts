import AxeBuilder from '@axe-core/playwright';
import { execFile } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { makePdf } from '../fixtures/verifiers';
import { createSoftHsmToken, makeCa, type SoftHsmToken } from '../fixtures/softhsm';
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

const AXE_TAGS = ['wcag2a', 'wcag2aa', 'wcag21a', 'wcag21aa', 'best-practice'];

/**
 * Issue 5 end to end, as two officers would do it: two previews (each its own real core,
 * profile and SoftHSM token, both certificates from one ministry CA), the project's own relay
 * started with the built `embassy hq serve` (trusting that CA, so enrolment is approved at
 * once), Debian's Chromium. Each officer creates a vault and enrols through the Sync screen;
 * the mission officer signs a PDF (PAdES) and sends it to HQ from the document view; the HQ
 * officer sees it arrive without reloading, opens it, and the signature is valid.
 */
const run = promisify(execFile);

let caDir: string;
let relayDir: string;
let rootPath: string;
let tokens: { mission: SoftHsmToken; hq: SoftHsmToken };
let relay: Relay;

test.beforeAll(async () => {
  caDir = mkdtempSync(join(tmpdir(), 'embassy-e2e-ca-'));
  relayDir = mkdtempSync(join(tmpdir(), 'embassy-e2e-relay-'));
  // One CA for both, as one ministry issues every officer's token certificate.
  const ca = await makeCa(caDir, 'ministry', (cmd, args) => run(cmd, args));
  rootPath = ca.rootPath;
  const [mission, hq] = await Promise.all(
    [MISSION, HQ].map((p) =>
      createSoftHsmToken({ keys: ['rsa'], label: p.label, holder: { name: p.name, email: p.email }, ca }),
    ),
  );
  tokens = { mission: mission as SoftHsmToken, hq: hq as SoftHsmToken };
  relay = await startRelay(relayDir, rootPath);
});

test.afterAll(async () => {
  await stopRelay(relay);
  await tokens?.mission.cleanup();
  await tokens?.hq.cleanup();
  rmSync(caDir, { recursive: true, force: true });
  rmSync(relayDir, { recursive: true, force: true });
});

test('two officers: enrol, sign, send to HQ, receive and verify', async ({ browser }, info) => {
  test.setTimeout(300_000);
  const started = Date.now();
  const shot = (name: string) => info.outputPath(`${name}.png`);
  const [hq, mission] = await Promise.all([
    openOfficer(browser, tokens.hq, rootPath),
    openOfficer(browser, tokens.mission, rootPath),
  ]);
  try {
    // Both create their vaults; HQ enrols first so that its prekey is in the directory the
    // mission fetches when it enrols.
    await Promise.all([createVault(hq), createVault(mission)]);
    await enrol(hq, relay, 'Consular Department', shot('hq-enrol-en'));
    await fullShot(hq.page, shot('hq-approved-en'));
    await enrol(mission, relay, 'Embassy in Paris', shot('mission-enrol-en'));
    await expect(mission.page.getByText(MISSION.email)).toBeVisible();
    await fullShot(mission.page, shot('mission-approved-en'));

    // HQ waits on its (empty) documents list.
    await hq.page.keyboard.press('Alt+1');
    await expect(hq.page.getByTestId('document-count')).toContainText('0 documents');

    // Mission: a document with a PDF, signed on the token (PAdES).
    const m = mission.page;
    const subject = `Legalisation request ${Date.now()}`;
    const pdfPath = info.outputPath('request.pdf');
    writeFileSync(pdfPath, await makePdf(1));
    await m.keyboard.press('Alt+1');
    await m.getByTestId('add-document').click();
    await m.getByTestId('doc-subject').fill(subject);
    // Top secret: the send below must ask first (issue 16, markings).
    await m.getByTestId('doc-classification').selectOption('top-secret');
    await m.getByTestId('doc-pdf').setInputFiles(pdfPath);
    await m.getByTestId('doc-save').click();
    await expect(m.getByTestId('signature-panel')).toContainText('This PDF is not signed.', {
      timeout: 60_000,
    });
    await m.getByTestId('sign-document').click();
    const signDialog = m.getByRole('dialog');
    await expect(signDialog.getByRole('radio')).toBeChecked({ timeout: 20_000 });
    await signDialog.getByLabel('Reason').fill('Legalised for HQ');
    await signDialog.getByTestId('sign-pin').fill(tokens.mission.pin);
    await signDialog.getByTestId('sign-submit').click();
    await expect(m.getByTestId('signature-panel').getByTestId('verify-report')).toHaveAttribute(
      'data-verdict',
      'valid',
      { timeout: 60_000 },
    );
    await m.screenshot({ path: shot('mission-signed-en') });

    // "Send to headquarters…": the HQ officer is offered, the mission officer is not.
    await m.getByTestId('send-to-hq').click();
    const send = m.getByRole('dialog', { name: 'Send to headquarters' });
    const binh = send.locator(`[data-testid=recipient][data-address="${HQ.email}"]`);
    await expect(binh).toBeEnabled({ timeout: 20_000 });
    await expect(send.locator(`[data-testid=recipient][data-address="${MISSION.email}"]`)).toHaveCount(0);
    await send.getByTestId('recipient-search').fill('binh');
    await binh.check();
    await m.screenshot({ path: shot('mission-send-en') });
    // A Top secret send asks, naming the marking; Cancel is the default (Enter), nothing goes.
    await send.getByTestId('send-document-submit').click();
    const confirm = m.getByRole('dialog', { name: 'Send a Top secret document?' });
    await expect(confirm.getByTestId('marking-confirm')).toContainText('Tuyệt mật');
    await expect(confirm.getByTestId('marking-confirm-cancel')).toBeFocused();
    await m.screenshot({ path: shot('mission-send-confirm-en') });
    await m.keyboard.press('Enter');
    await expect(confirm).toBeHidden();
    await expect(send.getByTestId('send-result')).toHaveText('');
    // In Vietnamese (the language switch is behind the modal: close, switch, open again); Escape
    // cancels there too.
    await send.getByTestId('send-document-close').click();
    await m.getByTestId('top-language-vi').check();
    await m.getByTestId('send-to-hq').click();
    await m.locator(`[data-testid=recipient][data-address="${HQ.email}"]`).check();
    await m.getByTestId('send-document-submit').click();
    const confirmVi = m.getByRole('dialog', { name: 'Gửi tài liệu Tuyệt mật?' });
    await expect(confirmVi.getByTestId('marking-confirm-ok')).toHaveText('Gửi tài liệu Tuyệt mật');
    await m.screenshot({ path: shot('mission-send-confirm-vi') });
    await m.keyboard.press('Escape');
    await expect(confirmVi).toBeHidden();
    await expect(m.getByTestId('send-result')).toHaveText('');
    await m.getByTestId('send-document-close').click();
    // Back in English, confirmed: it goes.
    await m.getByTestId('top-language-en').check();
    await m.getByTestId('send-to-hq').click();
    await binh.check();
    await send.getByTestId('send-document-submit').click();
    await confirm.getByTestId('marking-confirm-ok').click();
    await expect(send.getByTestId('send-result')).toContainText(/queued/i, { timeout: 20_000 });
    await m.screenshot({ path: shot('mission-send-done-en') });

    // HQ: the document appears in the open list without a reload (push → round → inboxVersion).
    const h = hq.page;
    const row = h.getByRole('row').filter({ hasText: subject });
    await expect(row).toBeVisible({ timeout: 45_000 });
    // Marked new until opened (the list is on screen, so no status-bar notice).
    await expect(row.getByTestId('new-badge').getByText('New', { exact: true })).toBeVisible();
    await expect(h.getByTestId('status-arrivals')).toHaveCount(0);
    await h.screenshot({ path: shot('hq-inbox-en') });
    await row.getByText(subject).click();
    await expect(h.getByRole('heading', { level: 1 })).toHaveText(subject);
    await expect(h.getByText('Page 1 of 1')).toBeVisible({ timeout: 20_000 });
    const report = h.getByTestId('signature-panel').getByTestId('verify-report');
    await expect(report).toHaveAttribute('data-verdict', 'valid', { timeout: 30_000 });
    await expect(report).toContainText(MISSION.name);
    await expect(report).toContainText('Legalised for HQ');
    await expect(h.locator('.document-side')).toContainText(MISSION.name);
    await h.screenshot({ path: shot('hq-received-en') });

    // HQ registers it (issue 16, item 3): it takes a number in the incoming register and a
    // receipt signed by HQ's device goes back to the mission's.
    await expect(h.getByTestId('document-status')).toHaveText('Received');
    // Its kind travelled with it (a note verbale, the add form's first kind).
    await expect(h.locator('.document-side')).toContainText('Note verbale');
    await h.getByTestId('register-document').click();
    await expect(h.getByTestId('document-registration')).toContainText(
      new RegExp(`Registered as 1/${new Date().getUTCFullYear()}/ĐẾN`),
    );
    await expect(h.getByTestId('document-status')).toHaveText('Registered');
    await fullShot(h, shot('hq-registered-en'));
    await h.getByTestId('top-language-vi').check();
    await expect(h.getByTestId('document-status')).toHaveText('Đã vào sổ');
    await fullShot(h, shot('hq-registered-vi'));
    await h.getByTestId('top-language-en').check();
    await h.getByTestId('back-to-list').click();
    await expect(row).toBeVisible();
    await expect(row.getByTestId('new-badge')).toHaveCount(0);

    // Mission: from the dialog to the outbox, which says sent; the status bar says online,
    // synced, nothing pending.
    await send.getByTestId('send-see-outbox').click();
    await expect(send).toBeHidden();
    const item = m.getByTestId('outbox-item').filter({ hasText: subject });
    await expect(item).toHaveAttribute('data-state', 'sent', { timeout: 30_000 });
    await expect(item).toContainText(`${HQ.name} <${HQ.email}>`);
    await expect(item.getByTestId('outbox-sent-at')).toContainText('Accepted by headquarters');
    await expect(m.getByTestId('status-connection')).toHaveText('Online');
    await expect(m.getByTestId('status-last-sync')).toHaveText(
      /^Last sync: (now|\d+ seconds? ago|1 minute ago)$/,
    );
    await expect(m.getByTestId('status-pending')).toHaveText('Outbox: empty');
    await fullShot(m, shot('mission-outbox-en'));

    // The mission sees its document acknowledged, with who and when, in both languages.
    // Alt+1 returns to the document the officer left open.
    await m.keyboard.press('Alt+1');
    await expect(m.getByRole('heading', { level: 1 })).toHaveText(subject);
    await expect(m.getByTestId('document-status')).toHaveText('Acknowledged', { timeout: 60_000 });
    await expect(m.getByTestId('document-acknowledgements')).toContainText(
      `${HQ.name} <${HQ.email}> registered it as 1/`,
    );
    await fullShot(m, shot('mission-acknowledged-en'));
    await m.getByTestId('top-language-vi').check();
    await expect(m.getByTestId('document-status')).toHaveText('Đã báo nhận');
    await fullShot(m, shot('mission-acknowledged-vi'));
    await m.getByTestId('top-language-en').check();
    await m.keyboard.press('Alt+4');

    // The same in Vietnamese: approved screen and outbox, compose, status bar.
    await m.getByTestId('top-language-vi').check();
    await expect(m.getByRole('heading', { level: 1 })).toHaveText('Đồng bộ với trụ sở');
    await expect(m.getByTestId('status-connection')).toHaveText('Trực tuyến');
    await fullShot(m, shot('mission-outbox-vi'));
    await m.getByTestId('sync-tab-compose').click();
    await expect(m.locator(`[data-testid=recipient][data-address="${HQ.email}"]`)).toBeVisible();
    await fullShot(m, shot('mission-compose-vi'));
    await m.getByTestId('status-sync').screenshot({ path: shot('mission-status-bar-vi') });
    await m.getByTestId('top-language-en').check();
    await m.getByTestId('sync-tab-compose').click();
    await m.getByTestId('status-sync').screenshot({ path: shot('mission-status-bar-en') });

    // A message too, while HQ is on another screen: the status bar there says something came.
    await h.keyboard.press('Alt+4');
    await m.locator(`[data-testid=recipient][data-address="${HQ.email}"]`).check();
    await m.getByTestId('compose-title').fill('Courier on Friday');
    await m.getByTestId('compose-text').fill('The original will travel by diplomatic courier on Friday.');
    // A marking per message (issue 16, item 5): Secret, so the page banner says so while it is
    // written, and it leaves only after a confirmation naming it (Cancel first: nothing goes).
    const mBanner = m.locator('.app-shell > .classification-banner');
    await m.getByTestId('compose-marking').selectOption('secret');
    // With a file (issue 16, item 5): a small scan, which HQ saves below.
    const scan = Buffer.from(`courier schedule ${Date.now()}\n`.repeat(50), 'utf8');
    await m
      .getByTestId('compose-files')
      .setInputFiles({ name: 'courier.txt', mimeType: 'text/plain', buffer: scan });
    await expect(m.getByTestId('compose-files-zone')).toContainText('courier.txt');
    await expect(mBanner).toHaveAttribute('data-classification', 'secret');
    await fullShot(m, shot('mission-compose-en'));
    await m.getByTestId('compose-send').click();
    await expect(m.getByTestId('marking-confirm')).toHaveAttribute('data-marking', 'secret');
    await expect(m.getByRole('dialog')).toContainText('Secret');
    await m.getByTestId('marking-confirm-cancel').click();
    await expect(m.getByTestId('marking-confirm')).toHaveCount(0);
    await expect(m.getByRole('status').filter({ hasText: 'Queued' })).toHaveCount(0);
    await m.getByTestId('top-language-vi').check();
    await m.getByTestId('compose-send').click();
    await expect(m.getByRole('dialog')).toContainText('Tối mật');
    await fullShot(m, shot('mission-message-confirm-vi'));
    await m.getByTestId('marking-confirm-cancel').click();
    await m.getByTestId('top-language-en').check();
    await m.getByTestId('compose-send').click();
    await m.getByRole('dialog').getByTestId('marking-confirm-ok').click();
    await expect(m.getByRole('status').filter({ hasText: 'Queued for 1 device' })).toBeVisible();
    await expect(h.getByTestId('status-arrivals')).toHaveText('1 item received', { timeout: 45_000 });
    await h.locator('footer').screenshot({ path: shot('hq-status-bar-en') });
    await h.getByTestId('top-language-vi').check();
    await expect(h.getByTestId('status-arrivals')).toHaveText('Đã nhận 1 mục mới');
    await h.locator('footer').screenshot({ path: shot('hq-status-bar-vi') });
    await h.getByTestId('top-language-en').check();
    await h.keyboard.press('Alt+2');
    await expect(h.getByRole('button', { name: /Courier on Friday/ })).toContainText('1 unread');
    // The thread is listed under its marking, and the banner over Messages follows it.
    await expect(h.getByRole('button', { name: /Courier on Friday/ })).toContainText('Secret');
    await expect(h.locator('.app-shell > .classification-banner')).toHaveAttribute(
      'data-classification',
      'secret',
    );
    await expect(h.getByTestId('status-arrivals')).toHaveCount(0);
    await h.screenshot({ path: shot('hq-messages-en') });

    // HQ replies inside Messages (issue 16, item 5): the reply is addressed to the sender and
    // lands in the same thread at the mission, beside the message it answers.
    await h.getByRole('button', { name: /Courier on Friday/ }).click();
    // The file came with it; saving it asks first (Secret), and the download is the same bytes.
    const file = h.getByTestId('message-file');
    await expect(file).toContainText('courier.txt');
    // axe on the thread with its marked messages and a file, in both languages.
    for (const lang of ['vi', 'en'] as const) {
      await h.getByTestId(`top-language-${lang}`).check();
      const axe = await new AxeBuilder({ page: h }).withTags(AXE_TAGS).analyze();
      expect(axe.violations.map((v) => `${lang}: ${v.id} ${v.nodes[0]?.target.join(' ')}`)).toEqual([]);
    }
    await file.getByTestId('attachment-save').click();
    await expect(h.getByTestId('marking-confirm')).toHaveAttribute('data-marking', 'secret');
    const downloading = h.waitForEvent('download');
    await h.getByRole('dialog').getByTestId('marking-confirm-ok').click();
    const download = await downloading;
    expect(download.suggestedFilename()).toBe('courier.txt');
    expect(readFileSync(await download.path()).equals(scan)).toBe(true);
    await h.getByTestId('message-reply').click();
    await expect(h.locator(`[data-testid=recipient][data-address="${MISSION.email}"]`)).toBeChecked();
    await expect(h.getByTestId('compose-title')).toHaveValue('Courier on Friday');
    // A reply starts at the marking of what it answers.
    await expect(h.getByTestId('compose-marking')).toHaveValue('secret');
    await h.getByTestId('compose-text').fill('Noted: we will meet the courier at the airport.');
    await h.getByTestId('top-language-vi').check();
    await fullShot(h, shot('hq-reply-vi'));
    await h.getByTestId('top-language-en').check();
    await fullShot(h, shot('hq-reply-en'));
    await h.getByTestId('compose-send').click();
    await h.getByRole('dialog').getByTestId('marking-confirm-ok').click();
    await expect(h.getByRole('status').filter({ hasText: 'Queued for 1 device' })).toBeVisible();
    await m.keyboard.press('Alt+2');
    const thread = m.getByRole('button', { name: /Courier on Friday/ });
    await expect(thread).toContainText('1 unread', { timeout: 45_000 });
    await thread.click();
    await expect(m.locator('.message-list > li')).toHaveCount(2);
    await expect(m.locator('.message-list')).toContainText('we will meet the courier at the airport');
    await m.getByTestId('top-language-vi').check();
    await fullShot(m, shot('mission-thread-reply-vi'));
    await m.getByTestId('top-language-en').check();
    await fullShot(m, shot('mission-thread-reply-en'));
    console.log(`sync exchange e2e: ${((Date.now() - started) / 1000).toFixed(1)} s`);
  } catch (e) {
    await info.attach('relay.log', { body: relay.log.join('\n'), contentType: 'text/plain' });
    throw e;
  } finally {
    await Promise.all([hq.page.context().close(), mission.page.context().close()]);
    await Promise.all([hq.preview.stop(), mission.preview.stop()]);
  }
});
