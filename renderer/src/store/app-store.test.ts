import { describe, expect, it } from 'vitest';
import { ErrorCode } from '../../../shared/contract/errors';
import { err, ok } from '../../../shared/contract/result';
import { fakeClient } from '../../../tests/helpers/fake-client';
import { createAppStore } from './app-store';
import { routeFromHash } from './routes';

describe('app store', () => {
  it('loads the stored language and switches it through settings.update', async () => {
    const { client } = fakeClient({
      'settings.get': ok({ language: 'en' }),
      'settings.update': ok({ language: 'vi' }),
    });
    const store = createAppStore(client);
    await store.getState().settingsLoaded();
    expect(store.getState().language).toBe('en');
    await store.getState().languageChosen('vi');
    expect(client.call).toHaveBeenLastCalledWith('settings.update', { language: 'vi' });
    expect(store.getState().language).toBe('vi');
    expect(store.getState().settingsError).toBeNull();
  });

  it('keeps the chosen language on screen but reports a failed save', async () => {
    const store = createAppStore(
      fakeClient({ 'settings.update': err(ErrorCode.TransportClosed, 'down') }).client,
    );
    await store.getState().languageChosen('en');
    expect(store.getState().language).toBe('en');
    expect(store.getState().settingsError?.code).toBe(ErrorCode.TransportClosed);
  });

  it('keeps the last known health when a refresh fails', async () => {
    const health = { version: '1', parts: {} };
    const { client, call } = fakeClient({ 'app.health': ok(health) });
    const store = createAppStore(client);
    await store.getState().healthRequested();
    expect(store.getState().health).toEqual({ status: 'ready', value: health });
    call.mockResolvedValueOnce(err(ErrorCode.Internal, 'x'));
    await store.getState().healthRequested();
    expect(store.getState().health).toMatchObject({ status: 'error', value: health });
  });

  it('maps hashes to routes, unknown ones (and none) to Documents, never About', () => {
    expect(routeFromHash('#/settings')).toBe('settings');
    expect(routeFromHash('#/about')).toBe('about');
    expect(routeFromHash('#/nope')).toBe('documents');
    expect(routeFromHash('')).toBe('documents');
    expect(createAppStore(fakeClient({}).client).getState().route).toBe('documents');
  });
});
