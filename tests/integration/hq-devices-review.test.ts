import { rmSync } from 'node:fs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createTestPki, type TestPki } from '../fixtures/officer-pki';
import { stopPgCluster } from '../fixtures/relay-backends';
import {
  call,
  embassy,
  enrolBody,
  newDevice,
  openRelayStore,
  startTestRelay,
  testPki,
  type TestRelay,
} from './hq-harness';

/**
 * Admin clarity (issue 12 item 6), on both stores: `embassy hq devices` shows a pending
 * device's certificate subject, issuer, chain status against the relay's trusted CAs and
 * whether its address is an approved officer with another certificate, in lines of at most
 * 80 columns and as JSON; approving a certificate that reaches no trusted CA is refused
 * without `--force`, and a forced approval is recorded in the relay's store and logged.
 */

let ministry: TestPki;
let rogue: TestPki;

beforeAll(async () => {
  ministry = (await testPki()).pki;
  rogue = await createTestPki('rogue');
});
afterAll(async () => {
  rogue?.cleanup();
  await stopPgCluster();
});

interface Listed {
  id: string;
  status: string;
  certificate: {
    subject: string | null;
    issuer: string | null;
    chain: 'trusted' | 'untrusted' | 'invalid';
    officer: { approvedDevices: number; sameCertificate: boolean } | null;
  };
}

for (const db of ['sqlite', 'postgres'] as const) {
  describe(`embassy hq devices and approve (${db})`, () => {
    let t: TestRelay;
    let trust: string[];
    beforeAll(async () => {
      t = await startTestRelay(undefined, {
        trustCaFiles: [ministry.ca.rootPath],
        ...(db === 'postgres' ? { db } : {}),
      });
      trust = ['--trust-ca', ministry.ca.rootPath];
    }, 120_000);
    afterAll(async () => {
      t.agent.destroy();
      await t.relay.close();
      rmSync(t.dataDir, { recursive: true, force: true });
    });

    it('shows what approving a look-alike certificate would mean, and needs --force to do it', async () => {
      const bob = await ministry.issue({ cn: 'Bob Officer', email: 'bob@hq.example', name: 'Bob Officer' });
      const real = newDevice(bob);
      const enrolled = await call(t, { path: '/v1/enroll', body: enrolBody(real) });
      expect(enrolled.json<{ status: string }>().status).toBe('approved');
      // A certificate naming Bob from a CA of the attacker's own: pending.
      const fake = newDevice(
        await rogue.issue({ cn: 'Bob Officer', email: 'bob@hq.example', name: 'Bob Officer' }),
      );
      const pending = await call(t, { path: '/v1/enroll', body: enrolBody(fake) });
      expect(pending.json<{ status: string }>().status).toBe('pending');

      const text = await embassy(['hq', 'devices', ...t.admin, ...trust]);
      expect(text.code).toBe(0);
      const lines = text.stdout.trimEnd().split('\n');
      expect(Math.max(...lines.map((l) => l.length))).toBeLessThanOrEqual(80);
      const block = lines.slice(lines.findIndex((l) => l.startsWith(fake.id)));
      expect(block[0]).toMatch(new RegExp(`^${fake.id}  pending`));
      expect(block[1]).toBe('  officer  bob@hq.example (Bob Officer)');
      expect(block[2]).toMatch(/^ {2}subject {2}.*CN=Bob Officer/);
      expect(block[3]).toMatch(/^ {2}issuer {3}.*rogue/i);
      expect(block[4]).toBe('  chain    NOT to a trusted CA: approving needs --force');
      expect(block[5]).toBe('  matches  an officer with 1 approved device(s), OTHER certificate');

      const json = await embassy(['hq', 'devices', ...t.admin, ...trust, '--json']);
      const listed = JSON.parse(json.stdout) as Listed[];
      expect(listed.find((d) => d.id === fake.id)?.certificate).toMatchObject({
        chain: 'untrusted',
        officer: { approvedDevices: 1, sameCertificate: false },
      });
      expect(listed.find((d) => d.id === real.id)?.certificate).toMatchObject({
        chain: 'trusted',
        officer: null,
      });

      const refused = await embassy(['hq', 'approve', ...t.admin, ...trust, fake.id]);
      expect(refused.code).toBe(1);
      expect(refused.stderr).toContain('E_CERTIFICATE_UNTRUSTED');
      const still = JSON.parse((await embassy(['hq', 'devices', ...t.admin, '--json'])).stdout) as Listed[];
      expect(still.find((d) => d.id === fake.id)?.status).toBe('pending');

      const forced = await embassy(['hq', 'approve', ...t.admin, ...trust, '--force', fake.id]);
      expect(forced.code).toBe(0);
      expect(forced.stderr).toContain(`approve-forced ${fake.id}: chain untrusted`);
      const store = await openRelayStore(t);
      try {
        expect(await store.adminLog.list(10)).toEqual([
          expect.objectContaining({ action: 'approve-forced', device: fake.id }),
        ]);
        expect((await store.getDevice(fake.id))?.status).toBe('approved');
      } finally {
        await store.close();
      }
    });

    it("judges the chain against the relay's trust: DATA/trusted-ca and the --trust-ca given", async () => {
      const carol = newDevice(await ministry.issue({ cn: 'Carol Officer', email: 'carol@hq.example' }));
      const e = await call(t, { path: '/v1/enroll', body: enrolBody(carol) });
      expect(e.json<{ status: string }>().status).toBe('approved');
      const listed = JSON.parse((await embassy(['hq', 'devices', ...t.admin, '--json'])).stdout) as Listed[];
      // Without --trust-ca the admin command knows only DATA/trusted-ca: the same chain is untrusted.
      expect(listed.find((d) => d.id === carol.id)?.certificate.chain).toBe('untrusted');
      const withTrust = JSON.parse(
        (await embassy(['hq', 'devices', ...t.admin, ...trust, '--json'])).stdout,
      ) as Listed[];
      expect(withTrust.find((d) => d.id === carol.id)?.certificate.chain).toBe('trusted');
    });
  });
}
