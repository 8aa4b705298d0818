import { utilityProcess } from 'electron';
import type { SandboxLauncher } from '../core/pdf-sandbox';

/**
 * The PDF sandbox in the Electron app: a utilityProcess (fork needs ELECTRON_RUN_AS_NODE, which
 * the runAsNode fuse turns off), with an empty environment and the heap limit as a V8 flag.
 * It talks over `process.parentPort` with structured clone (see sandbox-host-main.ts).
 */
export const utilityPdfSandbox: SandboxLauncher = (entry, { execArgv, maxOldSpaceMb }) => {
  const child = utilityProcess.fork(entry, [], {
    env: {},
    execArgv: [...execArgv, `--max-old-space-size=${maxOldSpaceMb}`],
    serviceName: 'Embassy PDF sandbox',
    stdio: 'ignore',
  });
  let ended = false;
  const exitListeners: (() => void)[] = [];
  child.on('exit', () => {
    ended = true;
    for (const l of exitListeners) l();
  });
  return {
    get pid() {
      return child.pid;
    },
    send: (message) => {
      if (!ended) child.postMessage(message);
    },
    onMessage: (listener) => child.on('message', listener),
    onExit: (listener) => {
      if (ended) listener();
      else exitListeners.push(listener);
    },
    kill: () => {
      if (!ended) child.kill();
    },
  };
};
