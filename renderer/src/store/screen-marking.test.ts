import { describe, expect, it } from 'vitest';
import type { AppState } from './app-store';
import { screenMarking } from './screen-marking';

const unlocked = { vault: { state: 'unlocked' } } as unknown as AppState;
const row = (classification: string) => ({ classification }) as never;

describe('screenMarking', () => {
  it('follows the open document', () => {
    const s = {
      ...unlocked,
      openDocument: { document: { classification: 'secret' } },
      documentRows: {},
    } as unknown as AppState;
    expect(screenMarking(s, 'documents')).toBe('secret');
  });

  it('in the list, takes the highest classification among loaded rows', () => {
    const s = {
      ...unlocked,
      openDocument: null,
      documentRows: { 0: row('unclassified'), 1: row('top-secret'), 2: row('confidential') },
    } as unknown as AppState;
    expect(screenMarking(s, 'documents')).toBe('top-secret');
  });

  it('is Unclassified where no vault content is shown', () => {
    const s = {
      ...unlocked,
      openDocument: { document: { classification: 'secret' } },
      documentRows: {},
    } as unknown as AppState;
    expect(screenMarking(s, 'about')).toBe('unclassified');
    expect(screenMarking({ ...s, vault: { state: 'locked' } } as unknown as AppState, 'documents')).toBe(
      'unclassified',
    );
  });
});
