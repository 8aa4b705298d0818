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
  it('keeps a few nonces per device and address: a flood from elsewhere cannot push out the device own', async () => {
    const auth = new AuthSessions(limits);
    const own = await auth.issueChallenge('device-1', '10.0.0.1');
    if (!own) throw new Error('no challenge');
    const flood: string[] = [];
    for (let i = 0; i < 10_000; i++)
      flood.push((await auth.issueChallenge('device-1', '10.6.6.6'))?.nonce ?? '');
    // The attacker's address holds at most 3; the table stays small; the device's nonce still works.
    expect(flood.filter((n) => n !== '').length).toBe(10_000);
    expect(await auth.takeChallenge(flood[0] as string, 'device-1')).toBe(false); // replaced long ago
    expect(await auth.takeChallenge(flood[9_999] as string, 'device-1')).toBe(true);
    expect(await auth.takeChallenge(own.nonce, 'device-1')).toBe(true);
    expect(await auth.takeChallenge(own.nonce, 'device-1')).toBe(false); // one answer per nonce
  });

  it('still refuses beyond the global cap, and frees room when nonces are answered or expire', async () => {
    let now = 0;
    const auth = new AuthSessions({ ...limits, maxChallenges: 4 }, () => now);
    const issued = await Promise.all(['a', 'b', 'c', 'd'].map((d) => auth.issueChallenge(d, 'x')));
    expect(issued.every((c) => c !== undefined)).toBe(true);
    expect(await auth.issueChallenge('e', 'x')).toBeUndefined();
    expect(await auth.takeChallenge(issued[0]?.nonce as string, 'a')).toBe(true);
    expect(await auth.issueChallenge('e', 'x')).toBeDefined();
    now += limits.challengeTtlMs;
    expect(await auth.issueChallenge('f', 'x')).toBeDefined();
  });
});
