import { describe, expect, it } from 'vitest';
import { FIRST_PATCH, MIN_PATCH, UploadPacer } from './upload-pacer';

const MiB = 1024 * 1024;

describe('upload pacer', () => {
  it('starts at 256 KiB (or the chunk size if smaller) before the link is measured', () => {
    expect(new UploadPacer(4 * MiB, 30_000).patchBytes()).toBe(FIRST_PATCH);
    expect(new UploadPacer(100_000, 30_000).patchBytes()).toBe(100_000);
  });

  it('sizes PATCHes to what the link carried in a third of the timeout, within [64 KiB, chunk]', () => {
    const pacer = new UploadPacer(4 * MiB, 30_000);
    // 256 kbit/s: 32 bytes per ms; a third of 30 s carries 320,000 bytes.
    pacer.noteUpload(256 * 1024, (256 * 1024) / 32);
    expect(pacer.patchBytes()).toBe(320_000);
    // A fast link: capped at the chunk size.
    pacer.noteUpload(4 * MiB, 10);
    expect(pacer.patchBytes()).toBe(4 * MiB);
    // A crawling link: never below 64 KiB.
    pacer.noteUpload(MIN_PATCH, 600_000);
    expect(pacer.patchBytes()).toBe(MIN_PATCH);
  });

  it('learns nothing from PATCHes too small to tell', () => {
    const pacer = new UploadPacer(4 * MiB, 30_000);
    pacer.noteUpload(MIN_PATCH - 1, 1_000_000);
    expect(pacer.patchBytes()).toBe(FIRST_PATCH);
  });
});
