import { describe, expect, it } from 'vitest';
import { AuthSessions } from './auth-sessions';

const limits = {
  challengeTtlMs: 60_000,
  sessionTtlMs: 60_000,
  maxChallenges: 1_000,
  maxSessions: 10,
  maxChallengesPerDevice: 3,
};

describe('AuthSessions', () => {
  it('keeps a few nonces per device and address: a flood from elsewhere cannot push out the device own', () => {
    const auth = new AuthSessions(limits);
    const own = auth.issueChallenge('device-1', '10.0.0.1');
    if (!own) throw new Error('no challenge');
    const flood: string[] = [];
    for (let i = 0; i < 10_000; i++) flood.push(auth.issueChallenge('device-1', '10.6.6.6')?.nonce ?? '');
    // The attacker's address holds at most 3; the table stays small; the device's nonce still works.
    expect(flood.filter((n) => n !== '').length).toBe(10_000);
    expect(auth.takeChallenge(flood[0] as string, 'device-1')).toBe(false); // replaced long ago
    expect(auth.takeChallenge(flood[9_999] as string, 'device-1')).toBe(true);
    expect(auth.takeChallenge(own.nonce, 'device-1')).toBe(true);
    expect(auth.takeChallenge(own.nonce, 'device-1')).toBe(false); // one answer per nonce
  });

  it('still refuses beyond the global cap, and frees room when nonces are answered or expire', () => {
    let now = 0;
    const auth = new AuthSessions({ ...limits, maxChallenges: 4 }, () => now);
    const issued = ['a', 'b', 'c', 'd'].map((d) => auth.issueChallenge(d, 'x'));
    expect(issued.every((c) => c !== undefined)).toBe(true);
    expect(auth.issueChallenge('e', 'x')).toBeUndefined();
    expect(auth.takeChallenge(issued[0]?.nonce as string, 'a')).toBe(true);
    expect(auth.issueChallenge('e', 'x')).toBeDefined();
    now += limits.challengeTtlMs;
    expect(auth.issueChallenge('f', 'x')).toBeDefined();
  });
});
