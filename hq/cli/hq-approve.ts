import { defineCommand, EXIT, JSON_OPTION } from '../../shared/cli/cli-command';
import { setDeviceStatus } from '../admin/device-admin';
import { adminAction, DATA_OPTION, dataDirOf } from './admin-io';

/** `embassy hq approve`: approve a pending device at the relay. Applies to the running relay's next request. */
export const hqApproveCommand = defineCommand({
  name: 'hq approve',
  summary: 'approve a pending device at the relay',
  usage: 'embassy hq approve --data DIR DEVICE [--json]',
  options: { data: DATA_OPTION, json: JSON_OPTION },
  positionals: { min: 1, max: 1 },
  notes: ["DEVICE is the device id that 'embassy hq devices' lists."],
  run({ values, positionals }, io) {
    return adminAction(values.json, io, async () => {
      const device = await setDeviceStatus(dataDirOf(values.data), positionals[0] ?? '', 'approved');
      io.stdout(values.json ? `${JSON.stringify(device)}\n` : `${device.id} approved\n`);
      return EXIT.ok;
    });
  },
});
