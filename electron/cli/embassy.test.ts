import { mkdtemp } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import type { CliCommand } from '../../shared/cli/cli-command';
import { COMMANDS } from './commands';
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
      options: { profile: { type: 'string' as const, help: 'the profile' } },
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

describe('embassy help text', () => {
  /** Bytes, not characters: `awk length` counts bytes under mawk, and terminals wrap by cells. */
  const tooWide = (text: string) => text.split('\n').filter((line) => Buffer.byteLength(line) > 80);

  it('embassy --help fits 80 columns', async () => {
    const r = await run(['--help']);
    expect(r.out.split('\n').length).toBeGreaterThan(20);
    expect(tooWide(r.out)).toEqual([]);
  });

  it.each(COMMANDS.map((c) => [c.name]))(
    'embassy %s --help fits 80 columns, with usage, options and exit codes',
    async (name) => {
      const r = await run([...name.split(' '), '--help']);
      expect(r.code).toBe(EXIT.ok);
      expect(r.out).toMatch(new RegExp(`^Usage: embassy ${name}\\b`));
      expect(r.out).toContain('\nOptions:\n');
      expect(r.out).toMatch(/\nExit codes:\n {2}0 {2}/);
      expect(tooWide(r.out)).toEqual([]);
    },
  );

  it('a usage error prints the wrapped usage, within 80 columns', async () => {
    const r = await run(['sign', '--no-such-flag']);
    expect(r.code).toBe(EXIT.usage);
    expect(r.err).toContain('Usage: embassy sign');
    expect(tooWide(r.err.split('\n').slice(1).join('\n'))).toEqual([]);
  });
});
