// `npm start`: build, then run the Electron app. Where Electron cannot run (no binary and no
// network to fetch it, or no display), say so in one line and start the browser preview.
// Options after `--` go to whichever runs: `npm start -- --trust ca.pem --port 0`.
// `npm start -- --help` prints the options the preview takes (the app takes none of its own).
import { spawn, spawnSync } from 'node:child_process';
import { join } from 'node:path';
import { electronBinary, hasDisplay } from './electron-binary.mjs';

const root = new URL('../../', import.meta.url).pathname;
process.chdir(root);
const options = process.argv.slice(2);
const say = (line) => console.log(`npm start: ${line}`);

say('building the app…');
const built = spawnSync(process.execPath, ['build/scripts/build.mjs', '--errors-only'], { stdio: 'inherit' });
if (built.status !== 0) process.exit(built.status ?? 1);

const preview = join(root, 'dist/node/preview.cjs');
const run = (cmd, args) => {
  const child = spawn(cmd, args, { stdio: 'inherit' });
  for (const signal of ['SIGINT', 'SIGTERM']) process.on(signal, () => child.kill(signal));
  child.on('exit', (code) => process.exit(code ?? 0));
};

if (options.includes('--help') || options.includes('-h')) {
  say('runs the app, or the browser preview where Electron cannot run;');
  say("options after '--' go to it (the app has none of its own yet):\n");
  run(process.execPath, [preview, '--help']);
} else {
  let binary = electronBinary(root);
  if (!binary && !process.env.CI) {
    // Setup skips Electron's download (CI machines cannot fetch it); try once here, briefly.
    say('trying to fetch the Electron binary…');
    spawnSync(process.execPath, [join(root, 'node_modules/electron/install.js')], {
      stdio: 'ignore',
      timeout: 120_000,
    });
    binary = electronBinary(root);
  }

  if (binary && hasDisplay()) {
    run(binary, [join(root, 'dist/main/main.cjs'), ...options]);
  } else {
    const why = binary
      ? 'no display to open a window on'
      : 'no Electron binary here (and no way to fetch one)';
    say(`${why};`);
    say('starting the browser preview instead (as npm run preview does):');
    run(process.execPath, [preview, ...options]);
  }
}
