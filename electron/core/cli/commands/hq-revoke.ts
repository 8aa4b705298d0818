import { setDeviceStatus } from '../../../../hq/admin/device-admin';
import { EXIT, type CliCommand } from '../cli-command';
import { adminAction, dataDirOf } from '../hq-admin-io';

/** `embassy hq revoke`: revoke a device at the relay (final: it must enrol new keys). Applies to the running relay's next request. */
export const hqRevokeCommand: CliCommand = {
  name: 'hq revoke',
  summary: 'revoke a device at the relay (final: it must enrol new keys)',
  usage: 'embassy hq revoke --data DIR DEVICE [--json]',
  options: { data: { type: 'string' }, json: { type: 'boolean', default: false } },
  positionals: { min: 1, max: 1 },
  run({ values, positionals }, io) {
    const json = values.json === true;
    return adminAction(json, io, async () => {
      const device = await setDeviceStatus(dataDirOf(values), positionals[0] ?? '', 'revoked');
      io.stdout(json ? `${JSON.stringify(device)}\n` : `${device.id} revoked\n`);
      return EXIT.ok;
    });
  },
};
