import { randomBytes } from 'node:crypto';
import { mkdtempSync, readFileSync } from 'node:fs';
import { writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import Database from 'better-sqlite3-multiple-ciphers';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { runCli } from '../../electron/cli/embassy';
import { createCore, type Core } from '../../electron/core';
import type { ItKeyFile } from '../../electron/core/it-signing';
import type { SoftHsmToken } from '../fixtures/softhsm';
import { makeItKeys, policyPayload, rootPayload, signWith, writeRoot } from '../fixtures/it-keys';
import { canaryHits, makeOfficers, startSyncRelay, type TestRelayServer } from './sync-harness';
import { call, must } from './vault-harness';

/**
 * The audit log end to end: two officers' real cores (SoftHSM tokens) sync through a real
 * relay; IT's signed policy names HQ's audit key; every round seals the new entries to it.
 * HQ's `embassy hq audit verify` then finds each device's chain whole and signed, finds a
 * batch removed from the relay's database, and the relay's data holds none of the canaries
 * (document titles, message text, the PIN) that went through the officers' hands.
 */

const run = randomBytes(4).toString('hex');
const CANARY = {
  title: `CANARY-TITLE-${run}-Công hàm`,
  text: `CANARY-TEXT-${run}-hợp đồng bảo mật`,
  docTitle: `CANARY-DOC-${run}-Điện mật`,
};

let tokens: SoftHsmToken[];
let hq: TestRelayServer;
let keys: ItKeyFile[];
let dir: string;
let mission: Core;
let desk: Core;
let auditKeyFile: string;
const out: string[] = [];
const io = {
  stdout: (s: string) => void out.push(s),
  stderr: () => undefined,
  readStdin: async () => Buffer.alloc(0),
};

function core(token: SoftHsmToken, itRoot: string, name: string): Core {
  return createCore({
    profileDir: join(dir, name),
    version: 'test',
    signing: { tokenHost: { env: token.env, pollMs: 500 }, trust: { anchorFiles: [token.ca.rootPath] } },
    sync: { background: false, push: false },
    policy: { pinnedRootPath: itRoot },
  });
}

async function start(c: Core, token: SoftHsmToken): Promise<void> {
  await must(c, 'vault.create', {
    profile: 'token',
    modulePath: token.modulePath,
    tokenLabel: token.label,
    pin: token.pin,
  });
  await must(c, 'sync.enroll', {
    hqUrl: hq.relay.url,
    fingerprint: hq.relay.fingerprint,
    token: { label: token.label },
    pin: token.pin,
    department: 'Consular',
  });
}

async function verify(
  ...extra: string[]
): Promise<{ code: number; json: { ok: boolean; devices: Report[] } }> {
  out.length = 0;
  const code = await runCli(
    ['hq', 'audit', 'verify', '--data', hq.dataDir, '--key', auditKeyFile, '--json', ...extra],
    io,
  );
  return { code, json: JSON.parse(out.join('')) as { ok: boolean; devices: Report[] } };
}
interface Report {
  deviceId: string;
  ok: boolean;
  entries: number;
  lastCheckpoint: { count: number } | null;
  problems: { kind: string; seq?: number; to?: number }[];
}

beforeAll(async () => {
  dir = mkdtempSync(join(tmpdir(), 'embassy-audit-relay-'));
  let caRoot: string;
  ({ tokens, rootPath: caRoot } = await makeOfficers([
    { name: 'Nguyen Van An', email: 'an.nguyen@mission.example', label: 'aud-an' },
    { name: 'Tran Thi Binh', email: 'binh.tran@hq.example', label: 'aud-binh' },
  ]));
  hq = await startSyncRelay(caRoot);
  keys = await makeItKeys(2);
  const itRoot = await writeRoot(dir, await signWith(rootPayload(keys, 2), keys));
  const [t0, t1] = tokens as [SoftHsmToken, SoftHsmToken];
  mission = core(t0, itRoot, 'mission');
  desk = core(t1, itRoot, 'desk');
  await start(mission, t0);
  await start(desk, t1);
  auditKeyFile = join(dir, 'hq-audit.key');
  expect(await runCli(['hq', 'audit', 'keygen', auditKeyFile], io)).toBe(0);
  const auditKey = readFileSync(`${auditKeyFile}.pub`, 'utf8').trim();
  const policyFile = join(dir, 'policy.json');
  await writeFile(policyFile, JSON.stringify(await signWith(policyPayload(1, { auditKey }), keys)));
  expect(await runCli(['hq', 'policy', 'publish', policyFile, '--data', hq.dataDir], io)).toBe(0);
}, 240_000);

afterAll(async () => {
  await mission?.close();
  await desk?.close();
  await hq?.relay.close();
  for (const t of tokens ?? []) await t.cleanup();
});

describe('audit log through the relay to HQ', () => {
  it('records security events, sends them sealed, and HQ verifies every chain', async () => {
    const [t0] = tokens as [SoftHsmToken];
    // Round 1 applies the policy (and with it HQ's audit key) for both.
    await must(mission, 'sync.now', {});
    await must(desk, 'sync.now', {});
    // Again, so each holds the other's published prekeys.
    await must(mission, 'sync.now', {});
    const doc = await must(mission, 'documents.add', {
      subject: CANARY.docTitle,
      direction: 'outgoing',
      classification: 'confidential',
      body: CANARY.text,
    });
    await must(mission, 'sync.send', {
      kind: 'message',
      to: ['binh.tran@hq.example'],
      title: CANARY.title,
      text: CANARY.text,
    });
    await must(mission, 'sync.send', { kind: 'document', to: ['binh.tran@hq.example'], documentId: doc.id });
    await must(mission, 'sync.now', {});
    await must(desk, 'sync.now', {});
    // A wrong PIN, then the right one: the failure waits in memory and lands at the unlock.
    await must(mission, 'vault.lock', {});
    const wrong = await call(mission, 'vault.unlock', { pin: '999999' });
    expect(wrong.ok).toBe(false);
    await must(mission, 'vault.unlock', { pin: t0.pin });
    // The desk officer locks too (a signed checkpoint) and unlocks.
    await must(desk, 'vault.lock', {});
    await must(desk, 'vault.unlock', { pin: (tokens[1] as SoftHsmToken).pin });
    await must(mission, 'sync.now', {});
    await must(desk, 'sync.now', {});

    const mine = await must(mission, 'audit.list', { limit: 100 });
    const kinds = mine.entries.map((e) => e.kind);
    for (const k of [
      'vault.created',
      'sync.enrolled',
      'policy.applied',
      'sync.queued',
      'sync.sent',
      'vault.locked',
      'vault.unlock-failed',
      'vault.unlocked',
    ])
      expect(kinds).toContain(k);
    const failed = mine.entries.find((e) => e.kind === 'vault.unlock-failed');
    expect(failed?.refs.code).toMatch(/^E_/);
    const theirs = await must(desk, 'audit.list', { limit: 100 });
    expect(theirs.entries.map((e) => e.kind)).toContain('sync.received');

    const { code, json } = await verify();
    expect(code).toBe(0);
    expect(json.ok).toBe(true);
    expect(json.devices).toHaveLength(2);
    for (const d of json.devices) {
      expect(d.entries).toBeGreaterThan(5);
      expect(d.lastCheckpoint?.count).toBeGreaterThan(0);
    }
  }, 240_000);

  it("the relay's data holds no canary: titles, text and the PIN are never in the audit mailbox", () => {
    const db = new Database(join(hq.dataDir, 'relay.sqlite'), { readonly: true });
    const batches = db.prepare('SELECT count(*) FROM audit_batches').pluck().get() as number;
    db.close();
    expect(batches).toBeGreaterThan(0);
    const pins = (tokens as SoftHsmToken[]).map((t) => `PIN=${t.pin}`);
    expect(canaryHits(hq.dataDir, [...Object.values(CANARY), ...pins, 'vault.unlock-failed'])).toEqual([]);
  });

  it("a batch deleted from HQ's copy is reported, and the command says which device", async () => {
    const db = new Database(join(hq.dataDir, 'relay.sqlite'));
    const victim = db
      .prepare('SELECT device, min(id) AS id FROM audit_batches WHERE count > 0 GROUP BY device LIMIT 1')
      .get() as {
      device: string;
      id: number;
    };
    db.prepare('DELETE FROM audit_batches WHERE id = ?').run(victim.id);
    db.close();
    const { code, json } = await verify();
    expect(code).toBe(1);
    const bad = json.devices.find((d) => d.deviceId === victim.device);
    expect(bad?.ok).toBe(false);
    expect(bad?.problems.map((p) => p.kind)).toContain('gap');
    // One device named: only its report.
    const one = await verify(victim.device);
    expect(one.json.devices.map((d) => d.deviceId)).toEqual([victim.device]);
    // A wrong key opens nothing: every batch is unreadable, and the command says so.
    const other = join(dir, 'other.key');
    expect(await runCli(['hq', 'audit', 'keygen', other], io)).toBe(0);
    out.length = 0;
    expect(
      await runCli(
        ['hq', 'audit', 'verify', '--data', hq.dataDir, '--key', other, '--json', victim.device],
        io,
      ),
    ).toBe(1);
    expect(JSON.parse(out.join('')).devices[0].problems[0].kind).toBe('unreadable');
  }, 60_000);
});
