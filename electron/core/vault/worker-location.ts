import { existsSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { Worker, type WorkerOptions } from 'node:worker_threads';

/** Where the vault worker's code is: a bundle, or the TypeScript source (tests, tsx). */
export type WorkerScript =
  { readonly kind: 'bundle'; readonly path: string } | { readonly kind: 'typescript'; readonly path: string };

/** The worker bundle's file name, beside the bundle that starts it (see build/scripts/build.mjs). */
export const WORKER_BUNDLE_NAME = 'vault-worker.cjs';

/**
 * Finds the worker for the code that is running. From TypeScript sources (vitest, tsx) it is
 * `vault-worker.ts` next to this file. From a bundle (dist/node/embassy.cjs, dist/main/main.cjs —
 * or a chunk of one in `chunks/`) it is `vault-worker.cjs` in the bundle's folder or its
 * parent: build.mjs emits one beside each bundle that embeds the vault.
 */
export function defaultWorkerScript(here: string = currentFile()): WorkerScript {
  if (here.endsWith('.ts')) return { kind: 'typescript', path: join(dirname(here), 'vault-worker.ts') };
  const dir = dirname(here);
  for (const candidate of [join(dir, WORKER_BUNDLE_NAME), join(dir, '..', WORKER_BUNDLE_NAME)]) {
    if (existsSync(candidate)) return { kind: 'bundle', path: candidate };
  }
  throw new Error(`${WORKER_BUNDLE_NAME} not found beside ${dir}`);
}

/**
 * Starts the worker. Node ignores `--import` in a worker's execArgv, so TypeScript sources are
 * loaded through a two-line bootstrap that registers tsx's loader inside the worker first.
 */
export function startWorker(script: WorkerScript, options: WorkerOptions = {}): Worker {
  if (script.kind === 'bundle') return new Worker(script.path, options);
  const target = JSON.stringify(pathToFileURL(script.path).href);
  const bootstrap =
    `import('tsx/esm/api').then((m) => { m.register(); return import(${target}); })` +
    `.catch((e) => { process.stderr.write(String(e && e.stack || e) + '\\n'); process.exit(70); });`;
  return new Worker(bootstrap, { ...options, eval: true });
}

function currentFile(): string {
  // In the CJS bundles the bundler rewrites import.meta.url to the file URL of this chunk.
  return fileURLToPath(import.meta.url);
}
