import type { Health, PartHealth } from '../../../shared/contract/calls';
import type { Transport } from '../contract';

export interface RuntimeInfo {
  readonly version: string;
  readonly electron: string | null;
  readonly startedAt: number;
}

/**
 * Health of each part. The vault reports itself (not-set-up / locked / ok); updates are ok when
 * the shell wired an updater and a policy names the update source; token and HQ link are
 * "not set up" until their modules land (the About screen and status bar read
 * only this call).
 */
export function readHealth(
  info: RuntimeInfo,
  transport: Transport,
  now = Date.now(),
  vault: PartHealth = { state: 'not-set-up' },
  updates: PartHealth = { state: 'not-set-up' },
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
    parts: { vault, token: notSetUp, hq: notSetUp, updates },
  };
}
