import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { contentTypeFor, rendererCsp, resolveAsset } from './renderer-assets';

const root = '/srv/renderer';

describe('resolveAsset', () => {
  it('serves the index for / and files under the root', () => {
    expect(resolveAsset(root, '/')).toBe(join(root, 'index.html'));
    expect(resolveAsset(root, '/assets/index-abc.js')).toBe(join(root, 'assets/index-abc.js'));
  });

  it.each([
    '/../etc/passwd.html',
    '/assets/../../secret.js',
    '/%2e%2e/%2e%2e/etc/passwd.css',
    '/assets%2f..%2f..%2fx.js',
    '/..%5c..%5cx.js',
    '/a%00.js',
    '/%E0%A4%A',
  ])('refuses %s', (path) => {
    expect(resolveAsset(root, path)).toBeNull();
  });

  it('serves only known content types', () => {
    expect(resolveAsset(root, '/package.json.map')).toBeNull();
    expect(resolveAsset(root, '/run.sh')).toBeNull();
    expect(contentTypeFor('x.woff2')).toBe('font/woff2');
  });
});

describe('rendererCsp', () => {
  it("starts from default-src 'none' and allows no inline code or remote origin", () => {
    const csp = rendererCsp();
    expect(csp).toMatch(/^default-src 'none'/);
    expect(csp).toContain("script-src 'self'");
    expect(csp).toContain("connect-src 'none'");
    expect(csp).not.toMatch(/unsafe-inline|unsafe-eval|https?:|\*/);
  });

  it('adds only the given connect-src origins', () => {
    expect(rendererCsp({ connectSrc: ['ws://127.0.0.1:5199'] })).toContain(
      'connect-src ws://127.0.0.1:5199;',
    );
  });
});
