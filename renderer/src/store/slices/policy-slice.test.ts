import { describe, expect, it } from 'vitest';
import { err, ok } from '../../../../shared/contract/result';
import type { PolicyStatus } from '../../../../shared/contract/policy-calls';
import { fakeClient } from '../../../../tests/helpers/fake-client';
import { policyPayload } from '../../../../tests/fixtures/it-keys';
import { createAppStore } from '../app-store';
import { isManaged } from './policy-slice';

const none: PolicyStatus = { state: 'none', rootVersion: 1, policy: null, appliedAt: null, managed: [] };
const inForce: PolicyStatus = {
  state: 'in-force',
  rootVersion: 1,
  policy: policyPayload(3),
  appliedAt: 1,
  managed: ['idleLock', 'pkcs11Module', 'passphraseProfiles', 'escrow'],
};

describe('policy slice', () => {
  it('loads the policy in force; a refused import keeps it and says why', async () => {
    const { client, answers } = fakeClient({
      'policy.get': ok(inForce),
      'policy.import': err('E_IT_ROLLBACK', 'older'),
    });
    const store = createAppStore(client);
    await store.getState().policyLoaded();
    expect(isManaged(store.getState().policy, 'idleLock')).toBe(true);
    await store.getState().policyFileChosen('{"signed":{}}');
    expect(store.getState().policy).toEqual(inForce);
    expect(store.getState().policyImport).toEqual({
      kind: 'refused',
      error: { code: 'E_IT_ROLLBACK', message: 'older' },
    });
    answers['policy.import'] = ok({ ...inForce, policy: policyPayload(4), unchanged: false });
    await store.getState().policyFileChosen('{}');
    expect(store.getState().policyImport).toEqual({ kind: 'applied', version: 4 });
    expect(store.getState().policy?.policy?.version).toBe(4);
    expect(store.getState().policyBusy).toBe(false);
  });

  it('nothing is managed without a policy', async () => {
    const store = createAppStore(fakeClient({ 'policy.get': ok(none) }).client);
    await store.getState().policyLoaded();
    expect(isManaged(store.getState().policy, 'idleLock')).toBe(false);
  });
});
