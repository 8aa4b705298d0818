import { describe, expect, it } from 'vitest';
import { signedCopyName, laterCopyName } from './signed-copy-name';

describe('signedCopyName', () => {
  it('names the copy by the version it signs', () => {
    expect(signedCopyName('note.pdf', 1, ['note.pdf'])).toBe('note.v1.signed.pdf');
    expect(signedCopyName('Note.PDF', 2, [])).toBe('Note.v2.signed.pdf');
  });

  it('signing the same version twice never gives two attachments the same name', () => {
    const taken = ['note.pdf'];
    for (let i = 0; i < 4; i++) taken.push(signedCopyName('note.pdf', 2, taken));
    expect(taken.slice(1)).toEqual([
      'note.v2.signed.pdf',
      'note.v2-2.signed.pdf',
      'note.v2-3.signed.pdf',
      'note.v2-4.signed.pdf',
    ]);
    expect(new Set(taken.map((n) => n.toLowerCase())).size).toBe(taken.length);
  });

  it('re-signing a signed copy names it after the original, with the new version', () => {
    expect(signedCopyName('note.v1.signed.pdf', 3, [])).toBe('note.v3.signed.pdf');
    expect(signedCopyName('note.v2-2.signed.pdf', 3, [])).toBe('note.v3.signed.pdf');
    expect(signedCopyName('letter.signed.pdf', 1, ['letter.v1.signed.pdf'])).toBe('letter.v1-2.signed.pdf');
  });

  it('a name that is only an extension still gets a base', () => {
    expect(signedCopyName('.pdf', 1, [])).toBe('document.v1.signed.pdf');
  });
});

describe('laterCopyName', () => {
  it('names the timestamped copy apart from the copy it stamps, never twice the same', () => {
    const taken = ['note.pdf', 'note.v1.signed.pdf'];
    taken.push(laterCopyName('note.v1.signed.pdf', 'timestamped', taken));
    taken.push(laterCopyName('note.v1.signed.pdf', 'timestamped', taken));
    expect(taken.slice(2)).toEqual(['note.v1.signed.timestamped.pdf', 'note.v1.signed.timestamped-2.pdf']);
  });

  it('names the long-term copy after the signed one, from either earlier stage', () => {
    const taken = ['note.v1.signed.pdf', 'note.v1.signed.timestamped.pdf'];
    expect(laterCopyName('note.v1.signed.timestamped.pdf', 'lt', taken)).toBe('note.v1.signed.lt.pdf');
    expect(laterCopyName('note.v1.signed.pdf', 'lt', [...taken, 'note.v1.signed.lt.pdf'])).toBe(
      'note.v1.signed.lt-2.pdf',
    );
    expect(laterCopyName('received.signed.lt.pdf', 'lt', ['received.signed.lt.pdf'])).toBe(
      'received.signed.lt-2.pdf',
    );
  });
});
