import { createHash } from 'node:crypto';
import { beforeAll, describe, expect, it } from 'vitest';
import { loadSodium, type Sodium } from '../vault/sodium';
import {
  groupDigits,
  safetyNumber,
  sideDigits,
  sideInput,
  SAFETY_NUMBER_ITERATIONS,
  type SafetyDevice,
  type SafetySide,
} from './safety-number';

let sodium: Sodium;
beforeAll(async () => {
  sodium = await loadSodium();
});

const bytes = (n: number, fill: number) => new Uint8Array(n).fill(fill);
const device = (id: string, fill: number): SafetyDevice => ({
  deviceId: id,
  signPublicKey: bytes(32, fill),
  boxPublicKey: bytes(32, fill + 1),
  certificate: bytes(700, fill + 2),
});
const alice: SafetySide = { address: 'alice@mission.example', devices: [device('a'.repeat(32), 1)] };
const bob: SafetySide = {
  address: 'bob@hq.example',
  devices: [device('c'.repeat(32), 20), device('b'.repeat(32), 10)],
};

/** The spec's side digits with Node's own BLAKE2b (OpenSSL), not libsodium: two implementations agree. */
function referenceSide(side: SafetySide): string {
  const h = (b: Uint8Array) => new Uint8Array(createHash('blake2b512').update(b).digest());
  const key = h(sideInput(side));
  let d = key;
  for (let i = 0; i < SAFETY_NUMBER_ITERATIONS; i++) d = h(new Uint8Array([...d, ...key]));
  const buf = Buffer.from(d);
  let out = '';
  for (let j = 0; j < 6; j++) out += String(Number(buf.readUIntBE(j * 5, 5) % 100_000)).padStart(5, '0');
  return out;
}

describe('safety numbers', () => {
  it('are 60 digits, the same from either side, matching an independent BLAKE2b', () => {
    const ab = safetyNumber(sodium, alice, bob);
    expect(ab).toMatch(/^\d{60}$/);
    expect(safetyNumber(sodium, bob, alice)).toBe(ab);
    const sides = [referenceSide(alice), referenceSide(bob)].sort();
    expect(ab).toBe(sides.join(''));
    expect(sideDigits(sodium, alice)).toBe(referenceSide(alice));
    expect(groupDigits(ab)).toHaveLength(12);
  });

  it('the cache answers the same digits, and a changed side misses it', () => {
    const cache = new Map<string, string>();
    const ab = safetyNumber(sodium, alice, bob, cache);
    expect(cache.size).toBe(2);
    expect(safetyNumber(sodium, alice, bob, cache)).toBe(ab);
    expect(cache.size).toBe(2);
    const more = { ...bob, devices: [...bob.devices, device('d'.repeat(32), 30)] };
    expect(safetyNumber(sodium, alice, more, cache)).toBe(safetyNumber(sodium, alice, more));
    expect(cache.size).toBe(3);
  });

  it('do not depend on the order devices are listed in', () => {
    const reordered = { ...bob, devices: [...bob.devices].reverse() };
    expect(safetyNumber(sodium, alice, reordered)).toBe(safetyNumber(sodium, alice, bob));
  });

  it('change when either side gains or loses a device, a key or a certificate changes', () => {
    const base = safetyNumber(sodium, alice, bob);
    const variants: SafetySide[] = [
      { ...bob, devices: [...bob.devices, device('d'.repeat(32), 30)] },
      { ...bob, devices: bob.devices.slice(1) },
      {
        ...bob,
        devices: [{ ...device('c'.repeat(32), 20), boxPublicKey: bytes(32, 99) }, device('b'.repeat(32), 10)],
      },
      {
        ...bob,
        devices: [{ ...device('c'.repeat(32), 20), certificate: bytes(700, 98) }, device('b'.repeat(32), 10)],
      },
      { ...bob, address: 'bob2@hq.example' },
    ];
    const seen = new Set([base]);
    for (const v of variants) {
      const n = safetyNumber(sodium, alice, v);
      expect(seen.has(n)).toBe(false);
      seen.add(n);
    }
    const aliceMore = { ...alice, devices: [...alice.devices, device('e'.repeat(32), 40)] };
    expect(safetyNumber(sodium, aliceMore, bob)).not.toBe(base);
  });
});
