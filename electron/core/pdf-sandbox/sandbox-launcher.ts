import { fork } from 'node:child_process';
import { existsSync, readdirSync, statSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

/**
 * How the PDF sandbox's process is started: one small interface, so main can choose. Under
 * Node (CLI, preview, tests) a forked child (`forkSandbox`); in the Electron app a
 * utilityProcess (electron/main/pdf-sandbox-process.ts), since `fork` needs ELECTRON_RUN_AS_NODE,
 * which the runAsNode fuse turns off. Either way: the built entry, an empty environment (it
 * needs nothing of ours and must see no secret), and a V8 heap limit.
 */
export interface SandboxProcess {
  /** The OS process id, where known (tests measure the sandbox's memory by it). */
  readonly pid?: number | undefined;
  send(message: unknown): void;
  onMessage(listener: (message: unknown) => void): void;
  /** Called once when the process has ended (crash, kill, out of memory) or could not start. */
  onExit(listener: () => void): void;
  /** Ends it now (SIGKILL where there is one): used on timeout and close. */
  kill(): void;
  /** Whether the process should keep the parent alive (only while a request is out). */
  setBusy?(busy: boolean): void;
}

export interface SandboxLaunchOptions {
  readonly execArgv: readonly string[];
  /** V8's old-space limit in MiB: a file that needs more ends the process, not the core. */
  readonly maxOldSpaceMb: number;
}

export type SandboxLauncher = (entry: string, options: SandboxLaunchOptions) => SandboxProcess;

/** The sandbox as a forked Node child (structured clone over the IPC channel). */
export const forkSandbox: SandboxLauncher = (entry, { execArgv, maxOldSpaceMb }) => {
  const child = fork(entry, [], {
    execArgv: [...execArgv, `--max-old-space-size=${maxOldSpaceMb}`],
    env: {},
    serialization: 'advanced',
    // pdf.js warnings and V8's out-of-memory report are not for the officer's terminal.
    stdio: ['ignore', 'ignore', 'ignore', 'ipc'],
  });
  let ended = false;
  const exits: (() => void)[] = [];
  const end = () => {
    if (ended) return;
    ended = true;
    for (const l of exits) l();
  };
  child.on('exit', end);
  child.on('error', end);
  return {
    pid: child.pid,
    send: (message) => {
      if (!ended && child.connected) child.send(message as object);
    },
    onMessage: (listener) => child.on('message', listener),
    onExit: (listener) => {
      if (ended) listener();
      else exits.push(listener);
    },
    kill: () => {
      if (!ended) child.kill('SIGKILL');
    },
    setBusy: (busy) => {
      if (busy) {
        child.ref();
        child.channel?.ref();
      } else {
        child.unref();
        child.channel?.unref();
      }
    },
  };
};

/**
 * Where the sandbox's entry is: `dist/pdf-sandbox/pdf-sandbox.cjs` beside the bundle we run
 * from; from source (tests, tsx), that bundle too when it is newer than every source file it
 * is built from (a restart after a crash then costs no transpiling), else the TS entry via tsx.
 */
export function defaultSandboxEntry(): { entry: string; execArgv: string[] } {
  const here = fileURLToPath(import.meta.url);
  if (here.endsWith('.cjs')) {
    // Bundles live in dist/<name>/ (possibly in a chunks/ subfolder).
    for (const up of ['..', '../..']) {
      const candidate = join(dirname(here), up, 'pdf-sandbox', 'pdf-sandbox.cjs');
      if (existsSync(candidate)) return { entry: candidate, execArgv: [] };
    }
    throw new Error('pdf-sandbox.cjs not found next to the bundle');
  }
  const root = join(dirname(here), '..', '..', '..');
  const built = join(root, 'dist', 'pdf-sandbox', 'pdf-sandbox.cjs');
  if (existsSync(built) && newestSource([dirname(here), join(root, 'shared')]) < statSync(built).mtimeMs)
    return { entry: built, execArgv: [] };
  return { entry: join(dirname(here), 'host', 'sandbox-host-main.ts'), execArgv: ['--import', 'tsx'] };
}

/** The latest modification time of the TypeScript files under these folders. */
function newestSource(folders: readonly string[]): number {
  let newest = 0;
  for (const folder of folders) {
    for (const entry of readdirSync(folder, { recursive: true, withFileTypes: true })) {
      if (entry.isFile() && entry.name.endsWith('.ts'))
        newest = Math.max(newest, statSync(join(entry.parentPath, entry.name)).mtimeMs);
    }
  }
  return newest;
}
