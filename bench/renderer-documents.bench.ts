import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { chromium } from 'playwright-core';
import { CLASSIFICATIONS } from '../shared/domain/classification';
import { DIRECTIONS, DOCUMENT_STATUSES } from '../shared/domain/document';
import { createCore } from '../electron/core';
import { startPreview } from '../electron/dev/preview-server';
import { CHROMIUM_ARGS } from '../playwright.config';
import type { Bench } from './figures';

const DOCUMENTS = 100_000;
const BATCH = 10_000;

/**
 * The document list with 100,000 documents in the vault: DOM node count and JS heap of the
 * page (Chromium's own counters over the DevTools protocol) at the top of the list and after
 * scrolling through it, against the same page with 100 documents (the baseline). Bounded
 * means the 100,000-row figures stay near the 100-row ones.
 */
const bench: Bench = async () => {
  const small = await measure(100);
  const large = await measure(DOCUMENTS);
  return [
    { name: 'DOM nodes, 100 documents', value: small.nodesTop, unit: 'nodes' },
    { name: 'DOM nodes, 100,000 documents (top)', value: large.nodesTop, unit: 'nodes' },
    {
      name: 'DOM nodes, 100,000 documents (after scrolling 3,000 rows)',
      value: large.nodesScrolled,
      unit: 'nodes',
    },
    { name: 'DOM nodes 100,000 / 100 (ratio)', value: large.nodesScrolled / small.nodesScrolled, unit: '×' },
    { name: 'JS heap, 100 documents', value: small.heapMb, unit: 'MB' },
    { name: 'JS heap, 100,000 documents after scrolling', value: large.heapMb, unit: 'MB' },
    { name: 'unlock (Argon2id) → first rows shown (100,000)', value: large.firstRowsMs, unit: 'ms' },
    { name: 'keyboard End → last row shown (100,000)', value: large.endMs, unit: 'ms' },
  ];
};

async function measure(count: number) {
  const profileDir = await mkdtemp(join(tmpdir(), 'embassy-bench-ui-'));
  const core = createCore({ profileDir, version: 'bench' });
  const passphrase = 'bench passphrase 1234';
  await core.vault.create({ profile: 'passphrase', passphrase });
  for (let start = 0; start < count; start += BATCH) {
    const n = Math.min(BATCH, count - start);
    await core.vault.run('bulk.import', {
      documents: Array.from({ length: n }, (_, i) => {
        const k = start + i;
        return {
          subject: `Công hàm số ${k} về hợp tác lãnh sự / Note verbale ${k} on consular cooperation`,
          from: `Đại sứ quán ${k % 97}`,
          to: ['Bộ Ngoại giao'],
          direction: DIRECTIONS[k % DIRECTIONS.length],
          status: DOCUMENT_STATUSES[k % DOCUMENT_STATUSES.length],
          classification: CLASSIFICATIONS[k % CLASSIFICATIONS.length],
          registryNumber: `B/${String(k).padStart(6, '0')}`,
        };
      }),
      threads: [],
    });
  }
  await core.vault.lock('officer');
  const rendererDir = join(process.cwd(), 'dist', 'renderer');
  const preview = await startPreview({ rendererDir, dispatch: core.dispatch, port: 0 });
  const browser = await chromium.launch({
    executablePath: process.env.CHROMIUM_PATH ?? '/usr/bin/chromium',
    args: CHROMIUM_ARGS,
  });
  try {
    const page = await browser.newPage({ viewport: { width: 1366, height: 820 } });
    const cdp = await page.context().newCDPSession(page);
    await cdp.send('Performance.enable');
    const metric = async (name: string) => {
      await cdp.send('HeapProfiler.collectGarbage');
      const { metrics } = await cdp.send('Performance.getMetrics');
      return metrics.find((m) => m.name === name)?.value ?? Number.NaN;
    };
    await page.goto(preview.url);
    await page.click('[data-route=documents]');
    await page.fill('[data-testid=unlock-secret]', passphrase);
    const t0 = Date.now();
    await page.click('[data-testid=unlock]');
    await page.locator('.grid-row:not(:has(.grid-pending))').first().waitFor({ timeout: 60_000 });
    const firstRowsMs = Date.now() - t0;
    const nodesTop = await metric('Nodes');
    // Scroll 3,000 rows with the keyboard (PageDown), as an officer would.
    await page.locator('.grid-body').focus();
    for (let i = 0; i < 200; i++) await page.keyboard.press('PageDown');
    await page.waitForTimeout(300);
    const nodesScrolled = await metric('Nodes');
    const heapMb = (await metric('JSHeapUsedSize')) / 1024 / 1024;
    const t1 = Date.now();
    await page.keyboard.press('End');
    await page
      .locator(`[aria-rowindex="${count + 1}"]:not(:has(.grid-pending))`)
      .waitFor({ timeout: 60_000 });
    const endMs = Date.now() - t1;
    return { nodesTop, nodesScrolled, heapMb, firstRowsMs, endMs };
  } finally {
    await browser.close();
    await preview.close();
    await core.vault.dispose();
    await rm(profileDir, { recursive: true, force: true });
  }
}

export default bench;
