// Builds everything the app, the CLI and the preview run from, into dist/:
//   dist/renderer  the UI (Vite, config in vite.config.ts)
//   dist/main      the Electron main process (one CJS bundle; never contains the bridge)
//   dist/preload   the sandboxed preload (one self-contained CJS file: sandboxed preloads
//                  cannot require local chunks)
//   dist/node      the `embassy` CLI (electron/cli/, with the relay's commands from hq/cli/)
//                  and the preview server with its bridge (electron/dev/): dev/test tools
//   vault-worker.cjs beside main.cjs and beside the CLI: the vault's database thread, found at
//                  run time by electron/core/vault/worker-location.ts (same folder or its parent)
//   dist/token     the token host process (the only code that loads pkcs11js and the PKCS#11
//                  module); the CLI forks it, the app starts it as a utilityProcess
//   dist/pdf-sandbox the PDF sandbox process (the only code that parses PDFs: pdf.js, pdf-lib
//                  and our revision reader); started the same two ways, with a heap limit
// Vite library builds for all of them, so one tool and one transform pipeline serve every
// environment; see docs/architecture.md, "Builds", for why not electron-vite.
import { readFileSync } from 'node:fs';
import { builtinModules } from 'node:module';
import { build } from 'vite';

const root = new URL('../../', import.meta.url);
const pkg = JSON.parse(readFileSync(new URL('package.json', root), 'utf8'));
const define = { __APP_VERSION__: JSON.stringify(pkg.version) };
const nodeBuiltins = [...builtinModules, ...builtinModules.map((m) => `node:${m}`)];
// --quiet (tests, bench): warnings and errors. --errors-only (`npm start`): a new user sees no
// build chatter or advice such as Vite's chunk-size warning, but every error still shows.
const quiet = process.argv.includes('--errors-only')
  ? 'error'
  : process.argv.includes('--quiet')
    ? 'warn'
    : 'info';

/**
 * Native, WebAssembly and ESM-only packages stay external (loaded from node_modules at run
 * time: native addons cannot be bundled, pdf.js is ESM-only and imported dynamically).
 */
const runtimePackages = [
  'better-sqlite3-multiple-ciphers',
  'libsodium-wrappers-sumo',
  'pkcs11js',
  /^pdfjs-dist/,
];

/** A Node-side bundle: CJS, Node builtins and `electron` external, `external` as given. */
function nodeBuild({ entries, outDir, external, target = 'node20' }) {
  return build({
    configFile: false,
    root: root.pathname,
    logLevel: quiet,
    define,
    build: {
      ssr: true,
      outDir,
      emptyOutDir: true,
      target,
      minify: false,
      sourcemap: false,
      rolldownOptions: {
        input: entries,
        // The core library and shared/ do nothing when imported (no module-level singletons,
        // see the house rules), so a capability's index.ts pulls in only what its importer
        // uses: the vault worker's bundle gets sync's worker-side store, not the sync engine.
        treeshake: {
          moduleSideEffects: [{ test: /\/(electron\/core|shared)\//, external: false, sideEffects: false }],
        },
        external: [...nodeBuiltins, 'electron', ...runtimePackages, ...external],
        output: { format: 'cjs', entryFileNames: '[name].cjs', chunkFileNames: 'chunks/[name]-[hash].cjs' },
      },
    },
    ssr: { noExternal: true, target: 'node' },
  });
}

await build({ configFile: new URL('vite.config.ts', root).pathname, logLevel: quiet });
const vaultWorker = { 'vault-worker': 'electron/core/vault/vault-worker.ts' };
await nodeBuild({
  entries: { main: 'electron/main/main.ts', ...vaultWorker },
  outDir: 'dist/main',
  external: [],
  // ES2021 (class static blocks and fields lowered): electronegativity's scope analyser cannot
  // read ES2022 class static blocks and would skip the file, so the scan would not cover what
  // ships. Electron runs either.
  target: 'es2021',
});
await nodeBuild({
  entries: { preload: 'electron/preload/preload.ts' },
  outDir: 'dist/preload',
  external: [],
  target: 'es2021',
});
await nodeBuild({
  entries: {
    embassy: 'electron/cli/embassy-main.ts',
    preview: 'electron/dev/preview-main.ts',
    ...vaultWorker,
  },
  outDir: 'dist/node',
  // ws (the preview bridge, the relay's push and the relay client): resolved from node_modules.
  external: ['ws'],
});
await nodeBuild({
  entries: { 'token-host': 'electron/core/token/token-host-main.ts' },
  outDir: 'dist/token',
  // A native addon: loaded from node_modules at run time, never bundled.
  external: ['pkcs11js'],
});
await nodeBuild({
  entries: { 'pdf-sandbox': 'electron/core/pdf-sandbox/host/sandbox-host-main.ts' },
  outDir: 'dist/pdf-sandbox',
  // pdf-lib is bundled here (and only here); pdf.js stays external (ESM-only, imported dynamically).
  external: [],
});
