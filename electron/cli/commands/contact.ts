import { defineCommand, JSON_OPTION, reportError, EXIT, type CliIo } from '../../../shared/cli/cli-command';
import type { ContactDetails } from '../../../shared/contract/contact-calls';
import type { Result } from '../../../shared/contract/result';
import { call } from '../cli-core';
import { PIN_STDIN_OPTION, PROFILE_OPTION } from '../common-options';
import { readSecret, vaultCore, withUnlockedVault } from '../vault-session';

/**
 * A colleague as their token certificates prove them, and the safety number to compare with
 * them (docs/protocols/safety-number-v1.md). `verify` takes the number the officer compared:
 * it marks nothing unless that is the pair's number now.
 */

const common = { profile: PROFILE_OPTION, 'pin-stdin': PIN_STDIN_OPTION, json: JSON_OPTION } as const;

/** Twelve groups of five, four to a line: as both screens show them. */
export function formatSafetyNumber(digits: string): string {
  const groups = digits.match(/\d{1,5}/g) ?? [];
  const lines: string[] = [];
  for (let i = 0; i < groups.length; i += 4) lines.push(`  ${groups.slice(i, i + 4).join(' ')}`);
  return lines.join('\n');
}

function describe(c: ContactDetails): string {
  const mark =
    c.verification.state === 'verified'
      ? `verified ${new Date(c.verification.verifiedAt).toISOString()}`
      : c.verification.state === 'changed'
        ? 'NOT verified: the safety number changed since it was verified'
        : 'not verified';
  const devices = c.devices.map(
    (d) =>
      `  ${d.deviceId} ${d.status}\n    subject ${d.certificate.subject}\n` +
      `    issuer  ${d.certificate.issuer}\n    sha256  ${d.certificate.fingerprint}`,
  );
  return [
    `${c.name} <${c.address}>`,
    `devices:`,
    ...devices,
    `safety number with ${c.me}:`,
    formatSafetyNumber(c.safetyNumber),
    mark,
    '',
  ].join('\n');
}

function finish(result: Result<ContactDetails>, json: boolean, io: CliIo): number {
  if (!result.ok) return reportError(result.error, json, io);
  io.stdout(json ? `${JSON.stringify(result.value)}\n` : describe(result.value));
  return EXIT.ok;
}

export const contactShowCommand = defineCommand({
  name: 'contact show',
  summary: "a colleague's certified devices and your safety number with them",
  usage: 'embassy contact show ADDRESS --profile DIR --pin-stdin [--json]',
  options: common,
  positionals: { min: 1, max: 1 },
  notes: ['Compare the number with the colleague in person or by phone.'],
  async run({ values, positionals }, io) {
    const address = positionals[0] ?? '';
    const pin = await readSecret(values['pin-stdin'], io);
    const core = vaultCore(values.profile);
    const result = await withUnlockedVault(core, pin, () => call(core, 'contact.show', { address }));
    return finish(result, values.json, io);
  },
});

export const contactVerifyCommand = defineCommand({
  name: 'contact verify',
  summary: 'mark a colleague verified after comparing the safety number',
  usage: 'embassy contact verify ADDRESS --number DIGITS --profile DIR --pin-stdin [--json]',
  options: {
    ...common,
    number: { type: 'string', arg: 'DIGITS', help: 'the 60 digits you compared (spaces allowed)' },
  },
  positionals: { min: 1, max: 1 },
  notes: ['A number that is no longer current marks nothing (E_SYNC_SAFETY_NUMBER_CHANGED).'],
  async run({ values, positionals }, io) {
    const address = positionals[0] ?? '';
    const safetyNumber = (values.number ?? '').replace(/\s/g, '');
    const pin = await readSecret(values['pin-stdin'], io);
    const core = vaultCore(values.profile);
    const result = await withUnlockedVault(core, pin, () =>
      call(core, 'contact.verify', { address, safetyNumber }),
    );
    return finish(result, values.json, io);
  },
});
