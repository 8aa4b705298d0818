import { EXIT, reportError, UsageError, type CliCommand } from '../cli-command';
import { call, readSecret, vaultCore } from '../vault-session';

/** `embassy vault init`: creates the encrypted cache, bound to a token or (no token) a passphrase. */
export const vaultInitCommand: CliCommand = {
  name: 'vault init',
  summary: 'create the encrypted local cache (token-bound, or passphrase where there is no token)',
  usage:
    'embassy vault init --profile DIR (--module PATH --token LABEL [--key-id HEX] | --passphrase) --pin-stdin [--json]',
  options: {
    profile: { type: 'string' },
    module: { type: 'string' },
    token: { type: 'string' },
    'key-id': { type: 'string' },
    passphrase: { type: 'boolean', default: false },
    'pin-stdin': { type: 'boolean', default: false },
    json: { type: 'boolean', default: false },
  },
  async run({ values }, io) {
    const passphrase = values.passphrase === true;
    if (passphrase && (values.module !== undefined || values.token !== undefined)) {
      throw new UsageError('--passphrase cannot be combined with --module/--token');
    }
    if (!passphrase && (typeof values.module !== 'string' || typeof values.token !== 'string')) {
      throw new UsageError('give --module PATH and --token LABEL, or --passphrase');
    }
    const secret = await readSecret(values, io);
    const core = vaultCore(values);
    const input = passphrase
      ? { profile: 'passphrase', passphrase: secret }
      : {
          profile: 'token',
          modulePath: values.module,
          tokenLabel: values.token,
          ...(typeof values['key-id'] === 'string' ? { keyId: values['key-id'] } : {}),
          pin: secret,
        };
    const result = await call(core, 'vault.create', input);
    await core.vault.dispose();
    if (!result.ok) return reportError(result.error, values.json === true, io);
    io.stdout(values.json ? `${JSON.stringify(result.value)}\n` : 'vault created\n');
    return EXIT.ok;
  },
};
