// `npm start`: build, then run the Electron app. Where Electron cannot run (no binary and no
// network to fetch it, or no display), say so in one line and start the browser preview.
import { spawn, spawnSync } from 'node:child_process';
import { join } from 'node:path';
import { electronBinary, hasDisplay } from './electron-binary.mjs';

const root = new URL('../../', import.meta.url).pathname;
process.chdir(root);

const built = spawnSync(process.execPath, ['build/scripts/build.mjs', '--quiet'], { stdio: 'inherit' });
if (built.status !== 0) process.exit(built.status ?? 1);

let binary = electronBinary(root);
if (!binary && !process.env.CI) {
  // Setup skips Electron's download (CI machines cannot fetch it); try once here, briefly.
  spawnSync(process.execPath, [join(root, 'node_modules/electron/install.js')], {
    stdio: 'ignore',
    timeout: 120_000,
  });
  binary = electronBinary(root);
}

const run = (cmd, args) => {
  const child = spawn(cmd, args, { stdio: 'inherit' });
  for (const signal of ['SIGINT', 'SIGTERM']) process.on(signal, () => child.kill(signal));
  child.on('exit', (code) => process.exit(code ?? 0));
};

if (binary && hasDisplay()) {
  run(binary, [join(root, 'dist/main/main.cjs')]);
} else {
  const why = binary
    ? 'no display to open a window on'
    : 'no Electron binary on this machine (and it cannot be downloaded here)';
  console.log(`npm start: ${why} — starting the browser preview instead (same as npm run preview):`);
  run(process.execPath, [join(root, 'dist/node/preview.cjs')]);
}
