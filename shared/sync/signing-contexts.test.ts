import { describe, expect, it } from 'vitest';
import {
  authSessionMessage,
  directoryMessage,
  enrolmentMessage,
  prekeyMessage,
  tokenEnrolmentMessage,
} from './relay-protocol';
import * as contexts from './signing-contexts';

const text = (b: Uint8Array) => Buffer.from(b).toString('latin1');
const key = new Uint8Array(32).fill(1);

describe('signing contexts', () => {
  it('are distinct, and none is a prefix of another (domain separation)', () => {
    const labels = Object.values(contexts);
    expect(new Set(labels).size).toBe(labels.length);
    for (const a of labels)
      for (const b of labels) if (a !== b) expect(`${b}\0`.startsWith(`${a}\0`)).toBe(false);
  });

  it('start every relay message, followed by a 0 byte', () => {
    expect(text(enrolmentMessage(key, key, new Uint8Array(1)))).toMatch(/^embassy-hq\/v1\/enroll\0/);
    expect(text(authSessionMessage('a'.repeat(32), 'b'.repeat(64), key))).toMatch(
      /^embassy-hq\/v1\/auth-session\0/,
    );
    expect(text(tokenEnrolmentMessage(key, key, 'An', 'Consular'))).toMatch(
      /^embassy-hq\/v1\/token-enroll\0/,
    );
    expect(text(prekeyMessage('a'.repeat(32), 'b'.repeat(32), key, 1))).toMatch(/^embassy\/v1\/prekey\0/);
    expect(text(directoryMessage(new Uint8Array(2)))).toMatch(/^embassy-hq\/v1\/directory\0/);
  });
});
