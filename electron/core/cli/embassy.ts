import { mkdirSync } from 'node:fs';
import { resolve } from 'node:path';
import { parseArgs } from 'node:util';
import { createCore } from '../core';
import { defaultProfileDir } from '../profile/profile-dir';
import type { Health } from '../../../shared/contract/calls';
import { ErrorCode, type ContractError } from '../../../shared/contract/errors';

declare const __APP_VERSION__: string;

/**
 * `embassy`: the workstation core for scripts, IT and tests. Same handler table as the app.
 * Secrets (PINs, passphrases) will only ever be read from stdin or a TTY prompt, never argv
 * or the environment.
 */

export const EXIT = {
  ok: 0,
  /** The call was answered with an error (its code is printed). */
  callFailed: 1,
  /** Bad command line. */
  usage: 2,
  /** Something broke inside the tool. */
  internal: 3,
} as const;

const HELP = `embassy — the embassy secure workstation from the command line

Usage:
  embassy health [--json] [--profile DIR]   version and health of each core part
  embassy --version                          print the version
  embassy --help                             this text

Options:
  --profile DIR   the officer's profile folder (default: the app's own profile)
  --json          machine-readable output on stdout

Exit codes:
  0  success
  1  the core answered with an error (code on stderr, or in the JSON)
  2  bad command line
  3  internal error
`;

export interface CliIo {
  readonly stdout: (text: string) => void;
  readonly stderr: (text: string) => void;
}

export async function runCli(argv: readonly string[], io: CliIo): Promise<number> {
  let parsed;
  try {
    parsed = parseArgs({
      args: [...argv],
      options: {
        help: { type: 'boolean', short: 'h', default: false },
        version: { type: 'boolean', short: 'V', default: false },
        json: { type: 'boolean', default: false },
        profile: { type: 'string' },
      },
      allowPositionals: true,
      strict: true,
    });
  } catch (e) {
    io.stderr(`embassy: ${e instanceof Error ? e.message : String(e)}\nTry 'embassy --help'.\n`);
    return EXIT.usage;
  }
  const { values, positionals } = parsed;
  if (values.help) {
    io.stdout(HELP);
    return EXIT.ok;
  }
  if (values.version) {
    io.stdout(`${__APP_VERSION__}\n`);
    return EXIT.ok;
  }
  const [command, ...rest] = positionals;
  if (command !== 'health' || rest.length > 0) {
    io.stderr(
      command === undefined
        ? `embassy: no command given\nTry 'embassy --help'.\n`
        : `embassy: unknown command '${[command, ...rest].join(' ')}'\nTry 'embassy --help'.\n`,
    );
    return EXIT.usage;
  }
  const profileDir = resolve(values.profile ?? defaultProfileDir('app'));
  mkdirSync(profileDir, { recursive: true, mode: 0o700 });
  const core = createCore({ profileDir, version: __APP_VERSION__ });
  const result = await core.dispatch('app.health', {}, { transport: 'cli' });
  if (!result.ok) return reportError(result.error, values.json, io);
  const health = result.value as Health;
  if (values.json) {
    io.stdout(`${JSON.stringify(health)}\n`);
  } else {
    io.stdout(formatHealth(health));
  }
  return EXIT.ok;
}

function reportError(error: ContractError, json: boolean, io: CliIo): number {
  if (json) io.stdout(`${JSON.stringify({ ok: false, error })}\n`);
  io.stderr(`embassy: ${error.code}: ${error.message}\n`);
  return error.code === ErrorCode.Internal ? EXIT.internal : EXIT.callFailed;
}

function formatHealth(h: Health): string {
  const rows: [string, string][] = [
    ['version', h.version],
    ['vault', h.parts.vault.state],
    ['token', h.parts.token.state],
    ['hq link', h.parts.hq.state],
    ['updates', h.parts.updates.state],
    [
      'runtime',
      `node ${h.runtime.node}${h.runtime.electron ? `, electron ${h.runtime.electron}` : ''}, ${h.runtime.platform}-${h.runtime.arch}`,
    ],
  ];
  const width = Math.max(...rows.map(([k]) => k.length));
  return rows.map(([k, v]) => `${k.padEnd(width)}  ${v}\n`).join('');
}
