import { describe, expect, it } from 'vitest';
import { verdictOf } from '../verdict';
import { permits, type Finding } from './modification-kinds';
import { modificationReasons } from './modification-reasons';

const f = (kind: Finding['kind'], pages: number[] = []): Finding => ({ kind, pages, note: kind });

describe('modification reasons', () => {
  it('allows what each level whitelists, and nothing else', () => {
    expect(['dss', 'timestamp', 'signature'].every((k) => permits('approval', k as Finding['kind']))).toBe(
      true,
    );
    expect(permits('approval', 'form')).toBe(false);
    expect(permits(1, 'signature')).toBe(false);
    expect(permits(1, 'dss') && permits(1, 'timestamp')).toBe(true);
    expect(permits(2, 'form') && !permits(2, 'annotation')).toBe(true);
    expect(permits(3, 'annotation')).toBe(true);
    for (const k of ['content', 'pages', 'metadata', 'structure', 'other'] as const)
      expect([permits('approval', k), permits(1, k), permits(2, k), permits(3, k)]).toEqual([
        false,
        false,
        false,
        false,
      ]);
  });

  it('visible changes make a signature invalid and name the pages in both languages', () => {
    const r = modificationReasons([f('content', [3, 1]), f('annotation', [1])], 'approval', false);
    expect(r.map((x) => x.code)).toEqual(['MODIFIED_CONTENT']);
    expect(r[0]?.pages).toEqual([1, 3]);
    expect(r[0]?.en).toContain('on pages 1, 3');
    expect(r[0]?.vi).toContain('ở trang 1, 3');
    expect(verdictOf(r)).toBe('invalid');
  });

  it('unexplained changes off the pages: indeterminate, or invalid for the certification they break', () => {
    expect(verdictOf(modificationReasons([f('metadata')], 'approval', false))).toBe('indeterminate');
    const cert = modificationReasons([f('signature')], 1, true);
    expect(cert.map((x) => x.code)).toEqual(['CERTIFICATION_VIOLATED']);
    expect(verdictOf(cert)).toBe('invalid');
  });

  it('allowed changes only: an info note, the verdict unchanged', () => {
    const r = modificationReasons([f('signature', [1]), f('dss')], 'approval', false);
    expect(r.map((x) => x.code)).toEqual(['LATER_CHANGES_ALLOWED']);
    expect(r[0]?.en).toContain('a signature, validation data (DSS)');
    expect(verdictOf(r)).toBe('valid');
    expect(modificationReasons([], 'approval', false)).toEqual([]);
  });
});
