import { utilityProcess } from 'electron';
import type { SpawnHost } from '../core/token';

/**
 * The token process in the Electron app: a utilityProcess, not `child_process.fork` (fork
 * depends on ELECTRON_RUN_AS_NODE, which the runAsNode fuse turns off in packaged builds).
 * The host talks over `process.parentPort` (see token-host-main.ts).
 */
export const utilityTokenHost: SpawnHost = (entry, { env }) => {
  const child = utilityProcess.fork(entry, [], {
    env,
    serviceName: 'Embassy token',
    stdio: ['ignore', 'ignore', 'inherit'],
  });
  let ended = false;
  const exitListeners: (() => void)[] = [];
  child.on('exit', () => {
    ended = true;
    for (const l of exitListeners) l();
  });
  return {
    send: (message) => {
      if (!ended) child.postMessage(message);
    },
    onMessage: (listener) => child.on('message', listener),
    onExit: (listener) => {
      exitListeners.push(listener);
    },
    // No IPC "disconnect" here: ending the process is the signal; the OS releases the driver.
    stop: () => {
      if (!ended) child.kill();
    },
  };
};
