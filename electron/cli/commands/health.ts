import type { Health } from '../../../shared/contract/calls';
import { defineCommand, EXIT, JSON_OPTION, reportError } from '../../../shared/cli/cli-command';
import { call, profileCore } from '../cli-core';
import { PROFILE_OPTION } from '../common-options';

export const healthCommand = defineCommand({
  name: 'health',
  summary: 'version and health of each core part',
  usage: 'embassy health [--json] [--profile DIR]',
  options: {
    json: JSON_OPTION,
    profile: PROFILE_OPTION,
  },
  async run({ values }, io) {
    const core = profileCore(values.profile);
    const result = await call(core, 'app.health', {});
    if (!result.ok) return reportError(result.error, values.json, io);
    io.stdout(values.json ? `${JSON.stringify(result.value)}\n` : formatHealth(result.value));
    return EXIT.ok;
  },
});

function formatHealth(h: Health): string {
  const runtime = `node ${h.runtime.node}${h.runtime.electron ? `, electron ${h.runtime.electron}` : ''}, ${h.runtime.platform}-${h.runtime.arch}`;
  const rows: [string, string][] = [
    ['version', h.version],
    ['vault', h.parts.vault.state],
    ['token', h.parts.token.state],
    ['hq link', h.parts.hq.state],
    ['updates', h.parts.updates.state],
    ['runtime', runtime],
  ];
  const width = Math.max(...rows.map(([k]) => k.length));
  return rows.map(([k, v]) => `${k.padEnd(width)}  ${v}\n`).join('');
}
