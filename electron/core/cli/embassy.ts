import { parseArgs } from 'node:util';
import { EXIT, UsageError, type CliCommand, type CliIo } from './cli-command';
import { COMMANDS } from './commands';

export { EXIT, type CliIo } from './cli-command';

declare const __APP_VERSION__: string;

/**
 * `embassy`: the workstation core for scripts, IT and tests — the same handler table as the
 * app. Secrets (PINs, passphrases) are read from standard input only, never argv or env.
 */
function help(commands: readonly CliCommand[]): string {
  const width = Math.max(...commands.map((c) => c.usage.length));
  return `embassy — the embassy secure workstation from the command line

Usage:
${commands.map((c) => `  ${c.usage.padEnd(width)}  ${c.summary}`).join('\n')}
  embassy --version${' '.repeat(Math.max(1, width - 15))}  print the version
  embassy --help${' '.repeat(Math.max(1, width - 12))}  this text; 'embassy COMMAND --help' for one command

Common options:
  --profile DIR   the officer's profile folder (default: the app's own profile)
  --json          machine-readable output on stdout
  --pin-stdin     read the token PIN (or passphrase) from standard input

Exit codes:
  0  success
  1  the core answered with an error (code on stderr, or in the JSON)
  2  bad command line
  3  internal error
`;
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
    io.stderr(`embassy: ${message}\n${usage ? `Usage: ${usage}\n` : "Try 'embassy --help'.\n"}`);
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
      options: { ...command.options, help: { type: 'boolean', short: 'h', default: false } },
      allowPositionals: true,
      strict: true,
    });
  } catch (e) {
    return usageError(e instanceof Error ? e.message : String(e), command.usage);
  }
  if (parsed.values.help) {
    io.stdout(`Usage: ${command.usage}\n${command.summary}\n`);
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
