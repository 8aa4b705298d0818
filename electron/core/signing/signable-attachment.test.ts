import { describe, expect, it } from 'vitest';
import { detachedSignatureName, signableAttachment } from './signable-attachment';

const a = (id: string, name: string, mediaType: string) => ({ id, name, mediaType });

describe('the attachment a signature is made over', () => {
  it('PAdES takes the latest PDF and never a text file', () => {
    const pdfs = [a('1', 'note.pdf', 'application/pdf'), a('2', 'note.signed.pdf', 'application/pdf')];
    expect(signableAttachment(pdfs, 'pades')?.id).toBe('2');
    expect(signableAttachment([a('3', 'notes.txt', 'text/plain')], 'pades')).toBeNull();
    expect(signableAttachment([], 'pades')).toBeNull();
  });

  it('CAdES takes the latest attachment of any kind that is not itself a .p7s', () => {
    const files = [
      a('1', 'notes.txt', 'text/plain'),
      a('2', 'notes.txt.p7s', 'application/pkcs7-signature'),
      a('3', 'old.p7s', 'application/octet-stream'),
    ];
    expect(signableAttachment(files, 'cades')?.id).toBe('1');
    expect(signableAttachment([a('2', 'x.p7s', 'application/pkcs7-signature')], 'cades')).toBeNull();
  });

  it('names the outputs', () => {
    expect(detachedSignatureName('notes.txt')).toBe('notes.txt.p7s');
    expect(detachedSignatureName('notes.txt', ['NOTES.txt.p7s', 'notes.txt-2.p7s'])).toBe('notes.txt-3.p7s');
  });
});
