import type { IncomingMessage } from 'node:http';
import { describe, expect, it } from 'vitest';
import { AbuseGuards } from './abuse-guards';
import { RelayError } from './relay-error';
import { DEFAULT_LIMITS } from './relay-limits';

const from = (address: string) => ({ socket: { remoteAddress: address } }) as unknown as IncomingMessage;

function refusal(f: () => void): RelayError | undefined {
  try {
    f();
    return undefined;
  } catch (e) {
    if (e instanceof RelayError) return e;
    throw e;
  }
}

describe('AbuseGuards', () => {
  it('budgets enrolment per device key and address: a replay from elsewhere cannot spend the device own', () => {
    const guards = new AbuseGuards({ ...DEFAULT_LIMITS, enrolPerDevice: { burst: 3, perMinute: 1 } });
    for (let i = 0; i < 3; i++)
      expect(refusal(() => guards.enrolmentOf(from('10.6.6.6'), 'device-1'))).toBeUndefined();
    const refused = refusal(() => guards.enrolmentOf(from('10.6.6.6'), 'device-1'));
    expect([refused?.status, refused?.code, refused?.headers['retry-after']]).toEqual([
      429,
      'E_RATE_LIMITED',
      '60',
    ]);
    expect(refusal(() => guards.enrolmentOf(from('10.0.0.1'), 'device-1'))).toBeUndefined();
    expect(refusal(() => guards.enrolmentOf(from('10.6.6.6'), 'device-2'))).toBeUndefined();
  });

  it('budgets challenges per address, then per device and address', () => {
    const guards = new AbuseGuards({
      ...DEFAULT_LIMITS,
      challengePerAddress: { burst: 5, perMinute: 60 },
      challengePerDevice: { burst: 2, perMinute: 60 },
    });
    expect(refusal(() => guards.challenge(from('10.6.6.6'), 'device-1'))).toBeUndefined();
    expect(refusal(() => guards.challenge(from('10.6.6.6'), 'device-1'))).toBeUndefined();
    expect(refusal(() => guards.challenge(from('10.6.6.6'), 'device-1'))?.status).toBe(429);
    // The device itself, from its own address, still has its whole budget.
    expect(refusal(() => guards.challenge(from('10.0.0.1'), 'device-1'))).toBeUndefined();
    for (let i = 0; i < 2; i++) guards.challenge(from('10.6.6.6'), `other-${i}`);
    // Five from 10.6.6.6 in all (the refused one counted): the address budget is spent.
    expect(refusal(() => guards.challenge(from('10.6.6.6'), 'device-9'))?.message).toContain('this address');
  });
});
