import { mkdtemp, readFile, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { createSettingsStore } from './settings-store';

const tempDir = () => mkdtemp(join(tmpdir(), 'embassy-settings-'));

describe('settings store', () => {
  it('defaults to Vietnamese when nothing is stored', async () => {
    expect(await createSettingsStore(await tempDir()).get()).toEqual({ language: 'vi' });
  });

  it('persists an update for the next store on the same folder', async () => {
    const dir = await tempDir();
    await createSettingsStore(dir).update({ language: 'en' });
    expect(await createSettingsStore(dir).get()).toEqual({ language: 'en' });
    expect(JSON.parse(await readFile(join(dir, 'settings.json'), 'utf8'))).toEqual({ language: 'en' });
  });

  it('falls back to defaults on a damaged or hand-edited file instead of failing start-up', async () => {
    const dir = await tempDir();
    await writeFile(join(dir, 'settings.json'), '{"language": "klingon"');
    expect(await createSettingsStore(dir).get()).toEqual({ language: 'vi' });
    await writeFile(join(dir, 'settings.json'), '{"language": "klingon"}');
    expect(await createSettingsStore(dir).get()).toEqual({ language: 'vi' });
  });

  it('serialises concurrent updates (last one wins, file stays valid JSON)', async () => {
    const dir = await tempDir();
    const store = createSettingsStore(dir);
    await Promise.all(Array.from({ length: 20 }, (_, i) => store.update({ language: i % 2 ? 'en' : 'vi' })));
    expect(await store.get()).toEqual({ language: 'en' });
  });
});
