import { defineCommand, EXIT, JSON_OPTION } from '../../shared/cli/cli-command';
import { listDevices, type DeviceSummary } from '../admin/device-admin';
import {
  adminAction,
  DATA_OPTION,
  DB_OPTION,
  relayLocationOf,
  TRUST_CA_OPTION,
  trustCaFilesOf,
} from './admin-io';

/** Every line `hq devices` prints fits a terminal of this width. */
const COLUMNS = 80;

const fit = (line: string) => (line.length <= COLUMNS ? line : `${line.slice(0, COLUMNS - 1)}…`);

const CHAIN_TEXT = {
  trusted: 'to a trusted CA',
  untrusted: 'NOT to a trusted CA: approving needs --force',
  invalid: 'INVALID: approving needs --force',
} as const;

/**
 * A device as an administrator reads it: id, status and date, the officer; for a pending one
 * also the certificate's subject, issuer, chain status and the officer it would join.
 */
export function deviceLines(d: DeviceSummary): string[] {
  const who = d.address === null ? '(uncertified)' : `${d.address} (${d.name ?? ''})`;
  const lines = [`${d.id}  ${d.status.padEnd(8)}  ${d.createdAt.slice(0, 16).replace('T', ' ')}`];
  lines.push(`  officer  ${who}`);
  if (d.status === 'pending') {
    const c = d.certificate;
    lines.push(`  subject  ${c.subject ?? '(no certificate)'}`);
    lines.push(`  issuer   ${c.issuer ?? '(no certificate)'}`);
    lines.push(`  chain    ${CHAIN_TEXT[c.chain]}`);
    if (c.chain === 'invalid' && c.chainDetail) lines.push(`           ${c.chainDetail}`);
    lines.push(
      `  matches  ${
        c.officer === null
          ? 'no approved officer with this address'
          : `an officer with ${c.officer.approvedDevices} approved device(s), ${
              c.officer.sameCertificate ? 'same certificate' : 'OTHER certificate'
            }`
      }`,
    );
  } else if (d.approvedByCa !== null) {
    lines.push(`  by CA    ${d.approvedByCa}`);
  }
  return lines.map(fit);
}

/** `embassy hq devices`: the devices enrolled at a relay, with what approving each would mean. */
export const hqDevicesCommand = defineCommand({
  name: 'hq devices',
  summary: 'list the devices enrolled at the relay',
  usage: 'embassy hq devices (--data DIR | --db URL) [--trust-ca FILE]... [--json]',
  options: { data: DATA_OPTION, db: DB_OPTION, 'trust-ca': TRUST_CA_OPTION, json: JSON_OPTION },
  notes: [
    'A pending device shows its token certificate: subject, issuer, whether its chain reaches a',
    'CA the relay trusts, and whether its address is an approved officer with another certificate.',
  ],
  run({ values }, io) {
    return adminAction(values.json, io, async () => {
      const devices = await listDevices(relayLocationOf(values), trustCaFilesOf(values['trust-ca']));
      if (values.json) io.stdout(`${JSON.stringify(devices)}\n`);
      else if (devices.length === 0) io.stdout('no devices\n');
      else for (const d of devices) io.stdout(`${deviceLines(d).join('\n')}\n`);
      return EXIT.ok;
    });
  },
});
