import { resolve } from 'node:path';
import { defineCommand, EXIT, JSON_OPTION, reportError, UsageError } from '../../../shared/cli/cli-command';
import { call } from '../cli-core';
import { PIN_STDIN_OPTION, PROFILE_OPTION } from '../common-options';
import { readSecret, vaultCore } from '../vault-session';

/** `embassy vault init`: creates the encrypted cache, bound to a token or (no token) a passphrase. */
export const vaultInitCommand = defineCommand({
  name: 'vault init',
  summary: 'create the encrypted local cache (token-bound, or passphrase where there is no token)',
  usage:
    'embassy vault init --profile DIR (--module PATH --token LABEL [--key-id HEX] | --passphrase) --pin-stdin [--json]',
  options: {
    profile: PROFILE_OPTION,
    module: { type: 'string', arg: 'PATH', help: "the token's PKCS#11 driver (.so, .dll, .dylib)" },
    token: { type: 'string', arg: 'LABEL', help: 'the token that binds the vault, by its label' },
    'key-id': { type: 'string', arg: 'HEX', help: 'the key (CKA_ID) that wraps the vault key' },
    passphrase: {
      type: 'boolean',
      default: false,
      help: 'bind the vault to a passphrase instead (where policy allows no token)',
    },
    'pin-stdin': PIN_STDIN_OPTION,
    json: JSON_OPTION,
  },
  async run({ values }, io) {
    const { passphrase, module, token } = values;
    const keyId = values['key-id'];
    if (passphrase && (module !== undefined || token !== undefined)) {
      throw new UsageError('--passphrase cannot be combined with --module/--token');
    }
    if (!passphrase && (module === undefined || token === undefined)) {
      throw new UsageError('give --module PATH and --token LABEL, or --passphrase');
    }
    const secret = await readSecret(values['pin-stdin'], io);
    const core = vaultCore(values.profile);
    // Checked above: without --passphrase both are given, with it neither is.
    const result = await call(
      core,
      'vault.create',
      module !== undefined && token !== undefined
        ? {
            profile: 'token',
            // Relative to where the command runs; the contract takes absolute, local paths only.
            modulePath: resolve(module),
            tokenLabel: token,
            ...(keyId !== undefined ? { keyId } : {}),
            pin: secret,
          }
        : { profile: 'passphrase', passphrase: secret },
    );
    await core.vault.dispose();
    if (!result.ok) return reportError(result.error, values.json, io);
    io.stdout(values.json ? `${JSON.stringify(result.value)}\n` : 'vault created\n');
    return EXIT.ok;
  },
});
