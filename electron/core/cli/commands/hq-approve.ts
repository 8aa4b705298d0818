import { setDeviceStatus } from '../../../../hq/admin/device-admin';
import { EXIT, type CliCommand } from '../cli-command';
import { adminAction, dataDirOf } from '../hq-admin-io';

/** `embassy hq approve`: approve a pending device at the relay. Applies to the running relay's next request. */
export const hqApproveCommand: CliCommand = {
  name: 'hq approve',
  summary: 'approve a pending device at the relay',
  usage: 'embassy hq approve --data DIR DEVICE [--json]',
  options: { data: { type: 'string' }, json: { type: 'boolean', default: false } },
  positionals: { min: 1, max: 1 },
  run({ values, positionals }, io) {
    const json = values.json === true;
    return adminAction(json, io, async () => {
      const device = await setDeviceStatus(dataDirOf(values), positionals[0] ?? '', 'approved');
      io.stdout(json ? `${JSON.stringify(device)}\n` : `${device.id} approved\n`);
      return EXIT.ok;
    });
  },
};
