import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { createCore } from '../electron/core';
import { must } from '../tests/integration/vault-harness';
import { lagDuring, type Bench } from './figures';

/**
 * Event-loop lag of the core's thread while the audit log takes `EMBASSY_BENCH_AUDIT_EVENTS`
 * events (default 10,000): `AuditLog.record` from the core's thread, appended in the vault
 * worker (BLAKE2b chain, a signed checkpoint every 256 when enrolled; here not enrolled, so the
 * hash chain and the inserts are what is measured). Two shapes: events spread as they come
 * (100 at a time, each burst in its own turn of the loop) and one burst of all of them.
 * `monitorEventLoopDelay` (1 ms resolution); figures beyond the 1 ms timer, p50 / p99 / max.
 * Baseline: the same monitor over 1 s with the vault open and idle. Goal: p99 < 20 ms.
 */
const EVENTS = Number(process.env.EMBASSY_BENCH_AUDIT_EVENTS ?? '10000');

const bench: Bench = async () => {
  const dir = mkdtempSync(join(tmpdir(), 'embassy-bench-audit-'));
  const core = createCore({
    profileDir: dir,
    version: 'bench',
    sync: { background: false, push: false },
    policy: { pinnedRootPath: null },
  });
  try {
    await must(core, 'vault.create', {
      profile: 'passphrase',
      passphrase: 'bench passphrase for the audit log',
    });
    // Warm-up (JIT, the worker's statements), not measured: 1,000 events both ways.
    for (let i = 0; i < 1000; i++) core.audit.record('vault.unlocked');
    await new Promise((r) => setImmediate(r));
    await core.audit.flush();
    for (let i = 0; i < 1000; i += 100) {
      for (let j = 0; j < 100; j++) core.audit.record('vault.unlocked');
      await new Promise((r) => setImmediate(r));
    }
    await core.audit.flush();
    const idle = await lagDuring(() => sleep(1000));
    const spread = await lagDuring(async () => {
      for (let i = 0; i < EVENTS; i += 100) {
        for (let j = 0; j < 100; j++) core.audit.record('sign.done', { documentId: `doc-${i + j}` });
        await new Promise((r) => setImmediate(r));
      }
      await core.audit.flush();
    });
    const burst = await lagDuring(async () => {
      for (let i = 0; i < EVENTS; i++) core.audit.record('verify.done', { verdict: 'valid', count: 1 });
      await new Promise((r) => setImmediate(r));
      await core.audit.flush();
    });
    const { total } = await must(core, 'audit.list', { limit: 1 });
    if (total !== 2 * EVENTS + 2001) throw new Error(`expected ${2 * EVENTS + 2001} entries, found ${total}`);
    const figures = [];
    for (const [name, r] of [
      ['idle', idle],
      [`${EVENTS} events, 100 per turn`, spread],
      [`${EVENTS} events, one burst`, burst],
    ] as const) {
      figures.push(
        { name: `${name}: loop delay p50`, value: r.p50, unit: 'ms' },
        {
          name: `${name}: loop delay p99`,
          value: r.p99,
          unit: 'ms',
          ...(name === 'idle' ? {} : { note: 'goal < 20 ms' }),
        },
        { name: `${name}: loop delay max`, value: r.max, unit: 'ms' },
        { name: `${name}: duration`, value: r.seconds, unit: 's' },
      );
    }
    return figures;
  } finally {
    await core.close();
    rmSync(dir, { recursive: true, force: true });
  }
};
export default bench;
