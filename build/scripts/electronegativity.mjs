// Runs @doyensec/electronegativity over the built Electron main and preload bundles (and the
// renderer's index.html, where a CSP meta tag would be looked for).
//
// electronegativity only reads files ending in .js/.jsx/.ts/.tsx/.html: it silently skips
// our .cjs bundles. So the bundles are copied, byte for byte, under .js names into a scratch
// folder first. `-e` names the Electron version so it does not try to look it up online.
//
// Exit 0 only with zero findings. Any accepted finding must be listed in SUPPRESSED below
// with its reason on the same line.
import { spawnSync } from 'node:child_process';
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
  if (finding.issue !== 'CSP_GLOBAL_CHECK' || !finding.sample || finding.sample === 'N/A') return null;
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

const report = join(scratch, 'report.csv');
const bin = require.resolve('@doyensec/electronegativity/dist/index.js');
const run = spawnSync(process.execPath, [bin, '-i', scratch, '-r', '-e', electronVersion, '-o', report], {
  encoding: 'utf8',
  timeout: 120_000,
});
if (run.status !== 0 || !existsSync(report)) {
  console.error(run.stdout, run.stderr);
  console.error('electronegativity: the tool did not produce a report');
  process.exit(2);
}

/** RFC 4180 CSV: quoted fields may hold commas, quotes ("") and newlines. */
function parseCsv(text) {
  const rows = [];
  let row = [];
  let field = '';
  let quoted = false;
  const endField = () => {
    row.push(field.trim());
    field = '';
  };
  for (let i = 0; i < text.length; i++) {
    const ch = text[i];
    if (quoted) {
      if (ch === '"' && text[i + 1] === '"') {
        field += '"';
        i++;
      } else if (ch === '"') {
        quoted = false;
      } else {
        field += ch;
      }
    } else if (ch === '"') {
      quoted = true;
    } else if (ch === ',') {
      endField();
    } else if (ch === '\n') {
      endField();
      rows.push(row);
      row = [];
    } else {
      field += ch;
    }
  }
  if (field || row.length) {
    endField();
    rows.push(row);
  }
  return rows;
}

// Columns: issue, severity, confidence, filename, location, sample, description, url
const findings = parseCsv(readFileSync(report, 'utf8'))
  .slice(1)
  .filter((r) => r.length >= 7)
  .map(([issue, severity, confidence, file, location, sample, description]) => ({
    issue,
    severity,
    confidence,
    file,
    location,
    sample,
    description,
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
  `electronegativity ${electronVersion}: scanned ${inputs.map(([, to]) => to).join(', ')}; ` +
    `${open.length} finding(s), ${findings.length - open.length} suppressed`,
);
process.exit(open.length === 0 ? 0 : 1);
