import type { ParseArgsConfig } from 'node:util';
import type { ContractError } from '../../../shared/contract/errors';

/** Exit codes of `embassy`, documented in `embassy --help`. Commands may add their own, above 3. */
export const EXIT = {
  ok: 0,
  /** The core answered with an error (its code is printed). */
  callFailed: 1,
  /** Bad command line. */
  usage: 2,
  /** Something broke inside the tool. */
  internal: 3,
} as const;

export interface CliIo {
  readonly stdout: (text: string) => void;
  readonly stderr: (text: string) => void;
  /**
   * Reads all of standard input (for `--pin-stdin`, `--passphrase`): secrets come from stdin
   * or a TTY prompt, never from argv or the environment. One trailing newline is removed.
   */
  readonly readStdin: () => Promise<Buffer>;
}

export type CliOptions = NonNullable<ParseArgsConfig['options']>;

export interface CliArgs {
  readonly values: Record<string, string | boolean | (string | boolean)[] | undefined>;
  readonly positionals: readonly string[];
}

/**
 * One `embassy` command. `name` may have several words (`vault init`); the dispatcher picks
 * the longest name that prefixes the positionals. Options are parsed strictly; `--help` on a
 * command prints its usage.
 */
export interface CliCommand {
  readonly name: string;
  /** One line for `embassy --help`. */
  readonly summary: string;
  /** Full usage shown by `embassy <command> --help` and on a usage error. */
  readonly usage: string;
  readonly options: CliOptions;
  /** How many positionals after the command name (default: none). */
  readonly positionals?: { readonly min: number; readonly max: number };
  run(args: CliArgs, io: CliIo): Promise<number>;
}

/** Thrown by a command for a bad command line it detects itself; printed with its usage. */
export class UsageError extends Error {
  override readonly name = 'UsageError';
}

/** Prints a contract error the same way for every command; returns the exit code. */
export function reportError(error: ContractError, json: boolean, io: CliIo): number {
  if (json) io.stdout(`${JSON.stringify({ ok: false, error })}\n`);
  io.stderr(`embassy: ${error.code}: ${error.message}\n`);
  return error.code === 'E_INTERNAL' ? EXIT.internal : EXIT.callFailed;
}
