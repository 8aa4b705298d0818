import { describe, expect, it } from 'vitest';
import { err, ok } from '../../../../shared/contract/result';
import type { UpdateStatus } from '../../../../shared/contract/update-calls';
import { fakeClient } from '../../../../tests/helpers/fake-client';
import { createAppStore } from '../app-store';

const idle: UpdateStatus = {
  installedVersion: '1.0.0',
  channel: null,
  source: null,
  state: 'idle',
  availableVersion: null,
  progress: null,
  refused: null,
};

describe('updates slice', () => {
  it('check → available → verified; a refusal is read back with its code', async () => {
    const available = {
      ...idle,
      channel: 'stable',
      source: 'hq' as const,
      state: 'available' as const,
      availableVersion: '1.1.0',
    };
    const refused = {
      ...available,
      state: 'refused' as const,
      refused: { code: 'E_UPDATE_BAD_FILE', message: 'sha512' },
    };
    const { client, answers } = fakeClient({
      'updates.status': ok(idle),
      'updates.check': ok(available),
      'updates.download': err('E_UPDATE_BAD_FILE', 'sha512'),
    });
    const store = createAppStore(client);
    await store.getState().updatesLoaded();
    expect(store.getState().updates).toEqual(idle);
    await store.getState().updateCheckRequested();
    expect(store.getState().updates?.availableVersion).toBe('1.1.0');
    answers['updates.status'] = ok(refused);
    await store.getState().updateDownloadRequested();
    expect(store.getState().updates?.refused?.code).toBe('E_UPDATE_BAD_FILE');
    expect(store.getState().updatesError).toBeNull();
    answers['updates.status'] = ok(idle);
    answers['updates.install'] = err('E_UPDATE_NOT_READY', 'no');
    await store.getState().updateInstallRequested();
    expect(store.getState().updatesError?.code).toBe('E_UPDATE_NOT_READY');
  });
});
