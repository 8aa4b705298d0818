// Type-checks each environment with its own tsconfig (see docs/architecture.md, "Layers and their boundaries"):
// a Node type in shared/ or a DOM type in electron/core/ fails here as well as in lint.
import { spawnSync } from 'node:child_process';

const projects = [
  'shared/tsconfig.json',
  'electron/core/tsconfig.json',
  'electron/cli/tsconfig.json',
  'electron/dev/tsconfig.json',
  'electron/main/tsconfig.json',
  'electron/preload/tsconfig.json',
  'renderer/tsconfig.json',
  'hq/tsconfig.json',
  'tsconfig.json',
];
let failed = 0;
for (const project of projects) {
  const r = spawnSync(process.execPath, ['node_modules/typescript/bin/tsc', '-p', project, '--noEmit'], {
    stdio: 'inherit',
  });
  console.log(`typecheck ${project}: ${r.status === 0 ? 'ok' : 'FAILED'}`);
  if (r.status !== 0) failed++;
}
process.exit(failed ? 1 : 0);
