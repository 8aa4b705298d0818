// Runs @doyensec/electronegativity over the built Electron main and preload bundles (and the
// renderer's index.html, where a CSP meta tag would be looked for).
//
// Two traps, both handled here:
// - It only reads files ending in .js/.jsx/.ts/.tsx/.html and silently skips our .cjs
//   bundles, so they are copied, byte for byte, under .js names into a scratch folder.
// - A file it cannot parse is skipped with a log line (its CLI drops even that line when it
//   writes a report), and its checks then find nothing in it. So its engine is run as a
//   library, and any parse error fails the scan.
// `electronVersionOverride` names our Electron so it does not look it up online.
//
// Exit 0 only with zero findings and zero parse errors. An accepted finding must be listed
// below with its reason on the same line.
import { copyFileSync, existsSync, mkdirSync, readFileSync, rmSync } from 'node:fs';
import { createRequire } from 'node:module';
import { join } from 'node:path';

const root = new URL('../../', import.meta.url).pathname;
const require = createRequire(import.meta.url);
const electronVersion = JSON.parse(
  readFileSync(join(root, 'node_modules/electron/package.json'), 'utf8'),
).version;

/**
 * Accepted findings, each with its reason on the line. Narrow by construction: a CSP finding
 * is suppressed only if Google's CSP evaluator (the one electronegativity uses), run again on
 * the sampled policy, has no complaint other than the accepted ones listed here.
 */
const ACCEPTED_CSP_COMPLAINTS = [
  // script-src 'self' is flagged "problematic if you host JSONP, Angular or user uploaded files": app://embassy serves only our own built bundle (no JSONP, no Angular, no uploads), and nothing else can be loaded.
  { directive: 'script-src', value: "'self'" },
];
const csp = require('@doyensec/csp-evaluator');

/** Returns the reason a finding is accepted, or null. */
function suppression(finding) {
  if (finding.issue !== 'CSP_GLOBAL_CHECK' || typeof finding.sample !== 'string') return null;
  const complaints = new csp.CspEvaluator(new csp.CspParser(finding.sample).csp, csp.Version.CSP3)
    .evaluate()
    .filter((c) => c.severity <= csp.severities.MEDIUM_MAYBE);
  const unaccepted = complaints.filter(
    (c) => !ACCEPTED_CSP_COMPLAINTS.some((a) => a.directive === c.directive && a.value === c.value),
  );
  return unaccepted.length === 0
    ? `only ${complaints.map((c) => `${c.directive} ${c.value}`).join(', ')}: our own bundle on app://embassy, no JSONP/Angular/uploads`
    : null;
}

const scratch = join(root, 'dist', '.electronegativity');
rmSync(scratch, { recursive: true, force: true });
mkdirSync(scratch, { recursive: true });
const inputs = [
  ['main/main.cjs', 'main.js'],
  ['preload/preload.cjs', 'preload.js'],
  ['renderer/index.html', 'index.html'],
];
for (const [from, to] of inputs) {
  const src = join(root, 'dist', from);
  if (!existsSync(src)) {
    console.error(`electronegativity: ${from} is missing; run npm run build first`);
    process.exit(2);
  }
  copyFileSync(src, join(scratch, to));
}
// For a self-test of the parse-error guard: EMBASSY_EN_EXTRA=<file> adds one more input.
if (process.env.EMBASSY_EN_EXTRA) copyFileSync(process.env.EMBASSY_EN_EXTRA, join(scratch, 'extra.js'));

await require('@doyensec/electronegativity/dist/locales/i18n.js')();
const run = require('@doyensec/electronegativity/dist/runner.js');
const log = console.log;
console.log = () => undefined; // its "fetching Electron releases" chatter (offline here)
let result;
try {
  result = await run(
    {
      input: scratch,
      isRelative: true,
      isVerbose: false,
      electronVersionOverride: electronVersion,
      parserPlugins: [],
    },
    false,
  );
} finally {
  console.log = log;
}

const unparsed = result.errors.filter((e) => !e.tolerable);
for (const e of unparsed) console.error(`  cannot parse ${e.file}: ${e.message}`);
const findings = result.issues.map((i) => ({
  issue: i.id,
  severity: i.severity?.name ?? String(i.severity),
  file: i.file,
  location: `${i.location?.line ?? 0}:${i.location?.column ?? 0}`,
  sample: i.sample,
  description: i.description,
}));
const open = [];
for (const f of findings) {
  const reason = suppression(f);
  if (!reason) open.push(f);
  console.log(
    `  ${f.issue} ${f.severity} ${f.file}:${f.location} ${f.description} — ${reason ? `suppressed: ${reason}` : 'FINDING'}`,
  );
}
console.log(
  `electronegativity ${electronVersion}: scanned ${inputs.map(([, to]) => to).join(', ')} with ` +
    `${result.atomicChecks} atomic and ${result.globalChecks} global checks; ${unparsed.length} parse error(s), ` +
    `${open.length} finding(s), ${findings.length - open.length} suppressed`,
);
process.exit(open.length === 0 && unparsed.length === 0 ? 0 : 1);
