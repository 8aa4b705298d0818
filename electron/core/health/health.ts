import type { Health, PartHealth } from '../../../shared/contract/calls';
import type { Transport } from '../contract/dispatcher';

export interface RuntimeInfo {
  readonly version: string;
  readonly electron: string | null;
  readonly startedAt: number;
}

/**
 * Health of each part. Vault, token, HQ link and updates are reported "not set up" because
 * this build has none of them configured yet; each part's own module will answer here as it
 * lands (the About screen and status bar read only this call).
 */
export function readHealth(info: RuntimeInfo, transport: Transport, now = Date.now()): Health {
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
    parts: { vault: notSetUp, token: notSetUp, hq: notSetUp, updates: notSetUp },
  };
}
