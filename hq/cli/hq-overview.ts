import { defineCommand, EXIT, type CliCommand } from '../../shared/cli/cli-command';
import { commandList } from '../../shared/cli/help-text';

/** `embassy hq`: the relay's admin commands, listed (each is its own command). */
export function hqOverviewCommand(commands: readonly CliCommand[]): CliCommand {
  return defineCommand({
    name: 'hq',
    summary: 'the headquarters relay: serve, list, approve and revoke devices',
    usage: 'embassy hq (serve|devices|approve|revoke) --data DIR ...',
    options: {},
    async run(_args, io) {
      io.stdout(
        [
          'embassy hq - the headquarters relay (store-and-forward of ciphertext)',
          '',
          ...commandList(commands),
          '',
          "'embassy hq COMMAND --help' for one command.",
          '',
        ].join('\n'),
      );
      return EXIT.ok;
    },
  });
}
