// ESLint flat config. Everything is an error (warnings fail too: --max-warnings 0).
// The import-boundary rules make the architecture mechanical, the way VS Code keeps
// `common/` free of `node/` and `browser/`: see docs/architecture.md, "Layers and their boundaries".
import { readdirSync } from 'node:fs';
import { builtinModules } from 'node:module';
import js from '@eslint/js';
import reactHooks from 'eslint-plugin-react-hooks';
import globals from 'globals';
import tseslint from 'typescript-eslint';

const nodeBuiltins = [...new Set(builtinModules.map((m) => m.replace(/^node:/, '')))];

/**
 * Node's own modules: bare names matched exactly (`paths`, so a folder called `domain/` is
 * not mistaken for the `domain` module), and anything under `node:` (`patterns`).
 */
const noNodePaths = (why) => nodeBuiltins.map((name) => ({ name, message: why }));
const noNode = (why) => ({ group: ['node:*'], message: why });
const noElectron = (why) => ({ group: ['electron', 'electron/*'], message: why });
const noNativeOrServer = (why) => ({
  group: ['ws', 'better-sqlite3*', 'pkcs11js', 'electron-updater', 'libsodium*'],
  message: why,
});
/**
 * Imports of the named layers' folders. shared/ stays importable from everywhere even where one
 * of its folders has a layer's name (`shared/cli/` is not the CLI).
 */
const noLayer = (layers, why) => ({
  group: [...layers.flatMap((l) => [`**/${l}`, `**/${l}/**`]), '!**/shared/**'],
  message: why,
});

/** Browser/DOM globals that must not appear in shared/ or electron/core/. */
const domGlobals = [
  'window',
  'document',
  'navigator',
  'localStorage',
  'sessionStorage',
  'location',
  'HTMLElement',
];

/**
 * The core's capability folders: every folder of electron/core/ (read from disk, so a new one
 * is covered the day it is made). Each is one idea with `index.ts` as its public face.
 */
const capabilities = readdirSync(new URL('./electron/core/', import.meta.url), { withFileTypes: true })
  .filter((entry) => entry.isDirectory())
  .map((entry) => entry.name);

/**
 * A file inside another capability folder (`../vault/vault-service`): import the folder
 * (`../vault`, its index.ts) instead. `own` is the importing file's folder, free inside itself.
 */
const throughIndex = (own) => ({
  group: [
    ...capabilities.filter((c) => c !== own).map((c) => `**/${c}/**`),
    '!**/shared/**',
    // The vault's own face of sync (see vaultSeesSyncStoreOnly).
    ...(own === 'vault' ? ['!**/sync/store'] : []),
  ],
  message:
    "A capability folder of electron/core/ is imported through its index.ts: import the folder (e.g. '../vault'), not a file in it.",
});

const corePatterns = [
  noElectron('electron/core/ is plain Node: it must run under the CLI and tests without Electron.'),
  noLayer(['main', 'preload', 'renderer'], 'electron/core/ may import only shared/, Node and libraries.'),
  noLayer(
    ['hq', 'cli', 'dev'],
    'electron/core/ is the library: the CLI, the preview and hq/ compose it, never the reverse.',
  ),
];

/**
 * sync/ has two faces: `sync/store` (its index.ts) for the vault worker, `sync` (index.ts) for
 * the core's thread. The vault takes the store's face only: the other carries the engine, the
 * relay client and ws, which must not reach the worker's bundle (see sync/index.ts).
 */
const vaultSeesSyncStoreOnly = {
  // `../sync`, `../sync/engine/…`, `../sync/store/…` but not `../sync/store` (nor shared/sync).
  regex: '^(\\.\\./)+sync(/(?!store$).*)?$',
  message: "The vault imports sync's worker face only ('../sync/store'), never the engine's ('../sync').",
};

/**
 * PDF parsers run only in the PDF sandbox's process (electron/core/pdf-sandbox/host/): a crafted
 * PDF must never be parsed where the keys or the database are (main, the vault worker, the CLI's
 * core): no `pdf-lib` (matched exactly, in `paths`), no `pdfjs-dist` or `pdf-lib/…` module, no
 * file of the sandbox's parsing folder. Dynamic `import()` is caught by no-restricted-syntax.
 * The same holds for the office formats' readers (mammoth, fflate's unzip, xmldom): an
 * attachment's .docx or .odt is as untrusted as its PDF.
 */
const PDF_PARSING_WHY =
  "PDFs are parsed only in the PDF sandbox process (electron/core/pdf-sandbox/host/): ask the core's PdfSandbox instead.";
const noPdfParserPath = { name: 'pdf-lib', message: PDF_PARSING_WHY };
const noPdfParsing = {
  group: [
    'pdfjs-dist',
    'pdfjs-dist/*',
    'pdf-lib/*',
    'mammoth',
    'mammoth/*',
    'fflate',
    '@xmldom/*',
    '**/pdf-sandbox/host',
    '**/pdf-sandbox/host/**',
  ],
  message: PDF_PARSING_WHY,
};
/** Inside pdf-sandbox/, the client side (everything but host/) never imports the parsers. */
const noSandboxHost = {
  group: ['./host', './host/*', '**/host/**'],
  message: `The sandbox's client must not load its parsers: ${PDF_PARSING_WHY}`,
};
export const boundaryRules = [
  {
    files: ['shared/**/*.ts'],
    ignores: ['**/*.test.ts'],
    rules: {
      'no-restricted-imports': [
        'error',
        {
          paths: noNodePaths('shared/ is pure TypeScript: no Node modules.'),
          patterns: [
            noNode('shared/ is pure TypeScript: no Node modules.'),
            noElectron('shared/ is pure TypeScript: no electron.'),
            noNativeOrServer('shared/ is pure TypeScript: no native or server modules.'),
            noLayer(
              ['electron', 'renderer', 'hq'],
              'shared/ may import only shared/ (and pure libraries such as zod).',
            ),
          ],
        },
      ],
      'no-restricted-globals': [
        'error',
        ...[...domGlobals, 'process', 'Buffer', '__dirname', 'require'].map((name) => ({
          name,
          message: 'shared/ runs everywhere: no DOM or Node globals.',
        })),
      ],
    },
  },
  // electron/core/: one block for its root files and one per capability folder, because each
  // folder may import its own files directly and only the others' index.ts.
  ...[null, ...capabilities].map((own) => ({
    files: [own === null ? 'electron/core/*.ts' : `electron/core/${own}/**/*.ts`],
    ignores: ['**/*.test.ts', 'electron/core/pdf-sandbox/host/**'],
    rules: {
      'no-restricted-imports': [
        'error',
        {
          paths: [noPdfParserPath],
          patterns: [
            ...corePatterns,
            throughIndex(own),
            noPdfParsing,
            ...(own === 'vault' ? [vaultSeesSyncStoreOnly] : []),
            ...(own === 'pdf-sandbox' ? [noSandboxHost] : []),
          ],
        },
      ],
      'no-restricted-globals': [
        'error',
        ...domGlobals.map((name) => ({ name, message: 'electron/core/ is plain Node: no DOM.' })),
      ],
    },
  })),
  // The sandbox's process: the one place PDF parsers may be imported.
  {
    files: ['electron/core/pdf-sandbox/host/**/*.ts'],
    ignores: ['**/*.test.ts'],
    rules: {
      'no-restricted-imports': ['error', { patterns: [...corePatterns, throughIndex('pdf-sandbox')] }],
      'no-restricted-globals': [
        'error',
        ...domGlobals.map((name) => ({ name, message: 'electron/core/ is plain Node: no DOM.' })),
      ],
    },
  },
  // pdf.js is ESM-only and loaded with import(), which no-restricted-imports does not see.
  {
    files: ['electron/**/*.ts'],
    ignores: ['**/*.test.ts', 'electron/core/pdf-sandbox/host/**'],
    rules: {
      'no-restricted-syntax': [
        'error',
        {
          selector: 'ImportExpression[source.value=/^(pdfjs-dist|pdf-lib|mammoth|fflate|@xmldom)/]',
          message: PDF_PARSING_WHY,
        },
      ],
    },
  },
  {
    files: ['electron/cli/**/*.ts'],
    ignores: ['**/*.test.ts'],
    rules: {
      'no-restricted-imports': [
        'error',
        {
          patterns: [
            noElectron('electron/cli/ is the `embassy` tool, plain Node: no electron.'),
            noLayer(
              ['main', 'preload', 'renderer', 'dev'],
              'electron/cli/ composes the core library and hq/cli only (with shared/, Node and libraries).',
            ),
            throughIndex(null),
            noPdfParsing,
          ],
          paths: [noPdfParserPath],
        },
      ],
      'no-restricted-globals': [
        'error',
        ...domGlobals.map((name) => ({ name, message: 'electron/cli/ is plain Node: no DOM.' })),
      ],
    },
  },
  {
    files: ['electron/dev/**/*.ts'],
    ignores: ['**/*.test.ts'],
    rules: {
      'no-restricted-imports': [
        'error',
        {
          patterns: [
            noElectron('electron/dev/ is the browser preview, plain Node: no electron.'),
            noLayer(
              ['main', 'preload', 'renderer', 'cli', 'hq'],
              'electron/dev/ composes the core library only (with shared/, Node and libraries).',
            ),
            throughIndex(null),
            noPdfParsing,
          ],
          paths: [noPdfParserPath],
        },
      ],
      'no-restricted-globals': [
        'error',
        ...domGlobals.map((name) => ({ name, message: 'electron/dev/ is plain Node: no DOM.' })),
      ],
    },
  },
  {
    files: ['hq/**/*.ts'],
    ignores: ['**/*.test.ts'],
    rules: {
      'no-restricted-imports': [
        'error',
        {
          patterns: [
            noElectron('hq/ is the relay, plain Node: no electron.'),
            noLayer(['electron', 'renderer'], 'hq/ may import only shared/, Node and libraries.'),
          ],
        },
      ],
      'no-restricted-globals': [
        'error',
        ...domGlobals.map((name) => ({ name, message: 'hq/ is plain Node: no DOM.' })),
      ],
    },
  },
  {
    files: ['electron/main/**/*.ts'],
    ignores: ['**/*.test.ts'],
    rules: {
      'no-restricted-imports': [
        'error',
        {
          patterns: [
            noLayer(['renderer', 'preload'], 'main may import shared/, electron/core/ and electron only.'),
            {
              group: ['**/dev', '**/dev/**', '**/bridge-server', 'ws'],
              message: 'The preview and its loopback bridge are dev/test only: never in the Electron app.',
            },
            noLayer(['cli', 'hq'], 'main may import shared/, electron/core/ and electron only.'),
            throughIndex(null),
            noPdfParsing,
          ],
          paths: [noPdfParserPath],
        },
      ],
    },
  },
  {
    files: ['electron/preload/**/*.ts'],
    ignores: ['**/*.test.ts'],
    rules: {
      'no-restricted-imports': [
        'error',
        {
          paths: noNodePaths('The sandboxed preload has no Node modules.'),
          patterns: [
            noNode('The sandboxed preload has no Node modules.'),
            noNativeOrServer('The sandboxed preload has no native modules.'),
            noLayer(['core', 'main', 'renderer'], 'preload may import shared/ and electron only.'),
          ],
        },
      ],
    },
  },
  {
    files: ['renderer/**/*.{ts,tsx}'],
    ignores: ['**/*.test.ts', '**/*.test.tsx'],
    rules: {
      'no-restricted-imports': [
        'error',
        {
          paths: noNodePaths(
            'renderer/ runs in a sandboxed page: no Node modules; ask the core through window.embassy.',
          ),
          patterns: [
            noNode(
              'renderer/ runs in a sandboxed page: no Node modules; ask the core through window.embassy.',
            ),
            noElectron('renderer/ talks to the core only through window.embassy.'),
            noNativeOrServer('renderer/ has no native or server modules.'),
            noLayer(['electron', 'hq'], 'renderer/ may import shared/ only (and browser libraries).'),
          ],
        },
      ],
      'no-restricted-globals': [
        'error',
        ...['process', 'Buffer', '__dirname', 'require', 'global'].map((name) => ({
          name,
          message: 'renderer/ has no Node globals.',
        })),
      ],
    },
  },
];

export default tseslint.config(
  { ignores: ['dist/**', 'node_modules/**', 'test-results/**', 'playwright-report/**', 'release/**'] },
  js.configs.recommended,
  ...tseslint.configs.strict,
  {
    languageOptions: { ecmaVersion: 2022, sourceType: 'module', globals: { ...globals.node } },
    rules: {
      '@typescript-eslint/no-explicit-any': 'error',
      '@typescript-eslint/consistent-type-imports': ['error', { fixStyle: 'inline-type-imports' }],
      '@typescript-eslint/no-unused-vars': ['error', { argsIgnorePattern: '^_' }],
      eqeqeq: ['error', 'always'],
      'no-console': 'error',
    },
  },
  {
    files: ['renderer/**/*.{ts,tsx}'],
    languageOptions: { globals: { ...globals.browser } },
    plugins: { 'react-hooks': reactHooks },
    rules: {
      'react-hooks/rules-of-hooks': 'error',
      'react-hooks/exhaustive-deps': 'error',
    },
  },
  {
    files: ['build/**/*.mjs', 'bench/**', 'tests/**', '**/*.test.{ts,tsx}', '*.config.{ts,js}'],
    rules: { 'no-console': 'off' },
  },
  ...boundaryRules,
);
