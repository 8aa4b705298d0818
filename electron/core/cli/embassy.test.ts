import { mkdtemp } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { EXIT, runCli } from './embassy';

async function run(args: string[]) {
  let out = '';
  let err = '';
  const code = await runCli(args, { stdout: (t) => (out += t), stderr: (t) => (err += t) });
  return { code, out, err };
}

describe('embassy CLI', () => {
  it('prints help with the exit codes', async () => {
    const r = await run(['--help']);
    expect(r.code).toBe(EXIT.ok);
    expect(r.out).toContain('embassy health');
    expect(r.out).toMatch(/Exit codes:[\s\S]*2\s+bad command line/);
  });

  it('prints the version', async () => {
    const r = await run(['--version']);
    expect(r.out.trim()).toMatch(/^\d+\.\d+\.\d+/);
  });

  it('answers health --json through the contract', async () => {
    const profile = await mkdtemp(join(tmpdir(), 'embassy-cli-'));
    const r = await run(['health', '--json', '--profile', profile]);
    expect(r.code).toBe(EXIT.ok);
    const health = JSON.parse(r.out);
    expect(health.transport).toBe('cli');
    expect(health.parts.vault.state).toBe('not-set-up');
  });

  it.each([[['frobnicate']], [['health', 'extra']], [['--no-such-flag']], [[]]])(
    'exits 2 with a one-line reason on a bad command line %j',
    async (args) => {
      const r = await run(args);
      expect(r.code).toBe(EXIT.usage);
      expect(r.err.split('\n')[0]).toMatch(/^embassy: /);
    },
  );
});
