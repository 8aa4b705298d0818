import { dirname, join, resolve } from 'node:path';
import { parseArgs } from 'node:util';
import { createCore, defaultProfileDir, ensurePrivateDirSync, PRIVATE_UMASK } from '../core';
import type { CliOptions } from '../../shared/cli/cli-command';
import { columns, HELP_WIDTH, optionRows, wrap } from '../../shared/cli/help-text';
import { startPreview } from './preview-server';

declare const __APP_VERSION__: string;

const DEFAULT_PORT = 5199;

const OPTIONS = {
  port: {
    type: 'string',
    arg: 'N',
    help: `port on 127.0.0.1 (default ${DEFAULT_PORT}, or any free one when it is taken; 0: any free one)`,
  },
  profile: {
    type: 'string',
    arg: 'DIR',
    help: "the profile folder (default: the preview's own, never the app's)",
  },
  trust: {
    type: 'string',
    multiple: true,
    arg: 'PEM',
    help: 'an extra trust anchor for verification, e.g. a test CA; the shipped ones always apply',
  },
  'ready-json': {
    type: 'boolean',
    default: false,
    help: 'print one JSON line {url, origin, token} when ready, instead of the text (tests)',
  },
  help: { type: 'boolean', short: 'h', default: false, help: 'this text' },
} as const satisfies CliOptions;

function help(): string {
  return [
    ...wrap('Usage: npm run preview -- [OPTIONS]   (or: node dist/node/preview.cjs [OPTIONS])', HELP_WIDTH),
    '',
    ...wrap(
      'The real core behind the loopback bridge, and the built interface, for a browser on this machine. Development and tests only.',
      HELP_WIDTH,
    ),
    '',
    'Options:',
    ...columns(optionRows(OPTIONS)),
    '',
  ].join('\n');
}

/**
 * `npm run preview`: the real core behind the loopback bridge, and the built renderer, for a
 * browser. Prints the URL; `--ready-json` prints one JSON line instead, for tests.
 */
async function main(): Promise<void> {
  // parseArgs reads type, short, multiple and default, and ignores the help texts.
  const { values } = parseArgs({ options: OPTIONS, strict: true });
  if (values.help) {
    process.stdout.write(help());
    return;
  }
  const port = Number(values.port ?? DEFAULT_PORT);
  if (!Number.isInteger(port) || port < 0 || port > 65535) {
    throw new Error(`--port must be 0..65535, got ${values.port}`);
  }
  const profileDir = resolve(values.profile ?? defaultProfileDir('preview'));
  process.umask(PRIVATE_UMASK);
  ensurePrivateDirSync(profileDir);
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
      `Embassy workstation preview (real core, loopback bridge). Open in a browser:\n  ${preview.url}\n` +
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
  process.stderr.write(`preview: ${e instanceof Error ? e.message : String(e)}\nTry --help.\n`);
  process.exit(1);
});
