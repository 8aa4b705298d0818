import { describe, expect, it } from 'vitest';
import { helpContext } from './help-context';

const base = {
  route: 'documents' as const,
  vault: { state: 'unlocked' as const },
  onboarding: false,
  openDocument: null,
};

describe('helpContext', () => {
  it('follows the vault gate: first run while absent or onboarding, unlock while locked', () => {
    expect(helpContext({ ...base, vault: { state: 'absent' } })).toBe('firstRun');
    expect(helpContext({ ...base, onboarding: true })).toBe('firstRun');
    expect(helpContext({ ...base, route: 'sync', vault: { state: 'locked' } })).toBe('unlock');
    expect(helpContext({ ...base, route: 'messages', vault: { state: 'locked' } })).toBe('unlock');
  });

  it('names the open document over the list, and the route elsewhere', () => {
    expect(helpContext(base)).toBe('documents');
    expect(helpContext({ ...base, openDocument: {} })).toBe('document');
    expect(helpContext({ ...base, route: 'sign', vault: { state: 'locked' } })).toBe('sign');
    expect(helpContext({ ...base, route: 'about', vault: { state: 'absent' } })).toBe('about');
    expect(helpContext({ ...base, route: 'settings', openDocument: {} })).toBe('settings');
  });
});
