import { UsageError, type CliOption } from '../../shared/cli/cli-command';
import { CLASSIFICATIONS, type Classification } from '../../shared/domain/classification';

/** `--profile DIR`: which officer profile a command works on. */
export const PROFILE_OPTION = {
  type: 'string',
  arg: 'DIR',
  help: "the officer's profile folder (default: the app's own profile)",
} as const satisfies CliOption;

/** `--pin-stdin`: secrets come from standard input, never from argv or the environment. */
export const PIN_STDIN_OPTION = {
  type: 'boolean',
  default: false,
  help: 'read the token PIN (or the passphrase) from standard input',
} as const satisfies CliOption;

/** `--classification C`: the marking of what a command stores or sends. */
export const CLASSIFICATION_OPTION = {
  type: 'string',
  arg: 'C',
  default: 'unclassified',
  help: `the marking: ${CLASSIFICATIONS.join(', ')}`,
} as const satisfies CliOption;

/** The marking named on the command line, or a usage error that lists the markings. */
export function classificationOf(value: string): Classification {
  const classification = CLASSIFICATIONS.find((c) => c === value);
  if (classification === undefined)
    throw new UsageError(`--classification must be one of ${CLASSIFICATIONS.join(', ')}`);
  return classification;
}

/** `--policy OID`: certificate policies a signer's path must carry one of (repeatable). */
export const POLICY_OPTION = {
  type: 'string',
  multiple: true,
  arg: 'OID',
  help: "require one of these certificate policies on the signer's path",
} as const satisfies CliOption;

/** The `--policy` values, checked: dotted OIDs only. */
export function policiesOf(values: readonly string[] | undefined): readonly string[] {
  const list = values ?? [];
  for (const oid of list)
    if (!/^[0-2](\.(0|[1-9]\d{0,9})){1,30}$/.test(oid))
      throw new UsageError(`--policy wants a dotted OID such as 2.16.704.1.2.3, not ${JSON.stringify(oid)}`);
  return list;
}
