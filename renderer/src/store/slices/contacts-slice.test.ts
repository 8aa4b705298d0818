import { describe, expect, it } from 'vitest';
import type { ContactDetails } from '../../../../shared/contract/contact-calls';
import { ErrorCode } from '../../../../shared/contract/errors';
import { err, ok } from '../../../../shared/contract/result';
import { fakeClient } from '../../../../tests/helpers/fake-client';
import { createAppStore } from '../app-store';

const contact = (over: Partial<ContactDetails> = {}): ContactDetails => ({
  address: 'binh.tran@hq.example',
  name: 'Tran Thi Binh',
  department: 'Consular',
  devices: [],
  me: 'an.nguyen@mission.example',
  safetyNumber: '1'.repeat(60),
  safetyQr: `EMBASSY-SN1:${'1'.repeat(60)}`,
  verification: { state: 'unverified' },
  ...over,
});

describe('contacts slice', () => {
  it('marks verified with exactly the number on screen', async () => {
    const fake = fakeClient({
      'contact.show': ok(contact()),
      'contact.verify': ok(contact({ verification: { state: 'verified', verifiedAt: 5 } })),
    });
    const store = createAppStore(fake.client);
    await store.getState().contactOpened('binh.tran@hq.example');
    await store.getState().contactVerifyRequested();
    expect(fake.call).toHaveBeenCalledWith('contact.verify', {
      address: 'binh.tran@hq.example',
      safetyNumber: '1'.repeat(60),
    });
    expect(store.getState().contact?.verification.state).toBe('verified');
  });

  it('a number that moved meanwhile: the error, and the new number on the card', async () => {
    const moved = contact({ safetyNumber: '2'.repeat(60) });
    const fake = fakeClient({
      'contact.show': ok(contact()),
      'contact.verify': err(ErrorCode.SyncSafetyNumberChanged, 'changed'),
    });
    const store = createAppStore(fake.client);
    await store.getState().contactOpened('binh.tran@hq.example');
    fake.answers['contact.show'] = ok(moved);
    await store.getState().contactVerifyRequested();
    expect(store.getState().contactError?.code).toBe('E_SYNC_SAFETY_NUMBER_CHANGED');
    expect(store.getState().contact?.safetyNumber).toBe('2'.repeat(60));
    expect(store.getState().contact?.verification.state).toBe('unverified');
  });

  it('an answer for a contact no longer open is dropped', async () => {
    let release: (v: unknown) => void = () => undefined;
    const fake = fakeClient({
      'contact.show': (input) =>
        (input as { address: string }).address === 'slow@hq.example'
          ? new Promise((r) => {
              release = () => r(ok(contact({ address: 'slow@hq.example' })));
            })
          : ok(contact()),
    });
    const store = createAppStore(fake.client);
    const slow = store.getState().contactOpened('slow@hq.example');
    await store.getState().contactOpened('binh.tran@hq.example');
    release(undefined);
    await slow;
    expect(store.getState().contact?.address).toBe('binh.tran@hq.example');
  });
});
