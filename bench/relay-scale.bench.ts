import { spawn, type ChildProcess } from 'node:child_process';
import { cpSync, existsSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { createInterface } from 'node:readline';
import pg from 'pg';
import { startPgCluster } from '../tests/fixtures/postgres-cluster';
import { percentile, type Bench, type Figure } from './figures';

/**
 * The relay scaled out: ingest (envelopes per second) and upload latency with 1,000 simulated
 * devices in a process of their own (`relay-load-devices.ts`), against the relay in its own
 * process(es): SQLite (one instance), PostgreSQL with one instance, and PostgreSQL with two
 * instances (devices spread over both). Durability is not lowered anywhere: SQLite runs with
 * `synchronous = FULL`, PostgreSQL with its defaults (`fsync`, `synchronous_commit` on), so an
 * acknowledged upload survives kill -9. `EMBASSY_BENCH_SCALE_DEVICES` (default 1000) and
 * `EMBASSY_BENCH_SCALE_M` (envelopes per device, default 5) set the load.
 */
const DEVICES = process.env.EMBASSY_BENCH_SCALE_DEVICES ?? '1000';
const ENVELOPES = process.env.EMBASSY_BENCH_SCALE_M ?? '5';
const BYTES = '2048';

/**
 * `EMBASSY_BENCH_SCALE_ONLY`: a comma-separated subset of `sqlite-chunked`, `sqlite`, `pg1`,
 * `pg2` (default all). `EMBASSY_BENCH_SCALE_BASELINE`: the path of another build's
 * `embassy.cjs` (say, a copy of `dist/node` made before a change): each PostgreSQL row is then
 * also measured with that build, just before, so before and after come from one run.
 */
const ONLY = (process.env.EMBASSY_BENCH_SCALE_ONLY ?? 'sqlite-chunked,sqlite,pg1,pg2').split(',');
const BASELINE = process.env.EMBASSY_BENCH_SCALE_BASELINE;

const root = process.cwd();
const BUILT = join(root, 'dist', 'node', 'embassy.cjs');
const relayCommand = (args: string[], build?: string) =>
  build
    ? [build, ...args]
    : existsSync(BUILT)
      ? [BUILT, ...args]
      : ['--import', 'tsx', join(root, 'electron', 'cli', 'embassy-main.ts'), ...args];

function lines(child: ChildProcess): AsyncIterator<string> {
  return createInterface({ input: child.stdout as NodeJS.ReadableStream })[Symbol.asyncIterator]();
}

async function nextLine(it: AsyncIterator<string>, what: string): Promise<string> {
  const r = await it.next();
  if (r.done) throw new Error(`${what} ended without answering`);
  return r.value;
}

interface Run {
  readonly envelopesPerS: number;
  readonly envelopes: number;
  readonly p50: number;
  readonly p99: number;
  readonly failed: number;
  /** CPU seconds per relay process, for the bottleneck note. */
  readonly relayCpuS: number[];
  /** CPU seconds of the simulated devices' process. */
  readonly devicesCpuS: number;
  /** CPU seconds of the PostgreSQL server's processes (0 on SQLite). */
  readonly databaseCpuS: number;
  /** CPU seconds of everything else on the machine (other jobs, the system). */
  readonly otherCpuS: number;
  /** PostgreSQL: write transactions (transaction ids) and WAL bytes over the timed phase. */
  readonly writeTransactions?: number;
  readonly walBytes?: number;
  readonly elapsedS: number;
}

/** CPU seconds the whole machine spent busy (all cores), from /proc/stat. */
async function machineBusySeconds(): Promise<number> {
  try {
    const { readFile } = await import('node:fs/promises');
    const cpu =
      (await readFile('/proc/stat', 'utf8')).split('\n')[0]?.trim().split(/\s+/).slice(1).map(Number) ?? [];
    const idle = (cpu[3] ?? 0) + (cpu[4] ?? 0); // idle + iowait
    return (cpu.reduce((a, b) => a + b, 0) - idle) / 100;
  } catch {
    return 0;
  }
}

async function cpuSeconds(pid: number | undefined): Promise<number> {
  if (pid === undefined) return 0;
  try {
    const { readFile } = await import('node:fs/promises');
    const stat = (await readFile(`/proc/${pid}/stat`, 'utf8')).split(') ')[1]?.split(' ') ?? [];
    return (Number(stat[11]) + Number(stat[12])) / 100; // utime + stime, in clock ticks
  } catch {
    return 0;
  }
}

/** CPU seconds of the PostgreSQL server: the postmaster (first line of postmaster.pid) and its children. */
async function databaseCpuSeconds(pgDataDir: string | undefined): Promise<number> {
  if (pgDataDir === undefined) return 0;
  try {
    const { readFile, readdir } = await import('node:fs/promises');
    const postmaster = (await readFile(join(pgDataDir, 'postmaster.pid'), 'utf8')).split('\n')[0]?.trim();
    let total = 0;
    for (const entry of await readdir('/proc')) {
      if (!/^\d+$/.test(entry)) continue;
      const stat = (await readFile(`/proc/${entry}/stat`, 'utf8').catch(() => '')).split(') ')[1]?.split(' ');
      if (!stat) continue;
      // Field 4 of stat is the parent's pid (index 1 after the command name).
      if (entry === postmaster || stat[1] === postmaster)
        total += (Number(stat[11]) + Number(stat[12])) / 100;
    }
    return total;
  } catch {
    return 0;
  }
}

/** The database's next transaction id and WAL position (write transactions and WAL between two samples). */
async function walPosition(db: string): Promise<{ xid: number; lsn: string }> {
  const c = new pg.Client({ connectionString: db });
  await c.connect();
  try {
    const { rows } = await c.query<{ xid: string; lsn: string }>(
      'SELECT pg_current_xact_id()::text AS xid, pg_current_wal_lsn()::text AS lsn',
    );
    return { xid: Number(rows[0]?.xid), lsn: rows[0]?.lsn ?? '0/0' };
  } finally {
    await c.end();
  }
}

async function walBytesBetween(db: string, from: string, to: string): Promise<number> {
  const c = new pg.Client({ connectionString: db });
  await c.connect();
  try {
    const { rows } = await c.query<{ d: string }>('SELECT pg_wal_lsn_diff($2, $1)::text AS d', [from, to]);
    return Number(rows[0]?.d);
  } finally {
    await c.end();
  }
}

/** One configuration: `instances` relays on `db` (or SQLite when undefined). */
async function measure(
  db: string | undefined,
  instances: number,
  upload: 'whole' | 'chunked',
  build?: string,
  pgDataDir?: string,
): Promise<Run> {
  const load = spawn(process.execPath, ['--import', 'tsx', join(root, 'bench', 'relay-load-devices.ts')], {
    env: {
      ...process.env,
      LOAD_DEVICES: DEVICES,
      LOAD_ENVELOPES: ENVELOPES,
      LOAD_BYTES: BYTES,
      LOAD_UPLOAD: upload,
    },
    stdio: ['pipe', 'pipe', 'inherit'],
  });
  const loadOut = lines(load);
  const relays: ChildProcess[] = [];
  const dirs: string[] = [];
  try {
    const { ca } = JSON.parse(await nextLine(loadOut, 'the load generator')) as { ca: string };
    const first = mkdtempSync(join(tmpdir(), 'embassy-bench-scale-'));
    dirs.push(first);
    // Every simulated device shares one loopback address: the per-address budgets and the
    // per-address connection cap (sized for one real address) are raised so that the bench
    // measures the relay, not its abuse guards.
    const limitsFile = join(mkdtempSync(join(tmpdir(), 'embassy-bench-limits-')), 'limits.json');
    dirs.push(dirname(limitsFile));
    writeFileSync(
      limitsFile,
      JSON.stringify({
        enrolPerAddress: { burst: 1_000_000, perMinute: 1_000_000 },
        challengePerAddress: { burst: 1_000_000, perMinute: 1_000_000 },
        maxPendingEnrolments: 1_000_000,
        maxConnectionsPerAddress: 1_000_000,
      }),
    );
    const started: { url: string; fingerprint: string; certificatePem?: string }[] = [];
    for (let i = 0; i < instances; i++) {
      const dir = i === 0 ? first : mkdtempSync(join(tmpdir(), 'embassy-bench-scale-'));
      if (i > 0) {
        cpSync(first, dir, { recursive: true });
        dirs.push(dir);
      }
      const args = [
        'hq',
        'serve',
        '--data',
        dir,
        '--listen',
        '127.0.0.1:0',
        '--json',
        '--quiet',
        '--trust-ca',
        ca,
        '--limits',
        limitsFile,
      ];
      const relay = spawn(process.execPath, relayCommand(db ? [...args, '--db', db] : args, build), {
        stdio: ['ignore', 'pipe', 'inherit'],
      });
      relays.push(relay);
      started.push(
        JSON.parse(await nextLine(lines(relay), 'hq serve')) as { url: string; fingerprint: string },
      );
    }
    const { readFileSync } = await import('node:fs');
    const certificatePem = readFileSync(join(first, 'tls', 'cert.pem'), 'utf8');
    load.stdin?.write(
      `${JSON.stringify({ urls: started.map((s) => s.url), fingerprint: started[0]?.fingerprint, certificatePem })}\n`,
    );
    await nextLine(loadOut, 'the load generator'); // enrolled and logged in: the timed phase begins
    const cpu0 = await Promise.all(relays.map((r) => cpuSeconds(r.pid)));
    const devices0 = await cpuSeconds(load.pid);
    const machine0 = await machineBusySeconds();
    const database0 = await databaseCpuSeconds(db ? pgDataDir : undefined);
    const wal0 = db ? await walPosition(db) : undefined;
    const result = JSON.parse(await nextLine(loadOut, 'the load generator')) as {
      elapsedMs: number;
      latencies: number[];
      failed: number;
    };
    const cpu1 = await Promise.all(relays.map((r) => cpuSeconds(r.pid)));
    const devicesCpuS = (await cpuSeconds(load.pid)) - devices0;
    const machineCpuS = (await machineBusySeconds()) - machine0;
    const databaseCpuS = (await databaseCpuSeconds(db ? pgDataDir : undefined)) - database0;
    // Each sample is itself one write transaction (it takes a transaction id).
    const wal1 = db ? await walPosition(db) : undefined;
    const wal =
      db && wal0 && wal1
        ? {
            writeTransactions: wal1.xid - wal0.xid - 1,
            walBytes: await walBytesBetween(db, wal0.lsn, wal1.lsn),
          }
        : {};
    const relayCpuS = cpu1.map((c, i) => c - (cpu0[i] ?? 0));
    return {
      envelopesPerS: result.latencies.length / (result.elapsedMs / 1000),
      envelopes: result.latencies.length,
      p50: percentile(result.latencies, 50),
      p99: percentile(result.latencies, 99),
      failed: result.failed,
      relayCpuS,
      devicesCpuS,
      databaseCpuS,
      otherCpuS: Math.max(0, machineCpuS - devicesCpuS - databaseCpuS - relayCpuS.reduce((a, b) => a + b, 0)),
      elapsedS: result.elapsedMs / 1000,
      ...wal,
    };
  } finally {
    load.kill('SIGKILL');
    for (const r of relays) r.kill('SIGTERM');
    await new Promise((r) => setTimeout(r, 300));
    for (const d of dirs) rmSync(d, { recursive: true, force: true });
  }
}

const bench: Bench = async () => {
  const figures: Figure[] = [];
  const cluster = await startPgCluster();
  try {
    // The baseline: SQLite with every envelope sent as POST + PATCH (the path of large items,
    // and of every item before small ones went whole).
    type Config = [string, string | undefined, number, 'whole' | 'chunked', string | undefined];
    const configs: Config[] = [];
    if (ONLY.includes('sqlite-chunked'))
      configs.push(['SQLite, POST + PATCH', undefined, 1, 'chunked', undefined]);
    if (ONLY.includes('sqlite')) configs.push(['SQLite', undefined, 1, 'whole', undefined]);
    for (const [key, instances] of [
      ['pg1', 1],
      ['pg2', 2],
    ] as const) {
      if (!ONLY.includes(key)) continue;
      // A fresh database for each row: no row starts with another's items.
      if (BASELINE)
        configs.push([
          `PostgreSQL ×${instances} (baseline build)`,
          await cluster.createDatabase(`bench_${key}_base`),
          instances,
          'whole',
          BASELINE,
        ]);
      configs.push([
        `PostgreSQL ×${instances}`,
        await cluster.createDatabase(`bench_${key}`),
        instances,
        'whole',
        undefined,
      ]);
    }
    for (const [name, db, instances, upload, build] of configs) {
      process.stderr.write(
        `relay-scale: ${name}, ${DEVICES} devices × ${ENVELOPES} envelopes of ${BYTES} B…\n`,
      );
      const r = await measure(db, instances, upload, build, cluster.dataDir);
      const note = `${DEVICES} devices in their own process, ${ENVELOPES} × ${BYTES} B each; CPU over ${r.elapsedS.toFixed(1)} s × 2 cores: relay ${r.relayCpuS.map((c) => `${c.toFixed(1)} s`).join(' + ')}, devices ${r.devicesCpuS.toFixed(1)} s, database ${r.databaseCpuS.toFixed(1)} s, rest ${r.otherCpuS.toFixed(1)} s${r.writeTransactions === undefined ? '' : `; ${(r.writeTransactions / r.envelopes).toFixed(3)} write transactions and ${((r.walBytes ?? 0) / r.envelopes).toFixed(0)} B of WAL per envelope`}${r.failed ? `; ${r.failed} failed` : ''}`;
      figures.push(
        { name: `${name}: ingest`, value: r.envelopesPerS, unit: 'envelopes/s', note },
        { name: `${name}: upload p50`, value: r.p50, unit: 'ms' },
        { name: `${name}: upload p99`, value: r.p99, unit: 'ms' },
      );
    }
  } finally {
    await cluster.stop();
  }
  return figures;
};

export default bench;
