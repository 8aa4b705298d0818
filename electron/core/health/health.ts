import type { Health, PartHealth } from '../../../shared/contract/calls';
import type { Transport } from '../contract';

export interface RuntimeInfo {
  readonly version: string;
  readonly electron: string | null;
  readonly startedAt: number;
}

/**
 * Health of each part. The vault reports itself (not-set-up / locked / ok); the token is ok
 * while a token-bound vault is open (taking the token out locks it), locked while that vault
 * is locked, not set up for a passphrase vault or none; updates are ok when the shell wired an
 * updater and a policy names the update source; the HQ link is the sync engine's (the About
 * screen shows the status bar's, from `sync.status`).
 */
export function readHealth(
  info: RuntimeInfo,
  transport: Transport,
  now = Date.now(),
  vault: PartHealth = { state: 'not-set-up' },
  updates: PartHealth = { state: 'not-set-up' },
  token: PartHealth = { state: 'not-set-up' },
): Health {
  const notSetUp: PartHealth = { state: 'not-set-up' };
  return {
    version: info.version,
    transport,
    runtime: {
      node: process.versions.node,
      electron: info.electron,
      platform: process.platform,
      arch: process.arch,
    },
    uptimeSeconds: Math.max(0, (now - info.startedAt) / 1000),
    parts: { vault, token, hq: notSetUp, updates },
  };
}
