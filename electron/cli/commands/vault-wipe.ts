import { WIPE_CONFIRMATION } from '../../../shared/domain/vault';
import { defineCommand, EXIT, JSON_OPTION, reportError, UsageError } from '../../../shared/cli/cli-command';
import { call } from '../cli-core';
import { PROFILE_OPTION } from '../common-options';
import { vaultCore } from '../vault-session';

const HQ_LINE = {
  told: 'HQ was told first and revoked this device',
  'not-told': 'HQ was NOT told (offline or locked): report the wipe to HQ',
  'not-enrolled': 'not enrolled with HQ',
} as const;

/** `embassy vault wipe`: emergency crypto-shred of the vault (key file, then database files). */
export const vaultWipeCommand = defineCommand({
  name: 'vault wipe',
  summary: 'emergency wipe: destroy the vault key and files (irreversible)',
  usage: 'embassy vault wipe --profile DIR --yes [--json]',
  options: {
    profile: PROFILE_OPTION,
    yes: { type: 'boolean', default: false, help: 'confirm: the wipe cannot be undone' },
    json: JSON_OPTION,
  },
  async run({ values }, io) {
    if (!values.yes) throw new UsageError('wiping is irreversible: confirm with --yes');
    const core = vaultCore(values.profile);
    const result = await call(core, 'vault.wipe', { confirm: WIPE_CONFIRMATION });
    if (!result.ok) return reportError(result.error, values.json, io);
    io.stdout(
      values.json
        ? `${JSON.stringify(result.value)}\n`
        : `vault wiped in ${result.value.elapsedMs.toFixed(0)} ms; ${HQ_LINE[result.value.hq]}\n`,
    );
    return EXIT.ok;
  },
});
