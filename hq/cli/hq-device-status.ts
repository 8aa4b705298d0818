import { defineCommand, EXIT, JSON_OPTION, type CliCommand } from '../../shared/cli/cli-command';
import { setDeviceStatus } from '../admin/device-admin';
import { adminAction, DATA_OPTION, DB_OPTION, relayLocationOf } from './admin-io';

/**
 * `embassy hq approve|revoke DEVICE`: sets a device's status in the relay's store; a running
 * relay applies it to the device's next request.
 */
function deviceStatusCommand(
  verb: 'approve' | 'revoke',
  status: 'approved' | 'revoked',
  summary: string,
): CliCommand {
  return defineCommand({
    name: `hq ${verb}`,
    summary,
    usage: `embassy hq ${verb} (--data DIR | --db URL) DEVICE [--json]`,
    options: { data: DATA_OPTION, db: DB_OPTION, json: JSON_OPTION },
    positionals: { min: 1, max: 1 },
    notes: ["DEVICE is the device id that 'embassy hq devices' lists."],
    run({ values, positionals }, io) {
      return adminAction(values.json, io, async () => {
        const device = await setDeviceStatus(relayLocationOf(values), positionals[0] ?? '', status);
        io.stdout(values.json ? `${JSON.stringify(device)}\n` : `${device.id} ${status}\n`);
        return EXIT.ok;
      });
    },
  });
}

export const hqApproveCommand = deviceStatusCommand(
  'approve',
  'approved',
  'approve a pending device at the relay',
);
export const hqRevokeCommand = deviceStatusCommand(
  'revoke',
  'revoked',
  'revoke a device at the relay (final: it must enrol new keys)',
);
