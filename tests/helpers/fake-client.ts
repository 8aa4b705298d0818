import { vi } from 'vitest';
import type { EmbassyClient } from '../../shared/contract/client';
import type { Result } from '../../shared/contract/result';

/** What the fake answers to one call: a fixed result, or one computed from the input. */
export type FakeAnswer = Result<unknown> | ((input: unknown) => Result<unknown> | Promise<Result<unknown>>);

/**
 * A fake core for renderer store tests: each call name answers a fixed result or a function of
 * the input; any other call fails the test. `answers` may be changed between steps; `call`
 * is the mock, for assertions on what the store asked.
 */
export function fakeClient(answers: Record<string, FakeAnswer>) {
  const call = vi.fn(async (name: string, input?: unknown) => {
    const answer = answers[name];
    if (answer === undefined) throw new Error(`unexpected call ${name}`);
    return typeof answer === 'function' ? answer(input) : answer;
  });
  return { client: { call } as unknown as EmbassyClient, call, answers };
}
