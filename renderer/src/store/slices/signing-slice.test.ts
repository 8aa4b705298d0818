import { describe, expect, it } from 'vitest';
import { ok } from '../../../../shared/contract/result';
import { fakeClient } from '../../../../tests/helpers/fake-client';
import { createAppStore } from '../app-store';

const listing = (label: string) => ({
  label,
  serial: `serial-${label}`,
  manufacturer: 'SoftHSM project',
  model: 'SoftHSM v2',
  pinCountLow: false,
  pinFinalTry: false,
  pinLocked: false,
  certificates: [],
});

describe('signing slice: token listing', () => {
  it('an earlier token.list answering last does not hide the token the latest one found', async () => {
    // The first request (the driver the officer changed away from) is slow and finds nothing;
    // the second (the driver now chosen) finds the token and answers first.
    const releases: Array<() => void> = [];
    const answers = [ok({ tokens: [] }), ok({ tokens: [listing('Officer')] })];
    let n = 0;
    const { client } = fakeClient({
      'token.list': () => {
        const answer = answers[n++];
        return new Promise((resolve) => releases.push(() => resolve(answer as never)));
      },
    });
    const store = createAppStore(client);
    const first = store.getState().tokensRequested();
    const second = store.getState().tokensRequested();
    releases[1]?.();
    await second;
    releases[0]?.();
    await first;
    expect(store.getState().tokens?.map((t) => t.label)).toEqual(['Officer']);
  });
});
