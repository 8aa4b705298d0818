import { execFile, spawn, type ChildProcess } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createInterface } from 'node:readline';
import { promisify } from 'node:util';
import type { Browser, Page } from '@playwright/test';
import { createSoftHsmToken, makeCa, type SoftHsmToken } from '../fixtures/softhsm';
import { expect, startPreviewProcess, test, type PreviewServer } from './fixtures';

/**
 * Issue 12 item 4 end to end: two previews (each its real core, profile and SoftHSM token, both
 * certificates from one ministry CA), the built relay, Debian's Chromium. The officers open
 * each other under Contacts: both pages show the same safety number; the mission officer marks
 * HQ verified. HQ's officer then enrols a second workstation with the same token (the built
 * `embassy` CLI); the mission is told of the new device, naming the certificate that vouches
 * for it, and the mark is gone. They compare the new number and verify again, in Vietnamese.
 */
const run = promisify(execFile);

const MISSION = { name: 'Nguyen Van An', email: 'an.nguyen@mission.example', label: 'Mission SN' };
const HQ = { name: 'Tran Thi Binh', email: 'binh.tran@hq.example', label: 'HQ SN' };

let caDir: string;
let relayDir: string;
let cliProfile: string;
let rootPath: string;
let tokens: { mission: SoftHsmToken; hq: SoftHsmToken };
let relay: { url: string; fingerprint: string; child: ChildProcess; log: string[] };

async function startRelay(dataDir: string, trustCa: string): Promise<typeof relay> {
  const args = ['hq', 'serve', '--data', dataDir, '--listen', '127.0.0.1:0', '--json', '--trust-ca', trustCa];
  const child = spawn(process.execPath, ['dist/node/embassy.cjs', ...args], {
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  const log: string[] = [];
  if (child.stderr) createInterface({ input: child.stderr }).on('line', (l) => log.push(l));
  const line = await new Promise<string>((resolve, reject) => {
    if (!child.stdout) return reject(new Error('relay has no stdout'));
    createInterface({ input: child.stdout }).once('line', resolve);
    child.once('exit', (code) => reject(new Error(`hq serve exited with ${code} before it was ready`)));
  });
  const { url, fingerprint } = JSON.parse(line) as { url: string; fingerprint: string };
  return { url, fingerprint, child, log };
}

/** The built `embassy` with the token's PIN on stdin. */
function embassy(args: readonly string[], token: SoftHsmToken): Promise<string> {
  return new Promise((resolve, reject) => {
    const child = execFile(
      process.execPath,
      ['dist/node/embassy.cjs', ...args],
      { env: { ...process.env, ...token.env } },
      (error, stdout, stderr) => (error ? reject(new Error(`${error.message}\n${stderr}`)) : resolve(stdout)),
    );
    child.stdin?.end(`${token.pin}\n`);
  });
}

test.beforeAll(async () => {
  caDir = mkdtempSync(join(tmpdir(), 'embassy-e2e-ca-'));
  relayDir = mkdtempSync(join(tmpdir(), 'embassy-e2e-relay-'));
  cliProfile = mkdtempSync(join(tmpdir(), 'embassy-e2e-second-'));
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
  if (relay?.child.exitCode === null) {
    const exited = new Promise((r) => relay.child.once('exit', r));
    relay.child.kill('SIGTERM');
    await exited;
  }
  await tokens?.mission.cleanup();
  await tokens?.hq.cleanup();
  for (const d of [caDir, relayDir, cliProfile]) if (d) rmSync(d, { recursive: true, force: true });
});

interface Officer {
  readonly page: Page;
  readonly preview: PreviewServer & { stop(): Promise<void> };
  readonly token: SoftHsmToken;
}

async function fullShot(page: Page, path: string): Promise<void> {
  const size = page.viewportSize() ?? { width: 1280, height: 800 };
  const height = await page.locator('main').evaluate((m) => m.scrollHeight + 200);
  await page.setViewportSize({ width: size.width, height: Math.max(size.height, height) });
  await page.screenshot({ path });
  await page.setViewportSize(size);
}

async function openOfficer(browser: Browser, token: SoftHsmToken): Promise<Officer> {
  const preview = await startPreviewProcess({ env: token.env, args: ['--trust', rootPath] });
  const context = await browser.newContext({ viewport: { width: 1280, height: 800 } });
  const page = await context.newPage();
  await page.goto(preview.url);
  await page.getByTestId('top-language-en').check();
  return { page, preview, token };
}

async function createVault({ page, token }: Officer): Promise<void> {
  await page.getByRole('link', { name: /Documents/ }).click();
  await page.getByTestId('choose-token').click();
  await page.getByLabel('Token driver (PKCS#11 module)').selectOption('softhsm2');
  await page.getByTestId('detected-token').filter({ hasText: token.label }).click();
  await page.getByTestId('pin').fill(token.pin);
  await page.getByTestId('create-vault').click();
  await page.getByRole('link', { name: 'Start with an empty vault' }).click();
  await expect(page.getByTestId('add-document')).toBeVisible({ timeout: 30_000 });
}

async function enrol({ page, token }: Officer, department: string): Promise<void> {
  await page.getByRole('link', { name: /Sync/ }).first().click();
  await expect(page.locator('input[name=enrol-certificate]')).toBeChecked({ timeout: 20_000 });
  await page.getByTestId('enrol-url').fill(relay.url);
  await page.getByTestId('enrol-fingerprint').fill(relay.fingerprint);
  await page.getByTestId('enrol-department').fill(department);
  await page.getByTestId('enrol-pin').fill(token.pin);
  await page.getByTestId('enrol-submit').click();
  await expect(page.getByTestId('sync-connection')).toHaveText(/Online/, { timeout: 30_000 });
}

/** Sync now, then the Contacts tab with `address` open; answers the digits on screen. */
async function openContact(page: Page, address: string): Promise<string> {
  await page.getByTestId('sync-now').click();
  await expect(page.getByTestId('sync-now')).toBeEnabled({ timeout: 30_000 });
  await page.getByTestId('sync-tab-contacts').click();
  await page.getByTestId(`contact-${address}`).click();
  const digits = page.getByTestId('safety-number');
  await expect(digits).toHaveText(/^(\d{5}){12}$/, { timeout: 20_000 });
  await expect(page.getByTestId('safety-qr')).toBeVisible();
  return (await digits.textContent()) ?? '';
}

test('a new-device notice, safety numbers compared and marked verified, in English and Vietnamese', async ({
  browser,
}, info) => {
  test.setTimeout(240_000);
  const shot = (name: string) => info.outputPath(`${name}.png`);
  const [hq, mission] = await Promise.all([
    openOfficer(browser, tokens.hq),
    openOfficer(browser, tokens.mission),
  ]);
  try {
    await Promise.all([createVault(hq), createVault(mission)]);
    await enrol(hq, 'Consular Department');
    await enrol(mission, 'Embassy in Paris');
    const m = mission.page;
    const h = hq.page;

    // Both pages show the same 60 digits; the mission officer marks HQ verified.
    const fromMission = await openContact(m, HQ.email);
    const fromHq = await openContact(h, MISSION.email);
    expect(fromHq).toBe(fromMission);
    await expect(m.getByTestId('contact-verification')).toHaveText(/Not verified/);
    await expect(m.getByTestId('contact-device')).toContainText(`CN=${HQ.name}`);
    await m.getByTestId('contact-verify').click();
    await expect(m.getByTestId('contact-verification')).toHaveText(/^Verified: you compared/);
    await fullShot(m, shot('mission-contact-verified-en'));
    await fullShot(h, shot('hq-contact-en'));

    // HQ's officer enrols a second workstation with the same token.
    await embassy(
      [
        'vault',
        'init',
        '--profile',
        cliProfile,
        '--module',
        tokens.hq.modulePath,
        '--token',
        tokens.hq.label,
        '--pin-stdin',
      ],
      tokens.hq,
    );
    const second = (
      await embassy(
        [
          'enroll',
          '--profile',
          cliProfile,
          '--hq',
          relay.url,
          '--hq-fingerprint',
          relay.fingerprint,
          '--pin-stdin',
          '--trust',
          rootPath,
        ],
        tokens.hq,
      )
    ).trim();
    expect(second).toMatch(/^[0-9a-f]{32}$/);

    // The mission is told, naming the certificate; the mark is gone and says why.
    await m.getByTestId('sync-now').click();
    const warnings = m.getByTestId('sync-warnings');
    const added = warnings.getByRole('listitem').filter({ hasText: 'A contact has a new device' });
    await expect(added).toContainText(HQ.email, { timeout: 30_000 });
    await expect(added.getByTestId('warning-certificate')).toContainText(`CN=${HQ.name}`);
    await expect(added.getByTestId('warning-certificate')).toContainText('Test Signing CA ministry');
    await expect(warnings).toContainText('no longer marked verified');
    // The card still open below refreshes by itself: no stale "Verified".
    await expect(m.getByTestId('contact-verification')).toHaveText(/^No longer verified/);
    await fullShot(m, shot('mission-new-device-notice-en'));
    await added.getByTestId('warning-compare').click();
    await expect(m.getByTestId('contact-verification')).toHaveText(/^No longer verified/);
    await expect(m.getByTestId('contact-device')).toHaveCount(2);
    const newFromMission = (await m.getByTestId('safety-number').textContent()) ?? '';
    expect(newFromMission).not.toBe(fromMission);
    await fullShot(m, shot('mission-contact-changed-en'));

    // In Vietnamese: HQ's page shows the same new number; the mission verifies again.
    await m.getByTestId('top-language-vi').check();
    await h.getByTestId('top-language-vi').check();
    await h.getByTestId('sync-now').click();
    await expect(h.getByTestId('sync-now')).toBeEnabled({ timeout: 30_000 });
    await expect(h.getByTestId('sync-warnings')).toContainText(
      'Một thiết bị mới đã được đăng ký bằng chính token của anh/chị',
    );
    await h.getByTestId(`contact-${MISSION.email}`).click();
    await expect(h.getByTestId('safety-number')).toHaveText(newFromMission, { timeout: 20_000 });
    await expect(m.getByTestId('contact-verification')).toHaveText(/^Không còn được xác minh/);
    await fullShot(m, shot('mission-contact-changed-vi'));
    await m.getByRole('button', { name: 'Đánh dấu đã xác minh' }).click();
    await expect(m.getByTestId('contact-verification')).toHaveText(/^Đã xác minh/);
    await fullShot(m, shot('mission-contact-verified-vi'));
    await fullShot(h, shot('hq-contact-vi'));
  } catch (e) {
    await info.attach('relay.log', { body: relay.log.join('\n'), contentType: 'text/plain' });
    throw e;
  } finally {
    await Promise.all([hq.page.context().close(), mission.page.context().close()]);
    await Promise.all([hq.preview.stop(), mission.preview.stop()]);
  }
});
