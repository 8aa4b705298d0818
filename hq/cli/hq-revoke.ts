import { defineCommand, EXIT, JSON_OPTION } from '../../shared/cli/cli-command';
import { setDeviceStatus } from '../admin/device-admin';
import { adminAction, DATA_OPTION, dataDirOf } from './admin-io';

/** `embassy hq revoke`: revoke a device at the relay (final: it must enrol new keys). Applies to the running relay's next request. */
export const hqRevokeCommand = defineCommand({
  name: 'hq revoke',
  summary: 'revoke a device at the relay (final: it must enrol new keys)',
  usage: 'embassy hq revoke --data DIR DEVICE [--json]',
  options: { data: DATA_OPTION, json: JSON_OPTION },
  positionals: { min: 1, max: 1 },
  notes: ["DEVICE is the device id that 'embassy hq devices' lists."],
  run({ values, positionals }, io) {
    return adminAction(values.json, io, async () => {
      const device = await setDeviceStatus(dataDirOf(values.data), positionals[0] ?? '', 'revoked');
      io.stdout(values.json ? `${JSON.stringify(device)}\n` : `${device.id} revoked\n`);
      return EXIT.ok;
    });
  },
});
