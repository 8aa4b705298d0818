import { defineCommand, EXIT, JSON_OPTION } from '../../shared/cli/cli-command';
import { setDeviceStatus } from '../admin/device-admin';
import {
  adminAction,
  DATA_OPTION,
  DB_OPTION,
  relayLocationOf,
  TRUST_CA_OPTION,
  trustCaFilesOf,
} from './admin-io';

/**
 * `embassy hq approve|revoke DEVICE`: sets a device's status in the relay's store; a running
 * relay applies it to the device's next request.
 */

export const hqApproveCommand = defineCommand({
  name: 'hq approve',
  summary: 'approve a pending device at the relay',
  usage: 'embassy hq approve (--data DIR | --db URL) DEVICE [--trust-ca FILE]... [--force] [--json]',
  options: {
    data: DATA_OPTION,
    db: DB_OPTION,
    'trust-ca': TRUST_CA_OPTION,
    force: {
      type: 'boolean',
      help: 'approve although the certificate does not chain to a trusted CA (recorded and logged)',
    },
    json: JSON_OPTION,
  },
  positionals: { min: 1, max: 1 },
  notes: [
    "DEVICE is the device id that 'embassy hq devices' lists. A certificate that does not",
    'chain to a trusted CA is refused (E_CERTIFICATE_UNTRUSTED) unless --force is given;',
    "a forced approval is recorded in the relay's store and logged on standard error.",
  ],
  run({ values, positionals }, io) {
    return adminAction(values.json, io, async () => {
      const device = await setDeviceStatus(relayLocationOf(values), positionals[0] ?? '', 'approved', {
        force: values.force === true,
        trustCaFiles: trustCaFilesOf(values['trust-ca']),
        log: (line) => io.stderr(`embassy: ${line}\n`),
      });
      io.stdout(values.json ? `${JSON.stringify(device)}\n` : `${device.id} approved\n`);
      return EXIT.ok;
    });
  },
});

export const hqRevokeCommand = defineCommand({
  name: 'hq revoke',
  summary: 'revoke a device at the relay (final: it must enrol new keys)',
  usage: 'embassy hq revoke (--data DIR | --db URL) DEVICE [--json]',
  options: { data: DATA_OPTION, db: DB_OPTION, json: JSON_OPTION },
  positionals: { min: 1, max: 1 },
  notes: ["DEVICE is the device id that 'embassy hq devices' lists."],
  run({ values, positionals }, io) {
    return adminAction(values.json, io, async () => {
      const device = await setDeviceStatus(relayLocationOf(values), positionals[0] ?? '', 'revoked');
      io.stdout(values.json ? `${JSON.stringify(device)}\n` : `${device.id} revoked\n`);
      return EXIT.ok;
    });
  },
});
