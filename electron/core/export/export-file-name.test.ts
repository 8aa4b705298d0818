import { describe, expect, it } from 'vitest';
import { exportFileName } from './export-file-name';

describe('exportFileName', () => {
  it('keeps an ordinary name, diacritics included', () => {
    expect(exportFileName('Công hàm 12.signed.pdf')).toBe('Công hàm 12.signed.pdf');
  });

  it('never names a folder, a hidden file or nothing', () => {
    expect(exportFileName('../../etc/passwd')).toBe('passwd');
    expect(exportFileName('C:\\Windows\\evil.exe')).toBe('evil.exe');
    expect(exportFileName('..')).toBe('attachment');
    expect(exportFileName('.bashrc')).toBe('bashrc');
    expect(exportFileName('a\u0000b\nc:d.pdf')).toBe('a_b_c_d.pdf');
  });
});
