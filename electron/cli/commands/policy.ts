import { readFile } from 'node:fs/promises';
import { resolve } from 'node:path';
import { defineCommand, EXIT, JSON_OPTION, reportError, UsageError } from '../../../shared/cli/cli-command';
import type { PolicyStatus } from '../../../shared/contract/policy-calls';
import { call, profileCore } from '../cli-core';
import { PROFILE_OPTION } from '../common-options';

/** `embassy policy import FILE`: IT's signed policy from a file or USB stick, through the contract. */
export const policyImportCommand = defineCommand({
  name: 'policy import',
  summary: 'verify and apply an IT-signed policy (or root rotations, then a policy)',
  usage: 'embassy policy import FILE [--json] [--profile DIR]',
  options: { json: JSON_OPTION, profile: PROFILE_OPTION },
  positionals: { min: 1, max: 1 },
  notes: ['A refused file changes nothing: the policy in force stays.'],
  async run({ values, positionals }, io) {
    let document: string;
    try {
      document = await readFile(resolve(positionals[0] ?? ''), 'utf8');
    } catch {
      throw new UsageError(`cannot read ${positionals[0] ?? ''}`);
    }
    const core = profileCore(values.profile);
    try {
      const result = await call(core, 'policy.import', { document });
      if (!result.ok) return reportError(result.error, values.json, io);
      io.stdout(
        values.json
          ? `${JSON.stringify(result.value)}\n`
          : `${result.value.unchanged ? 'unchanged' : 'applied'}: ${describe(result.value)}\n`,
      );
      return EXIT.ok;
    } finally {
      await core.close();
    }
  },
});

/** `embassy policy show`: the policy in force. */
export const policyShowCommand = defineCommand({
  name: 'policy show',
  summary: 'the IT policy in force and the settings it decides',
  usage: 'embassy policy show [--json] [--profile DIR]',
  options: { json: JSON_OPTION, profile: PROFILE_OPTION },
  async run({ values }, io) {
    const core = profileCore(values.profile);
    try {
      const result = await call(core, 'policy.get', {});
      if (!result.ok) return reportError(result.error, values.json, io);
      io.stdout(values.json ? `${JSON.stringify(result.value)}\n` : `${describe(result.value)}\n`);
      return EXIT.ok;
    } finally {
      await core.close();
    }
  },
});

function describe(s: PolicyStatus): string {
  const root = s.rootVersion === null ? 'no IT root pinned' : `root version ${s.rootVersion}`;
  if (!s.policy) return `no policy (${root})`;
  return `policy version ${s.policy.version} ${s.state}, expires ${s.policy.expires} (${root})`;
}
