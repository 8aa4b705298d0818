import { createHash } from 'node:crypto';
import { beforeAll, describe, expect, it } from 'vitest';
import { flip } from '../../../tests/helpers/must';
import { type Sodium, loadSodium } from '../vault/sodium';
import {
  DEFAULT_PREKEY_POLICY,
  deviceIdFromSignPublicKey,
  generateDeviceKeys,
  generatePrekey,
  isPrekeyFresh,
  planPrekeyRotation,
  prekeyMessage,
  verifyPrekey,
} from './prekeys';

let sodium: Sodium;
beforeAll(async () => {
  sodium = await loadSodium();
});

const DAY = 24 * 60 * 60 * 1000;
const T0 = Date.UTC(2025, 0, 6);

describe('device keys', () => {
  it('derives the device id by the relay’s rule (first 16 bytes of SHA-256 of the Ed25519 key)', () => {
    const keys = generateDeviceKeys(sodium);
    const expected = createHash('sha256').update(keys.signPublicKey).digest().subarray(0, 16).toString('hex');
    expect(keys.deviceId).toBe(expected);
    expect(keys.deviceId).toMatch(/^[0-9a-f]{32}$/);
    expect(deviceIdFromSignPublicKey(sodium, keys.signPublicKey)).toBe(expected);
    expect(keys.signSecretKey).toHaveLength(64);
    expect(keys.boxSecretKey).toHaveLength(32);
    expect(sodium.crypto_scalarmult_base(keys.boxSecretKey)).toEqual(keys.boxPublicKey);
  });
});

describe('signed prekeys', () => {
  it('a generated prekey verifies with its device key and no other', () => {
    const a = generateDeviceKeys(sodium);
    const b = generateDeviceKeys(sodium);
    const { secret, signed } = generatePrekey(sodium, a, T0);
    expect(signed.prekeyId).toMatch(/^[0-9a-f]{32}$/);
    expect(secret.prekeyId).toBe(signed.prekeyId);
    expect(sodium.crypto_scalarmult_base(secret.secretKey)).toEqual(signed.publicKey);
    expect(verifyPrekey(sodium, signed, a.signPublicKey)).toBe(true);
    expect(verifyPrekey(sodium, signed, b.signPublicKey)).toBe(false);
  });

  it('any change to a signed field, or a malformed prekey, fails verification without throwing', () => {
    const a = generateDeviceKeys(sodium);
    const { signed } = generatePrekey(sodium, a, T0);
    const flipped = (u: Uint8Array) => {
      const c = u.slice();
      flip(c, 0, 1);
      return c;
    };
    for (const bad of [
      { ...signed, publicKey: flipped(signed.publicKey) },
      { ...signed, signature: flipped(signed.signature) },
      { ...signed, createdAt: signed.createdAt + 1 },
      { ...signed, prekeyId: '0'.repeat(32) },
      { ...signed, deviceId: generateDeviceKeys(sodium).deviceId },
      { ...signed, prekeyId: 'NOT-HEX' },
      { ...signed, publicKey: new Uint8Array(31) },
      { ...signed, signature: new Uint8Array(0) },
      { ...signed, createdAt: -1 },
      { ...signed, createdAt: Number.NaN },
    ]) {
      expect(verifyPrekey(sodium, bad, a.signPublicKey)).toBe(false);
    }
    expect(verifyPrekey(sodium, signed, new Uint8Array(5))).toBe(false);
  });

  it('the signed message is deterministic, labelled and fixed width', () => {
    const pk = new Uint8Array(32).fill(7);
    const m = prekeyMessage('a'.repeat(32), 'b'.repeat(32), pk, 1);
    expect(m).toEqual(prekeyMessage('a'.repeat(32), 'b'.repeat(32), pk, 1));
    expect(Buffer.from(m.subarray(0, 18)).toString('latin1')).toBe('embassy/v1/prekey\0');
    expect(m).toHaveLength(18 + 33 + 33 + 32 + 8);
    expect(() => prekeyMessage('A'.repeat(32), 'b'.repeat(32), pk, 1)).toThrow();
    expect(() => prekeyMessage('a'.repeat(32), 'b'.repeat(32), pk, 1.5)).toThrow();
  });

  it('is fresh until rotate + grace, and not when dated beyond the clock skew', () => {
    const limit = DEFAULT_PREKEY_POLICY.rotateEveryMs + DEFAULT_PREKEY_POLICY.graceMs;
    expect(isPrekeyFresh({ createdAt: T0 }, T0 + limit)).toBe(true);
    expect(isPrekeyFresh({ createdAt: T0 }, T0 + limit + 1)).toBe(false);
    expect(isPrekeyFresh({ createdAt: T0 + 30 * 60 * 1000 }, T0)).toBe(true);
    expect(isPrekeyFresh({ createdAt: T0 + 2 * 60 * 60 * 1000 }, T0)).toBe(false);
  });
});

describe('planPrekeyRotation', () => {
  it('asks for a first prekey when none is held', () => {
    expect(planPrekeyRotation([], T0)).toEqual({ rotate: true, deleteIds: [] });
  });

  it('rotates once the current prekey is rotateEveryMs old', () => {
    const held = [{ prekeyId: 'p1', createdAt: T0 }];
    expect(planPrekeyRotation(held, T0 + 7 * DAY - 1).rotate).toBe(false);
    expect(planPrekeyRotation(held, T0 + 7 * DAY).rotate).toBe(true);
  });

  it('deletes retired secrets only after the grace period, never the current one', () => {
    const held = [
      { prekeyId: 'p1', createdAt: T0, retiredAt: T0 + 7 * DAY },
      { prekeyId: 'p2', createdAt: T0 + 7 * DAY, retiredAt: T0 + 14 * DAY },
      { prekeyId: 'p3', createdAt: T0 + 14 * DAY },
    ];
    expect(planPrekeyRotation(held, T0 + 21 * DAY).deleteIds).toEqual([]);
    expect(planPrekeyRotation(held, T0 + 21 * DAY + 1).deleteIds).toEqual(['p1']);
    expect(planPrekeyRotation(held, T0 + 28 * DAY + 1)).toEqual({ rotate: true, deleteIds: ['p2', 'p1'] });
    // Even a very old current prekey is kept (it is rotated, not deleted).
    expect(planPrekeyRotation(held, T0 + 365 * DAY).deleteIds).not.toContain('p3');
  });

  it('treats a superseded prekey without retiredAt as retired when its successor was made', () => {
    const held = [
      { prekeyId: 'p2', createdAt: T0 + 7 * DAY },
      { prekeyId: 'p1', createdAt: T0 },
    ];
    expect(planPrekeyRotation(held, T0 + 21 * DAY).deleteIds).toEqual([]);
    expect(planPrekeyRotation(held, T0 + 21 * DAY + 1).deleteIds).toEqual(['p1']);
  });

  it('honours a custom policy', () => {
    const policy = { rotateEveryMs: DAY, graceMs: DAY };
    const held = [
      { prekeyId: 'a', createdAt: T0, retiredAt: T0 + DAY },
      { prekeyId: 'b', createdAt: T0 + DAY },
    ];
    expect(planPrekeyRotation(held, T0 + 2 * DAY + 1, policy)).toEqual({ rotate: true, deleteIds: ['a'] });
  });
});
