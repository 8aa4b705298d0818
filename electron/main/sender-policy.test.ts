import { describe, expect, it } from 'vitest';
import { isTrustedSender } from './sender-policy';

const good = { frameUrl: 'app://embassy/index.html', isMainFrame: true, isOurWindow: true };

describe('isTrustedSender', () => {
  it("trusts our window's top frame on app://embassy", () => {
    expect(isTrustedSender(good)).toBe(true);
  });

  it.each([
    ['a subframe', { ...good, isMainFrame: false }],
    ['another window', { ...good, isOurWindow: false }],
    ['a destroyed frame', { ...good, frameUrl: null }],
    ['file://', { ...good, frameUrl: 'file:///tmp/index.html' }],
    ['http origin', { ...good, frameUrl: 'http://127.0.0.1:5199/' }],
    ['another app host', { ...good, frameUrl: 'app://evil/index.html' }],
    ['a look-alike host', { ...good, frameUrl: 'app://embassy.evil/' }],
    ['garbage', { ...good, frameUrl: 'not a url' }],
  ])('refuses %s', (_label, facts) => {
    expect(isTrustedSender(facts)).toBe(false);
  });
});
