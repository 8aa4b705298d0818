import { defineCommand, EXIT, JSON_OPTION } from '../../shared/cli/cli-command';
import { listDevices } from '../admin/device-admin';
import { adminAction, DATA_OPTION, DB_OPTION, relayLocationOf } from './admin-io';

/** `embassy hq devices`: the devices enrolled at a relay, with their status. */
export const hqDevicesCommand = defineCommand({
  name: 'hq devices',
  summary: 'list the devices enrolled at the relay',
  usage: 'embassy hq devices (--data DIR | --db URL) [--json]',
  options: { data: DATA_OPTION, db: DB_OPTION, json: JSON_OPTION },
  run({ values }, io) {
    return adminAction(values.json, io, async () => {
      const devices = await listDevices(relayLocationOf(values));
      if (values.json) io.stdout(`${JSON.stringify(devices)}\n`);
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
});
