import { mkdtemp } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import type { CliCommand } from './cli-command';
import { EXIT, runCli } from './embassy';

async function run(args: string[]) {
  let out = '';
  let err = '';
  const code = await runCli(args, {
    stdout: (t) => (out += t),
    stderr: (t) => (err += t),
    readStdin: async () => Buffer.alloc(0),
  });
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

describe('embassy command registry', () => {
  const seen: unknown[] = [];
  const commands: CliCommand[] = [
    {
      name: 'vault init',
      summary: 'create a vault',
      usage: 'embassy vault init --profile DIR',
      options: { profile: { type: 'string' as const } },
      run: async (args: unknown) => {
        seen.push(args);
        return 0;
      },
    },
    {
      name: 'vault',
      summary: 'vault overview',
      usage: 'embassy vault',
      options: {},
      run: async () => 7,
    },
  ];
  const io = { stdout: () => undefined, stderr: () => undefined, readStdin: async () => Buffer.alloc(0) };

  it('picks the longest multi-word command and passes its options', async () => {
    expect(await runCli(['vault', 'init', '--profile', '/p'], io, commands)).toBe(0);
    expect(seen.at(-1)).toMatchObject({ values: { profile: '/p' }, positionals: [] });
    expect(await runCli(['vault'], io, commands)).toBe(7);
  });

  it('refuses unknown options and stray arguments of a command with exit 2', async () => {
    expect(await runCli(['vault', 'init', '--pin', '1234'], io, commands)).toBe(EXIT.usage);
    expect(await runCli(['vault', 'init', 'extra'], io, commands)).toBe(EXIT.usage);
  });

  it("prints a command's usage for COMMAND --help", async () => {
    const r = await run(['health', '--help']);
    expect(r.code).toBe(0);
    expect(r.out).toContain('Usage: embassy health');
  });
});
