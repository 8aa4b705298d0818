import { readFileSync } from 'node:fs';
import { defineConfig } from 'vitest/config';

const { version } = JSON.parse(readFileSync(new URL('./package.json', import.meta.url), 'utf8')) as {
  version: string;
};

/** The renderer build (Vite, React via the built-in JSX transform) and the unit tests (Vitest). */
export default defineConfig({
  root: 'renderer',
  base: '/',
  define: { __APP_VERSION__: JSON.stringify(version) },
  oxc: { jsx: { runtime: 'automatic' } },
  build: {
    outDir: '../dist/renderer',
    emptyOutDir: true,
    target: 'chrome130',
    sourcemap: false,
    // No inline scripts or styles: the CSP allows 'self' only.
    assetsInlineLimit: 0,
    modulePreload: { polyfill: false },
    rolldownOptions: {
      output: {
        // The app's own code changes often; the libraries under it rarely. Splitting them keeps
        // each chunk under Vite's 500 kB advice (so a new user's build prints no warning) and
        // lets a cache keep the libraries across versions.
        codeSplitting: {
          groups: [
            { name: 'react', test: /node_modules[\\/](react|react-dom|scheduler)[\\/]/ },
            // pdf.js stays lazy: loaded the first time a PDF is shown, in a chunk of its own.
            { name: 'pdfjs', test: /node_modules[\\/]pdfjs-dist[\\/]/ },
            { name: 'libs', test: /node_modules[\\/]/ },
          ],
        },
      },
    },
  },
  test: {
    root: '.',
    include: ['{shared,electron,renderer,hq,tests,bench}/**/*.test.{ts,tsx}'],
    exclude: ['node_modules/**', 'dist/**', 'tests/e2e/**'],
    testTimeout: 30_000,
    // A relay suite's set-up may start a PostgreSQL cluster (initdb) on a loaded 2-core machine.
    hookTimeout: 30_000,
  },
});
