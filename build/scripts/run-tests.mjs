// `npm test` after setup: every check and test suite, then one summary line
//   N passed, M failed, K skipped
// Stages: build, typecheck, lint, electronegativity (one test each), Vitest (unit and
// integration, each test counted; then the relay suites again on PostgreSQL), Playwright in
// Debian Chromium (each test counted; the Electron smoke test counts as skipped where there is
// no binary).
import { spawnSync } from 'node:child_process';
import {
  chmodSync,
  existsSync,
  mkdirSync,
  mkdtempSync,
  readdirSync,
  readFileSync,
  rmSync,
  writeFileSync,
} from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

const root = new URL('../../', import.meta.url).pathname;
process.chdir(root);
const out = join(root, 'test-results');
rmSync(out, { recursive: true, force: true });
mkdirSync(out, { recursive: true });

// Every test and the processes it starts (relay, CLI, SoftHSM, Chromium) write their scratch
// files under one folder of this run, removed at the end: test CA keys, relay stores and vaults
// of killed processes do not pile up in /tmp from run to run.
const scratch = mkdtempSync(join(tmpdir(), 'embassy-tests-'));
// Traversable, not listable, by others: the PostgreSQL test cluster runs as the `postgres` user
// in a folder of its own (0700, its owner) inside this one.
chmodSync(scratch, 0o711);
process.env.TMPDIR = scratch;

const bin = (name) => join(root, 'node_modules', '.bin', name);
const rows = [];

function run(cmd, args, env = {}) {
  const started = Date.now();
  const r = spawnSync(cmd, args, { stdio: 'inherit', env: { ...process.env, ...env } });
  return { ok: r.status === 0, seconds: (Date.now() - started) / 1000 };
}

function check(name, cmd, args) {
  console.log(`\n=== ${name}`);
  const r = run(cmd, args);
  rows.push({ name, passed: r.ok ? 1 : 0, failed: r.ok ? 0 : 1, skipped: 0, seconds: r.seconds });
}

function readJson(path) {
  try {
    return JSON.parse(readFileSync(path, 'utf8'));
  } catch {
    return null;
  }
}

check('build', process.execPath, ['build/scripts/build.mjs', '--quiet']);
check('typecheck', process.execPath, ['build/scripts/typecheck.mjs']);
check('lint', 'bash', [
  '-c',
  `"${bin('eslint')}" --max-warnings 0 . && "${bin('prettier')}" --check . --log-level warn`,
]);
check('electronegativity', process.execPath, ['build/scripts/electronegativity.mjs']);

function vitestStage(name, title, files = [], env = {}) {
  console.log(`\n=== ${title}`);
  const report = join(out, `${name}.json`);
  const r = run(
    bin('vitest'),
    ['run', '--reporter=default', '--reporter=json', `--outputFile.json=${report}`, ...files],
    env,
  );
  const j = readJson(report);
  rows.push(
    j
      ? {
          name,
          passed: j.numPassedTests,
          failed: j.numFailedTests + (r.ok || j.numFailedTests ? 0 : 1),
          skipped: j.numPendingTests + j.numTodoTests,
          seconds: r.seconds,
        }
      : { name, passed: 0, failed: 1, skipped: 0, seconds: r.seconds },
  );
}

vitestStage('vitest', 'vitest (unit + integration)');
// The relay suites that exercise storage (enrolment, directory, mailbox, upload, push,
// malformed input) once more with the relay on PostgreSQL; the store contract and the
// multi-instance tests run on it in the stage above already.
vitestStage(
  'vitest-pg',
  'vitest (relay suites on PostgreSQL)',
  [
    'hq-client',
    'hq-device-wiped',
    'hq-directory',
    'hq-enrolment',
    'hq-malformed',
    'hq-relay',
    'hq-whole-items',
  ].map((f) => `tests/integration/${f}.test.ts`),
  { EMBASSY_RELAY_DB: 'postgres' },
);

{
  console.log('\n=== playwright (Debian Chromium against the preview)');
  const report = join(out, 'playwright.json');
  const r = run(bin('playwright'), ['test', '--reporter=list,json'], { PLAYWRIGHT_JSON_OUTPUT_NAME: report });
  const s = readJson(report)?.stats;
  rows.push(
    s
      ? {
          name: 'playwright',
          passed: s.expected + s.flaky,
          failed: s.unexpected + (r.ok || s.unexpected ? 0 : 1),
          skipped: s.skipped,
          seconds: r.seconds,
        }
      : { name: 'playwright', passed: 0, failed: 1, skipped: 0, seconds: r.seconds },
  );
}

const leftover = readdirSync(scratch).length;
rmSync(scratch, { recursive: true, force: true });
console.log(`\n(${leftover} scratch entries under ${scratch} removed)`);

const total = rows.reduce(
  (t, r) => ({ passed: t.passed + r.passed, failed: t.failed + r.failed, skipped: t.skipped + r.skipped }),
  { passed: 0, failed: 0, skipped: 0 },
);
console.log('\nstage               passed  failed  skipped  seconds');
for (const r of rows) {
  console.log(
    `${r.name.padEnd(18)} ${String(r.passed).padStart(7)} ${String(r.failed).padStart(7)} ${String(r.skipped).padStart(8)} ${r.seconds.toFixed(1).padStart(8)}`,
  );
}
const summary = `${total.passed} passed, ${total.failed} failed, ${total.skipped} skipped`;
writeFileSync(join(out, 'summary.txt'), `${summary}\n`);
console.log(summary);
process.exit(total.failed === 0 && existsSync(join(out, 'summary.txt')) ? 0 : 1);
