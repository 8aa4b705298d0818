import { parseArgs, type ParseArgsConfig } from 'node:util';
import {
  COMMON_EXIT_CODES,
  EXIT,
  UsageError,
  type CliCommand,
  type CliIo,
} from '../../shared/cli/cli-command';
import { columns, commandHelp, commandRows, HELP_WIDTH, wrap } from '../../shared/cli/help-text';
import { COMMANDS } from './commands';
import { PIN_STDIN_OPTION, PROFILE_OPTION } from './common-options';

export { EXIT, type CliIo } from '../../shared/cli/cli-command';

declare const __APP_VERSION__: string;

/**
 * `embassy`: the workstation core for scripts, IT and tests — the same handler table as the
 * app. Secrets (PINs, passphrases) are read from standard input only, never argv or env.
 */
function help(commands: readonly CliCommand[]): string {
  return [
    'embassy - the embassy secure workstation from the command line',
    '',
    'Usage: embassy COMMAND [OPTIONS]',
    '',
    'Commands:',
    ...columns([
      ...commandRows(commands),
      ['embassy --version', 'print the version'],
      ['embassy --help', "this text; 'embassy COMMAND --help' for one command"],
    ]),
    '',
    'Common options:',
    ...columns([
      ['--profile DIR', PROFILE_OPTION.help],
      ['--json', 'machine-readable output on stdout'],
      ['--pin-stdin', PIN_STDIN_OPTION.help],
    ]),
    '',
    'Exit codes:',
    ...columns(COMMON_EXIT_CODES.map(([code, meaning]) => [String(code), meaning])),
    '',
  ].join('\n');
}

/** A usage line for error messages, wrapped like `--help` wraps it. */
function usageLines(usage: string): string {
  return `${wrap(usage, HELP_WIDTH, 'Usage: ', '    ', true).join('\n')}\n`;
}

/** The command whose (possibly multi-word) name is the longest prefix of the words given. */
function findCommand(words: readonly string[], commands: readonly CliCommand[]): CliCommand | undefined {
  return commands
    .filter((c) => {
      const parts = c.name.split(' ');
      return parts.every((p, i) => words[i] === p);
    })
    .sort((a, b) => b.name.split(' ').length - a.name.split(' ').length)[0];
}

export async function runCli(argv: readonly string[], io: CliIo, commands = COMMANDS): Promise<number> {
  const usageError = (message: string, usage?: string): number => {
    io.stderr(`embassy: ${message}\n${usage ? usageLines(usage) : "Try 'embassy --help'.\n"}`);
    return EXIT.usage;
  };
  const firstWord = argv.findIndex((a) => !a.startsWith('-'));
  if (firstWord === -1) {
    if (argv.includes('--version') || argv.includes('-V')) {
      io.stdout(`${__APP_VERSION__}\n`);
      return EXIT.ok;
    }
    if (argv.includes('--help') || argv.includes('-h')) {
      io.stdout(help(commands));
      return EXIT.ok;
    }
    return usageError(argv.length ? `unknown option '${argv[0]}'` : 'no command given');
  }
  const words = argv.filter((a) => !a.startsWith('-'));
  const command = findCommand(words, commands);
  if (!command) return usageError(`unknown command '${words.join(' ')}'`);
  // Remove the command's words (the first occurrences, in order) from argv.
  const rest = [...argv];
  for (const word of command.name.split(' ')) rest.splice(rest.indexOf(word), 1);
  let parsed;
  try {
    parsed = parseArgs({
      args: rest,
      options: { ...parserOptions(command), help: { type: 'boolean', short: 'h', default: false } },
      allowPositionals: true,
      strict: true,
    });
  } catch (e) {
    return usageError(e instanceof Error ? e.message : String(e), command.usage);
  }
  if (parsed.values.help) {
    io.stdout(commandHelp(command));
    return EXIT.ok;
  }
  const { min, max } = command.positionals ?? { min: 0, max: 0 };
  if (parsed.positionals.length < min || parsed.positionals.length > max) {
    return usageError(
      parsed.positionals.length > max
        ? `unexpected argument '${parsed.positionals[max] ?? ''}' for '${command.name}'`
        : `'${command.name}' needs ${min} argument(s)`,
      command.usage,
    );
  }
  try {
    return await command.run({ values: parsed.values, positionals: parsed.positionals }, io);
  } catch (e) {
    if (e instanceof UsageError) return usageError(e.message, command.usage);
    throw e;
  }
}

/** The command's options as parseArgs reads them (parseArgs refuses keys set to undefined). */
function parserOptions(command: CliCommand): NonNullable<ParseArgsConfig['options']> {
  return Object.fromEntries(
    Object.entries(command.options).map(([name, o]) => [
      name,
      {
        type: o.type,
        ...(o.multiple !== undefined ? { multiple: o.multiple } : {}),
        ...(o.short !== undefined ? { short: o.short } : {}),
        ...(o.default !== undefined ? { default: o.default } : {}),
      },
    ]),
  );
}
