import { describe, expect, it } from 'vitest';
import { markingConfirmed, needsMarkingConfirmation } from './marking-confirmation';

describe('marking confirmation', () => {
  it('asks for Secret and Top secret only', () => {
    expect(needsMarkingConfirmation('unclassified')).toBe(false);
    expect(needsMarkingConfirmation('confidential')).toBe(false);
    expect(needsMarkingConfirmation('secret')).toBe(true);
    expect(needsMarkingConfirmation('top-secret')).toBe(true);
  });

  it('holds only for a confirmation naming the same marking', () => {
    expect(markingConfirmed('top-secret', undefined)).toBe(false);
    expect(markingConfirmed('top-secret', 'secret')).toBe(false);
    expect(markingConfirmed('secret', 'top-secret')).toBe(false);
    expect(markingConfirmed('top-secret', 'top-secret')).toBe(true);
    expect(markingConfirmed('confidential', undefined)).toBe(true);
  });
});
