import { mkdirSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import { parseArgs } from 'node:util';
import { createCore, defaultProfileDir } from '../core';
import { startPreview } from './preview-server';

declare const __APP_VERSION__: string;

const DEFAULT_PORT = 5199;

/**
 * `npm run preview`: the real core behind the loopback bridge, and the built renderer, for a
 * browser. Prints the URL; `--ready-json` prints one JSON line instead, for tests.
 */
async function main(): Promise<void> {
  const { values } = parseArgs({
    options: {
      port: { type: 'string' },
      profile: { type: 'string' },
      'ready-json': { type: 'boolean', default: false },
      // Extra trust anchors (PEM) for verification, e.g. a test CA; the shipped ones always apply.
      trust: { type: 'string', multiple: true },
    },
    strict: true,
  });
  const port = Number(values.port ?? DEFAULT_PORT);
  if (!Number.isInteger(port) || port < 0 || port > 65535) {
    throw new Error(`--port must be 0..65535, got ${values.port}`);
  }
  const profileDir = resolve(values.profile ?? defaultProfileDir('preview'));
  mkdirSync(profileDir, { recursive: true, mode: 0o700 });
  const core = createCore({
    profileDir,
    version: __APP_VERSION__,
    signing: { trust: { anchorFiles: (values.trust ?? []).map((f) => resolve(f)) } },
  });
  // dist/node/preview.cjs → dist/renderer
  const rendererDir = join(dirname(__filename), '..', 'renderer');
  const start = (p: number) => startPreview({ rendererDir, dispatch: core.dispatch, port: p });
  // The default port is a convenience: when it is taken (another preview), use any free one.
  const preview = await start(port).catch((e: NodeJS.ErrnoException) => {
    if (e.code === 'EADDRINUSE' && values.port === undefined) return start(0);
    throw e;
  });
  if (values['ready-json']) {
    process.stdout.write(
      `${JSON.stringify({ url: preview.url, origin: preview.origin, token: preview.token })}\n`,
    );
  } else {
    process.stdout.write(
      `Embassy workstation preview (real core, loopback bridge) — open in a browser:\n  ${preview.url}\n` +
        `Profile: ${profileDir}\nPress Ctrl+C to stop.\n`,
    );
  }
  const stop = (): void => {
    void preview.close().then(() => process.exit(0));
  };
  process.on('SIGINT', stop);
  process.on('SIGTERM', stop);
}

main().catch((e: unknown) => {
  process.stderr.write(`preview: ${e instanceof Error ? e.message : String(e)}\n`);
  process.exit(1);
});
