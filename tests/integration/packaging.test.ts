import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';

/** The packaging config is security-relevant: fuses and what ships are checked here. */
const yml = readFileSync('electron-builder.yml', 'utf8');
const setting = (key: string) => new RegExp(`^\\s+${key}: (\\w+)`, 'm').exec(yml)?.[1];

describe('electron-builder.yml', () => {
  it.each([
    ['runAsNode', 'false'],
    ['enableCookieEncryption', 'true'],
    ['enableNodeOptionsEnvironmentVariable', 'false'],
    ['enableNodeCliInspectArguments', 'false'],
    ['enableEmbeddedAsarIntegrityValidation', 'true'],
    ['onlyLoadAppFromAsar', 'true'],
    ['loadBrowserProcessSpecificV8Snapshot', 'false'],
    ['grantFileProtocolExtraPrivileges', 'false'],
  ])('sets the fuse %s explicitly to %s', (fuse, value) => {
    expect(setting(fuse)).toBe(value);
  });

  it('ships main, preload and renderer only, never the bridge or the CLI tools', () => {
    expect(yml).toMatch(/- '!dist\/node\/\*\*'/);
    expect(yml).not.toMatch(/^\s+- dist\/node/m);
    expect(yml).toMatch(/^asar: true$/m);
  });

  it('publishes generic-provider update metadata for Linux (AppImage, deb) and Windows (NSIS)', () => {
    expect(yml).toMatch(/^publish:\n\s+provider: generic$/m);
    expect(yml).toMatch(/^linux:\n\s+target: \[AppImage, deb\]/m);
    expect(yml).toMatch(/^win:\n\s+target: nsis$/m);
  });

  it("ships the report's typeface where the core looks for it", () => {
    expect(yml).toMatch(
      /- from: node_modules\/@fontsource\/be-vietnam-pro\/files\n\s+to: resources\/fonts\n/,
    );
    for (const subset of ['latin', 'vietnamese', 'latin-ext'])
      expect(yml).toContain(`- be-vietnam-pro-${subset}-400-normal.woff`);
  });
});
