import { spawn, type ChildProcess } from 'node:child_process';
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createInterface } from 'node:readline';
import { test as base } from '@playwright/test';

export interface PreviewServer {
  /** Page URL with the per-run token in the fragment, as `npm run preview` prints it. */
  readonly url: string;
  readonly origin: string;
  readonly profileDir: string;
}

/**
 * Starts the built preview (`dist/node/preview.cjs`: the real core and the bridge) on a free
 * loopback port with a fresh profile, once per test, and stops it afterwards.
 */
export async function startPreviewProcess(
  options: { env?: NodeJS.ProcessEnv; profileDir?: string; args?: readonly string[] } = {},
): Promise<PreviewServer & { stop(): Promise<void> }> {
  const profileDir = options.profileDir ?? mkdtempSync(join(tmpdir(), 'embassy-e2e-'));
  const child: ChildProcess = spawn(
    process.execPath,
    [
      'dist/node/preview.cjs',
      '--port',
      '0',
      '--ready-json',
      '--profile',
      profileDir,
      ...(options.args ?? []),
    ],
    { stdio: ['ignore', 'pipe', 'inherit'], env: { ...process.env, ...options.env } },
  );
  const line = await new Promise<string>((resolve, reject) => {
    if (!child.stdout) return reject(new Error('preview has no stdout'));
    const rl = createInterface({ input: child.stdout });
    rl.once('line', resolve);
    child.once('exit', (code) => reject(new Error(`preview exited with ${code} before it was ready`)));
  });
  const { url, origin } = JSON.parse(line) as { url: string; origin: string };
  return {
    url,
    origin,
    profileDir,
    stop: () =>
      new Promise((resolve) => {
        if (child.exitCode !== null) return resolve();
        child.once('exit', () => resolve());
        child.kill('SIGTERM');
      }),
  };
}

export const test = base.extend<{ preview: PreviewServer }>({
  // Playwright requires the destructuring pattern for fixtures, even when empty.
  // eslint-disable-next-line no-empty-pattern
  preview: async ({}, use) => {
    const server = await startPreviewProcess();
    await use(server);
    await server.stop();
  },
});

export { expect } from '@playwright/test';
