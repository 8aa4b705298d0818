import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { SqliteRelayStore } from '../../hq/storage/sqlite-relay-store';
import type { SoftHsmToken } from '../fixtures/softhsm';
import { must } from './vault-harness';
import {
  enroll,
  makeOfficers,
  newOfficer,
  startSyncRelay,
  type Officer,
  type TestRelayServer,
} from './sync-harness';

/**
 * The emergency wipe tells HQ first: online, the core's `vault.wipe` sends the device-signed
 * notice and HQ revokes the device before the vault is destroyed; offline, it wipes at once
 * (within the notice's 5 s) and says HQ was not told.
 */

let tokens: SoftHsmToken[];
let hq: TestRelayServer;
let online: Officer;
let offline: Officer;

beforeAll(async () => {
  let rootPath: string;
  ({ tokens, rootPath } = await makeOfficers([
    { name: 'Nguyen Van An', email: 'an.nguyen@mission.example', label: 'wipe-an' },
    { name: 'Tran Thi Binh', email: 'binh.tran@hq.example', label: 'wipe-binh' },
  ]));
  hq = await startSyncRelay(rootPath);
  online = await newOfficer(tokens[0] as SoftHsmToken, 'Nguyen Van An', 'an.nguyen@mission.example');
  offline = await newOfficer(tokens[1] as SoftHsmToken, 'Tran Thi Binh', 'binh.tran@hq.example');
  for (const o of [online, offline]) await enroll(o, hq.relay);
}, 180_000);

afterAll(async () => {
  for (const o of [online, offline]) await o?.core.close();
  await hq?.relay.close().catch(() => undefined);
  for (const t of tokens ?? []) await t.cleanup();
});

async function relayStatus(deviceId: string): Promise<string | undefined> {
  const store = SqliteRelayStore.open(hq.dataDir);
  try {
    return (await store.listDevices()).find((d) => d.id === deviceId)?.status;
  } finally {
    await store.close();
  }
}

describe('the wipe tells HQ first', () => {
  it('online: HQ revokes the device, then the vault is wiped', async () => {
    const deviceId = (await must(online.core, 'sync.status', {})).deviceId ?? '';
    expect(await relayStatus(deviceId)).toBe('approved');
    const r = await must(online.core, 'vault.wipe', { confirm: 'WIPE' });
    expect(r).toMatchObject({ wiped: true, hq: 'told' });
    expect(await relayStatus(deviceId)).toBe('revoked');
    expect((await must(online.core, 'vault.status', {})).state).toBe('absent');
  }, 60_000);

  it('offline: wipes at once and says HQ was not told', async () => {
    const deviceId = (await must(offline.core, 'sync.status', {})).deviceId ?? '';
    await hq.relay.close();
    const started = Date.now();
    const r = await must(offline.core, 'vault.wipe', { confirm: 'WIPE' });
    expect(r).toMatchObject({ wiped: true, hq: 'not-told' });
    expect(Date.now() - started).toBeLessThan(8_000);
    expect((await must(offline.core, 'vault.status', {})).state).toBe('absent');
    expect(await relayStatus(deviceId)).toBe('approved');
  }, 60_000);
});
