import { createHash } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import { deviceIdFromSignPublicKey, generateDeviceKeys } from '../../electron/core/sync/prekeys';
import { loadSodium } from '../../electron/core/vault/sodium';
import { deviceIdOf as relayDeviceIdOf } from '../../hq/server/relay-server';
import { DEVICE_ID_BYTES, deviceIdOf, ID_HEX } from './device-id';
import { DeviceId } from './relay-protocol';

const sha256 = (b: Uint8Array) => new Uint8Array(createHash('sha256').update(b).digest());

describe('the device-id rule', () => {
  it('is the hex of the first 16 bytes of SHA-256 over the Ed25519 public key, in the relay and the core alike', async () => {
    const sodium = await loadSodium();
    const { signPublicKey, deviceId } = generateDeviceKeys(sodium);
    const expected = createHash('sha256')
      .update(signPublicKey)
      .digest()
      .subarray(0, DEVICE_ID_BYTES)
      .toString('hex');
    expect(deviceIdOf(signPublicKey, sha256)).toBe(expected);
    expect(deviceId).toBe(expected);
    expect(deviceIdFromSignPublicKey(sodium, signPublicKey)).toBe(expected);
    expect(relayDeviceIdOf(signPublicKey)).toBe(expected);
    expect(ID_HEX.test(expected)).toBe(true);
    expect(DeviceId.safeParse(expected).success).toBe(true);
  });

  it('refuses a key that is not 32 bytes', () => {
    expect(() => deviceIdOf(new Uint8Array(31), sha256)).toThrow();
  });
});
