import { describe, expect, it } from 'vitest';
import type { AppState } from './app-store';
import { highest, screenMarking } from './screen-marking';

const row = (classification: string) => ({ classification }) as never;
const hit = (classification: string) => ({ classification }) as never;

/** An unlocked vault with nothing shown; each test adds what its screen shows. */
function state(over: Partial<Record<keyof AppState, unknown>> = {}): AppState {
  return {
    vault: { state: 'unlocked' },
    openDocument: null,
    documentRows: {},
    searchQuery: '',
    searchHits: [],
    shownMarkings: {},
    threads: null,
    threadMessages: [],
    ...over,
  } as unknown as AppState;
}

describe('screenMarking', () => {
  it('Documents: follows the open document', () => {
    const s = state({ openDocument: { document: { classification: 'secret' } } });
    expect(screenMarking(s, 'documents')).toBe('secret');
  });

  it('Documents list: the highest classification among loaded rows', () => {
    const s = state({
      documentRows: { 0: row('unclassified'), 1: row('top-secret'), 2: row('confidential') },
    });
    expect(screenMarking(s, 'documents')).toBe('top-secret');
  });

  it("Messages: the highest among the threads listed and the open thread's messages", () => {
    const threads = [row('unclassified'), row('confidential')];
    expect(screenMarking(state({ threads }), 'messages')).toBe('confidential');
    const threadMessages = [row('unclassified'), row('secret')];
    expect(screenMarking(state({ threads, threadMessages }), 'messages')).toBe('secret');
    // Elsewhere the message lists are not on screen.
    expect(screenMarking(state({ threads, threadMessages }), 'documents')).toBe('unclassified');
  });

  it('search results: Confidential text in a hit raises the banner on any screen', () => {
    const s = state({ searchQuery: 'visa', searchHits: [hit('unclassified'), hit('confidential')] });
    for (const route of ['documents', 'messages', 'sign', 'sync', 'settings', 'about'] as const)
      expect(screenMarking(s, route)).toBe('confidential');
    // Cleared search: the hits are gone from the screen.
    expect(screenMarking(state({ searchQuery: '  ', searchHits: [hit('secret')] }), 'about')).toBe(
      'unclassified',
    );
  });

  it('Sign screen, send dialog, text attachment: what a mounted view declared', () => {
    const s = state({ shownMarkings: { ':r1:': 'confidential', ':r2:': 'secret' } });
    expect(screenMarking(s, 'sign')).toBe('secret');
    expect(screenMarking(s, 'sync')).toBe('secret');
  });

  it('never lower than any source: a declared Top secret dialog over a Confidential list', () => {
    const s = state({
      documentRows: { 0: row('confidential') },
      shownMarkings: { dialog: 'top-secret' },
    });
    expect(screenMarking(s, 'documents')).toBe('top-secret');
  });

  it('Unclassified where no vault content is shown, and whenever the vault is not open', () => {
    const s = state({ openDocument: { document: { classification: 'secret' } } });
    expect(screenMarking(s, 'about')).toBe('unclassified');
    const locked = state({
      vault: { state: 'locked' },
      openDocument: { document: { classification: 'secret' } },
      shownMarkings: { x: 'top-secret' },
      searchQuery: 'x',
      searchHits: [hit('secret')],
    });
    expect(screenMarking(locked, 'documents')).toBe('unclassified');
  });

  it('highest of none is Unclassified', () => {
    expect(highest([])).toBe('unclassified');
    expect(highest(['confidential', 'unclassified'])).toBe('confidential');
  });
});
