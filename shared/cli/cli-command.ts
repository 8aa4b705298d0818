import type { ContractError } from '../contract/errors';

/**
 * The shape of one command of the `embassy` tool. It lives in shared/ because two layers
 * write commands: the workstation's (electron/cli/) and the relay's admin commands (hq/cli/),
 * and the `embassy` tool composes both without either importing the other.
 */

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

/** The exit codes every command shares, as `--help` prints them. */
export const COMMON_EXIT_CODES: readonly (readonly [code: number, meaning: string])[] = [
  [EXIT.ok, 'success'],
  [EXIT.callFailed, 'the call failed (error code on stderr, or in the JSON)'],
  [EXIT.usage, 'bad command line'],
  [EXIT.internal, 'internal error'],
];

export interface CliIo {
  readonly stdout: (text: string) => void;
  readonly stderr: (text: string) => void;
  /**
   * Reads all of standard input (for `--pin-stdin`, `--passphrase`): secrets come from stdin
   * or a TTY prompt, never from argv or the environment. One trailing newline is removed.
   * The caller zeroes the bytes once it has read them.
   */
  readonly readStdin: () => Promise<Uint8Array>;
}

/** One option, as `node:util` parseArgs reads it, plus what `--help` shows. */
export interface CliOption {
  readonly type: 'string' | 'boolean';
  readonly multiple?: boolean;
  readonly short?: string;
  readonly default?: string | boolean;
  /** The value's name in help (`--profile DIR`); string options only. */
  readonly arg?: string;
  /** One line (wrapped to the terminal) for `COMMAND --help`. */
  readonly help: string;
}

export type CliOptions = Readonly<Record<string, CliOption>>;

type OptionValue<O extends CliOption> = O extends { readonly multiple: true }
  ? O['type'] extends 'string'
    ? string[]
    : boolean[]
  : O['type'] extends 'string'
    ? string
    : boolean;

/** The parsed values of a command's options: an option with a default is always there. */
export type CliValues<O extends CliOptions> = {
  readonly [K in keyof O]: O[K] extends { readonly default: string | boolean }
    ? OptionValue<O[K]>
    : OptionValue<O[K]> | undefined;
};

export interface CliArgs<O extends CliOptions = CliOptions> {
  readonly values: CliValues<O>;
  readonly positionals: readonly string[];
}

/** What a command file declares; `defineCommand` turns it into a `CliCommand`. */
export interface CliCommandSpec<O extends CliOptions> {
  /** May have several words (`vault init`); the longest name that prefixes the words wins. */
  readonly name: string;
  /** One line for `embassy --help`. */
  readonly summary: string;
  /** The synopsis, `embassy NAME ...` (wrapped to the terminal by `--help`). */
  readonly usage: string;
  readonly options: O;
  /** How many positionals after the command name (default: none). */
  readonly positionals?: { readonly min: number; readonly max: number };
  /** Lines of prose after the options in `COMMAND --help`. */
  readonly notes?: readonly string[];
  /** The command's exit codes when they differ from `COMMON_EXIT_CODES`. */
  readonly exitCodes?: readonly (readonly [code: number, meaning: string])[];
  run(args: CliArgs<O>, io: CliIo): Promise<number>;
}

/**
 * One `embassy` command as the tool's registry holds it. Options are parsed strictly; `--help`
 * on a command prints its usage, options and exit codes.
 */
export interface CliCommand extends Omit<CliCommandSpec<CliOptions>, 'run'> {
  run(
    args: { values: Readonly<Record<string, unknown>>; positionals: readonly string[] },
    io: CliIo,
  ): Promise<number>;
}

/**
 * A command whose `run` sees its options' values typed from their declarations (`--json`
 * a boolean, `--attach` a string array), so the command never casts them.
 */
export function defineCommand<const O extends CliOptions>(spec: CliCommandSpec<O>): CliCommand {
  return {
    ...spec,
    // The runner parses strictly with exactly `spec.options`, so the values have their shape.
    run: (args, io) => spec.run(args as CliArgs<O>, io),
  };
}

/** `--json`, which every command takes. */
export const JSON_OPTION = {
  type: 'boolean',
  default: false,
  help: 'machine-readable output on stdout',
} as const satisfies CliOption;

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
