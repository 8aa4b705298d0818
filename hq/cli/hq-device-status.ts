import { defineCommand, EXIT, JSON_OPTION, type CliCommand } from '../../shared/cli/cli-command';
import { setDeviceStatus } from '../admin/device-admin';
import {
  adminAction,
  DATA_OPTION,
  DB_OPTION,
  relayLocationOf,
  TRUST_CA_OPTION,
  trustCaFilesOf,
} from './admin-io';

const FORCE_OPTION = {
  type: 'boolean',
  help: 'approve although the certificate does not chain to a trusted CA (recorded and logged)',
} as const;

/**
 * `embassy hq approve|revoke DEVICE`: sets a device's status in the relay's store; a running
 * relay applies it to the device's next request.
 */
function deviceStatusCommand(
  verb: 'approve' | 'revoke',
  status: 'approved' | 'revoked',
  summary: string,
): CliCommand {
  const approving = status === 'approved';
  return defineCommand({
    name: `hq ${verb}`,
    summary,
    usage: approving
      ? `embassy hq ${verb} (--data DIR | --db URL) DEVICE [--trust-ca FILE]... [--force] [--json]`
      : `embassy hq ${verb} (--data DIR | --db URL) DEVICE [--json]`,
    options: {
      data: DATA_OPTION,
      db: DB_OPTION,
      json: JSON_OPTION,
      'trust-ca': TRUST_CA_OPTION,
      force: FORCE_OPTION,
    },
    positionals: { min: 1, max: 1 },
    notes: approving
      ? [
          "DEVICE is the device id that 'embassy hq devices' lists. A certificate that does not",
          'chain to a trusted CA is refused (E_CERTIFICATE_UNTRUSTED) unless --force is given;',
          "a forced approval is recorded in the relay's store and logged on standard error.",
        ]
      : ["DEVICE is the device id that 'embassy hq devices' lists."],
    run({ values, positionals }, io) {
      return adminAction(values.json, io, async () => {
        const device = await setDeviceStatus(relayLocationOf(values), positionals[0] ?? '', status, {
          force: values.force === true,
          trustCaFiles: trustCaFilesOf(values['trust-ca']),
          log: (line) => io.stderr(`embassy: ${line}\n`),
        });
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
