import { mkdirSync } from 'node:fs';
import { resolve } from 'node:path';
import type { Health } from '../../../../shared/contract/calls';
import { createCore } from '../../core';
import { defaultProfileDir } from '../../profile/profile-dir';
import { EXIT, reportError, type CliCommand } from '../cli-command';

declare const __APP_VERSION__: string;

export const healthCommand: CliCommand = {
  name: 'health',
  summary: 'version and health of each core part',
  usage: 'embassy health [--json] [--profile DIR]',
  options: {
    json: { type: 'boolean', default: false },
    profile: { type: 'string' },
  },
  async run({ values }, io) {
    const profileDir = resolve((values.profile as string | undefined) ?? defaultProfileDir('app'));
    mkdirSync(profileDir, { recursive: true, mode: 0o700 });
    const core = createCore({ profileDir, version: __APP_VERSION__ });
    const result = await core.dispatch('app.health', {}, { transport: 'cli' });
    if (!result.ok) return reportError(result.error, values.json === true, io);
    const health = result.value as Health;
    io.stdout(values.json ? `${JSON.stringify(health)}\n` : formatHealth(health));
    return EXIT.ok;
  },
};

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
