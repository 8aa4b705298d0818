import { spawnSync } from 'node:child_process';
import { existsSync, readdirSync, readFileSync, statSync } from 'node:fs';
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';

/**
 * Checks on what `npm run build` produced (the test runner builds first). These are the
 * files that ship, so the properties are checked on them, not on the sources.
 */
const dist = (p: string) => join(process.cwd(), 'dist', p);
const read = (p: string) => {
  if (!existsSync(dist(p))) throw new Error(`${p} missing: run npm run build first`);
  return readFileSync(dist(p), 'utf8');
};

describe('built bundles', () => {
  it('the Electron main bundle contains no bridge (ws is bundled only as the HQ push client)', () => {
    const main = read('main/main.cjs');
    // The sync engine's push socket to HQ needs the ws client; it is inlined, not required.
    expect(main).not.toMatch(/require\(["']ws["']\)/);
    expect(main).not.toContain('attachBridge');
    expect(main).not.toContain('embassy.v1');
  });

  it("main's session-wide CSP literal is exactly the renderer CSP", async () => {
    const { rendererCsp } = await import('../../electron/core/renderer-assets/renderer-assets');
    const main = read('main/main.cjs');
    const literal = /"Content-Security-Policy": \[\s*"([^"]+)"/.exec(main)?.[1];
    expect(literal).toBe(rendererCsp());
  });

  it('the preload is one self-contained file that requires only electron', () => {
    const preload = read('preload/preload.cjs');
    const requires = [...preload.matchAll(/require\(["']([^"']+)["']\)/g)].map((m) => m[1]);
    expect(new Set(requires)).toEqual(new Set(['electron']));
  });

  it('no PDF parser in main, the vault worker or the CLI: pdf-lib and pdf.js are in the PDF sandbox only', () => {
    // pdf-lib's tokeniser and pdf.js's loader, by names their code always carries.
    const parser = /class PDFParser|PDFObjectParser|pdfjs-dist/;
    for (const bundle of [
      'main/main.cjs',
      'main/vault-worker.cjs',
      'node/vault-worker.cjs',
      'node/embassy.cjs',
    ])
      expect(read(bundle), bundle).not.toMatch(parser);
    const sandbox = read('pdf-sandbox/pdf-sandbox.cjs');
    expect(sandbox).toMatch(/PDFObjectParser/);
    expect(sandbox).toMatch(/import\(["']pdfjs-dist\/legacy\/build\/pdf\.mjs["']\)/);
  });

  it('the renderer has no inline script or style (the CSP allows none)', () => {
    const html = read('renderer/index.html');
    expect(html).not.toMatch(/<script(?![^>]*\bsrc=)[^>]*>/);
    expect(html).not.toMatch(/<style|style=/);
  });

  it("renderer chunks stay under Vite's 500 kB advice, and pdf.js is not loaded at start", () => {
    // The split is in vite.config.ts; a chunk over the limit would print Vite's warning to a
    // new user at `npm start`. The pdf.js worker is a separate file the browser fetches itself.
    const assets = dist('renderer/assets');
    const scripts = readdirSync(assets).filter((f) => f.endsWith('.js'));
    expect(scripts.length).toBeGreaterThan(2);
    for (const f of scripts) expect(statSync(join(assets, f)).size, f).toBeLessThan(500 * 1000);
    const html = read('renderer/index.html');
    expect(html).not.toMatch(/pdfjs/);
  });
});

describe('embassy command (built)', () => {
  const cli = (...args: string[]) =>
    spawnSync(process.execPath, [dist('node/embassy.cjs'), ...args], {
      encoding: 'utf8',
      stdin: 'ignore',
    } as never);
  const pkg = JSON.parse(readFileSync('package.json', 'utf8')) as {
    version: string;
    bin: Record<string, string>;
  };

  it('is the package bin', () => {
    expect(pkg.bin.embassy).toBe('dist/node/embassy.cjs');
  });

  it('--version, --help and health --json work', () => {
    expect(cli('--version').stdout.trim()).toBe(pkg.version);
    const help = cli('--help');
    expect(help.status).toBe(0);
    expect(help.stdout).toContain('Exit codes');
    const profile = mkdtempSync(join(tmpdir(), 'embassy-bin-'));
    const health = cli('health', '--json', '--profile', profile);
    expect(health.status).toBe(0);
    expect(JSON.parse(health.stdout)).toMatchObject({ version: pkg.version, transport: 'cli' });
  });

  it('exits 2 on an unknown command', () => {
    expect(cli('explode').status).toBe(2);
  });
});
