import { listDevices } from '../../../../hq/admin/device-admin';
import { EXIT, type CliCommand } from '../cli-command';
import { adminAction, dataDirOf } from '../hq-admin-io';

/** `embassy hq devices`: the devices enrolled at a relay, with their status. */
export const hqDevicesCommand: CliCommand = {
  name: 'hq devices',
  summary: 'list the devices enrolled at the relay',
  usage: 'embassy hq devices --data DIR [--json]',
  options: { data: { type: 'string' }, json: { type: 'boolean', default: false } },
  run({ values }, io) {
    const json = values.json === true;
    return adminAction(json, io, async () => {
      const devices = await listDevices(dataDirOf(values));
      if (json) io.stdout(`${JSON.stringify(devices)}\n`);
      else if (devices.length === 0) io.stdout('no devices\n');
      else
        for (const d of devices) {
          const who = d.address === null ? '(uncertified)' : `${d.address} (${d.name ?? ''})`;
          const ca = d.approvedByCa === null ? '' : `  by CA ${d.approvedByCa.slice(0, 16)}…`;
          io.stdout(`${d.id}  ${d.status.padEnd(8)}  ${who}  enrolled ${d.createdAt}${ca}\n`);
        }
      return EXIT.ok;
    });
  },
};
