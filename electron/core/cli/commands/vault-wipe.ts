import { WIPE_CONFIRMATION } from '../../../../shared/domain/vault';
import { EXIT, reportError, UsageError, type CliCommand } from '../cli-command';
import { call, vaultCore } from '../vault-session';

/** `embassy vault wipe`: emergency crypto-shred of the vault (key file, then database files). */
export const vaultWipeCommand: CliCommand = {
  name: 'vault wipe',
  summary: 'emergency wipe: destroy the vault key and files (irreversible)',
  usage: 'embassy vault wipe --profile DIR --yes [--json]',
  options: {
    profile: { type: 'string' },
    yes: { type: 'boolean', default: false },
    json: { type: 'boolean', default: false },
  },
  async run({ values }, io) {
    if (values.yes !== true) throw new UsageError('wiping is irreversible: confirm with --yes');
    const core = vaultCore(values);
    const result = await call(core, 'vault.wipe', { confirm: WIPE_CONFIRMATION });
    if (!result.ok) return reportError(result.error, values.json === true, io);
    const { elapsedMs } = result.value as { elapsedMs: number };
    io.stdout(
      values.json ? `${JSON.stringify(result.value)}\n` : `vault wiped in ${elapsedMs.toFixed(0)} ms\n`,
    );
    return EXIT.ok;
  },
};
