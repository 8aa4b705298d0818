import { expect } from 'vitest';

/** The value, or a failed test if it is missing (instead of a non-null assertion). */
export function must<T>(value: T | undefined | null): T {
  if (value === undefined || value === null) expect.fail('missing value');
  return value;
}

/** XOR one byte in place (a bit flip an attacker or a bad disk would make). */
export function flip(bytes: Uint8Array, offset: number, mask: number): void {
  bytes[offset] = must(bytes[offset]) ^ mask;
}

/** A copy of `bytes` with one byte inverted; the original is left as it was. */
export function flipped(bytes: Buffer, offset: number): Buffer {
  const copy = Buffer.from(bytes);
  flip(copy, offset, 0xff);
  return copy;
}
