import { X509Certificate } from 'node:crypto';
import { execFile } from 'node:child_process';
import { mkdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { promisify } from 'node:util';
import { join } from 'node:path';
import sodium from 'libsodium-wrappers-sumo';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { RelayErrorBody } from '../../shared/sync/relay-protocol';
import { startRelay } from '../../hq/server/relay-server';
import { certificationFor, createTestPki, type TestOfficer, type TestPki } from '../fixtures/officer-pki';
import {
  call,
  deviceWithRequest,
  embassy,
  enrolBody,
  login,
  newDevice,
  startTestRelay,
  testPki,
  type TestRelay,
} from './hq-harness';

/**
 * Token-certified enrolment over real TLS: the relay checks the certificate chain (openssl CA,
 * root → intermediate → officer), validity, and the token signature over the device keys
 * (a software key stands in for the token), then records the officer; a chain ending at a
 * trusted CA is approved at once.
 */
const run = promisify(execFile);
let t: TestRelay;
let trusting: TestRelay;
let pki: TestPki;
let other: TestPki;
let officer: TestOfficer;

beforeAll(async () => {
  await sodium.ready;
  ({ pki, officer } = await testPki());
  other = await createTestPki('other');
  t = await startTestRelay();
  trusting = await startTestRelay({}, { trustCaFiles: [pki.ca.rootPath] });
});
afterAll(async () => {
  for (const r of [t, trusting]) {
    r.agent.destroy();
    await r.relay.close();
    rmSync(r.dataDir, { recursive: true, force: true });
  }
  other.cleanup();
});

const code = (r: { json<T>(): T }) => r.json<RelayErrorBody>().error.code;

interface Listed {
  id: string;
  status: string;
  address: string | null;
  name: string | null;
  department: string | null;
  createdAt: string;
  approvedByCa: string | null;
  certificateFingerprint: string | null;
}
async function listed(r: TestRelay, id: string): Promise<Listed | undefined> {
  const out = await embassy(['hq', 'devices', ...r.admin, '--json']);
  expect(out.code).toBe(0);
  return (JSON.parse(out.stdout) as Listed[]).find((d) => d.id === id);
}

/** Enrols a device with the certification `request` makes from its keys; returns the reply. */
async function enrolWith(r: TestRelay, request: (sign: Uint8Array, box: Uint8Array) => Uint8Array) {
  const sign = sodium.crypto_sign_keypair();
  const box = sodium.crypto_box_keypair();
  const device = deviceWithRequest(request(sign.publicKey, box.publicKey), { sign, box });
  return { device, reply: await call(r, { path: '/v1/enroll', body: enrolBody(device) }) };
}

describe('token-certified enrolment', () => {
  it('records a valid certification as pending, with the officer and address from the certificate', async () => {
    const d = newDevice(officer);
    const e = await call(t, { path: '/v1/enroll', body: enrolBody(d) });
    expect([e.status, e.json()]).toEqual([201, { deviceId: d.id, status: 'pending' }]);
    const row = await listed(t, d.id);
    expect(row).toMatchObject({
      status: 'pending',
      name: officer.name,
      department: officer.department,
      address: officer.certificate.subjectAltName?.replace('email:', ''),
      approvedByCa: null,
      certificateFingerprint: officer.certificate.fingerprint256.replace(/:/g, '').toLowerCase(),
    });
    expect(row?.createdAt).toMatch(/^\d{4}-\d\d-\d\dT/);
    expect(t.logs.some((l) => l.startsWith('audit'))).toBe(false);
  });

  it('accepts RSA PKCS#1 and RSA-PSS token signatures and the root in the chain; a CN gives the address', async () => {
    const rsa = await pki.issue({ keyType: 'rsa', email: null, cn: 'Tran  Thi Binh', includeRoot: true });
    for (const algorithm of ['rsa-pkcs1-sha256', 'rsa-pss-sha256'] as const) {
      const { device, reply } = await enrolWith(t, (s, b) => certificationFor({ ...rsa, algorithm }, s, b));
      expect([reply.status, reply.json()]).toEqual([201, { deviceId: device.id, status: 'pending' }]);
      expect((await listed(t, device.id))?.address).toBe('tran.thi.binh');
    }
  });

  it('approves at once when the chain ends at a trusted CA, and says so in the audit log', async () => {
    const d = newDevice(officer);
    const e = await call(trusting, { path: '/v1/enroll', body: enrolBody(d) });
    expect([e.status, e.json()]).toEqual([201, { deviceId: d.id, status: 'approved' }]);
    const rootFp = (await listed(trusting, d.id))?.approvedByCa;
    expect(rootFp).toBe(new X509Certificate(pki.ca.rootPem).fingerprint256.replace(/:/g, '').toLowerCase());
    expect(trusting.logs).toContain(`audit: device ${d.id} auto-approved by CA ${rootFp}`);
    expect(trusting.logs).toContain(`trusted CA ${rootFp}`);
    // It can log in without an administrator.
    expect(await login(trusting, d)).toMatch(/^[A-Za-z0-9_-]{43}$/);
    // An officer of another CA still waits for approval at the same relay.
    const stranger = await other.issue();
    const s = await call(trusting, { path: '/v1/enroll', body: enrolBody(newDevice(stranger)) });
    expect([s.status, s.json<{ status: string }>().status]).toEqual([201, 'pending']);
  });

  it('refuses a broken chain, an expired certificate, a wrong token signature, an unknown algorithm', async () => {
    const stranger = await other.issue();
    const expired = await pki.issue({ expired: true });
    // A token's encryption certificate: its key may not make signatures.
    const encryptionOnly = await pki.issue({ keyUsage: 'keyEncipherment' });
    const cases: [string, (s: Uint8Array, b: Uint8Array) => Uint8Array, number, string][] = [
      [
        // The officer's certificate followed by an intermediate that did not issue it.
        'broken chain',
        (s, b) => certificationFor({ ...stranger, certificates: [stranger.certificates[0] as Buffer, officer.certificates[1] as Buffer] }, s, b),
        422,
        'E_CERTIFICATE_INVALID',
      ],
      ['expired certificate', (s, b) => certificationFor(expired, s, b), 422, 'E_CERTIFICATE_INVALID'],
      ['key usage without signatures', (s, b) => certificationFor(encryptionOnly, s, b), 422, 'E_CERTIFICATE_INVALID'],
      [
        'the officer certificate as its own issuer',
        (s, b) => certificationFor({ ...officer, certificates: [officer.certificates[0] as Buffer, officer.certificates[0] as Buffer] }, s, b),
        422,
        'E_CERTIFICATE_INVALID',
      ],
      [
        // Signed by another officer's key over these very device keys.
        'wrong token signature',
        (s, b) => certificationFor({ ...officer, key: stranger.key }, s, b),
        401,
        'E_BAD_SIGNATURE',
      ],
      [
        // A valid signature, but over other device keys.
        'signature over other keys',
        (s, b) => certificationFor(officer, b, s),
        401,
        'E_BAD_SIGNATURE',
      ],
      [
        'algorithm that does not fit the key',
        (s, b) => certificationFor(officer, s, b, { algorithm: 'rsa-pss-sha256' }),
        401,
        'E_BAD_SIGNATURE',
      ],
      ['unknown algorithm', (s, b) => certificationFor(officer, s, b, { algorithm: 'ed25519' }), 400, 'E_INVALID_INPUT'],
      ['extra field', (s, b) => certificationFor(officer, s, b, { note: 'x' } as object), 400, 'E_INVALID_INPUT'],
      ['version 2', (s, b) => certificationFor(officer, s, b, { version: 2 }), 400, 'E_INVALID_INPUT'],
      ['no certificate', (s, b) => certificationFor(officer, s, b, { certificates: [] }), 400, 'E_INVALID_INPUT'],
      [
        'six certificates',
        (s, b) => certificationFor(officer, s, b, { certificates: Array(6).fill(officer.certificates[1]?.toString('base64')) }),
        400,
        'E_INVALID_INPUT',
      ],
      [
        'a certificate that does not parse',
        (s, b) => certificationFor(officer, s, b, { certificates: [Buffer.from('not a certificate').toString('base64')] }),
        400,
        'E_INVALID_INPUT',
      ],
      [
        'trailing bytes after the DER',
        (s, b) => certificationFor(officer, s, b, { certificates: [Buffer.concat([officer.certificates[0] as Buffer, Buffer.alloc(3)]).toString('base64')] }),
        400,
        'E_INVALID_INPUT',
      ],
      [
        'control characters in the name',
        (s, b) => certificationFor({ ...officer, name: 'A\u001b[31mB' }, s, b),
        400,
        'E_INVALID_INPUT',
      ],
      ['not JSON', () => Buffer.from('\u00ff\u00fe not json'), 400, 'E_INVALID_INPUT'],
    ]; // prettier-ignore
    for (const [name, make, status, expected] of cases) {
      const { reply } = await enrolWith(t, make);
      expect([name, reply.status, code(reply)]).toEqual([name, status, expected]);
    }
    // Nothing was recorded.
    const all = JSON.parse((await embassy(['hq', 'devices', ...t.admin, '--json'])).stdout) as Listed[];
    expect(all.every((d) => d.name === officer.name || d.address === 'tran.thi.binh')).toBe(true);
  });

  it('refuses an oversized enrolment request without recording it', async () => {
    // Over the request's 48 KiB (schema: about 49 KiB of JSON) but within the 80 KiB body limit.
    const big = (s: Uint8Array, b: Uint8Array) =>
      certificationFor(officer, s, b, { certificates: [Buffer.alloc(36 * 1024, 1).toString('base64')] });
    const { reply } = await enrolWith(t, big);
    expect([reply.status, code(reply)]).toEqual([400, 'E_INVALID_INPUT']);
    // Over the body limit: refused from Content-Length, unread.
    const huge = { ...enrolBody(newDevice(officer)), request: 'A'.repeat(100 * 1024) };
    const r = await call(t, { path: '/v1/enroll', body: huge });
    expect([r.status, code(r)]).toEqual([413, 'E_PAYLOAD_TOO_LARGE']);
  });

  it('refuses an officer whose certificate a CRL of its issuer revokes, read at each enrolment, and fails closed on a bad CRL file', async () => {
    const revoked = await pki.issue({ cn: 'Revoked Officer' });
    const kept = await pki.issue({ cn: 'Kept Officer' });
    const r = await startTestRelay({}, { trustCaFiles: [pki.ca.rootPath] });
    try {
      // Before any CRL: approved (the chain ends at the trusted CA).
      const before = await call(r, { path: '/v1/enroll', body: enrolBody(newDevice(revoked)) });
      expect([before.status, before.json<{ status: string }>().status]).toEqual([201, 'approved']);

      // A CRL from another CA listing the same serial proves nothing (its signature is not the
      // issuer's): still accepted.
      const crlDir = join(r.dataDir, 'crl');
      mkdirSync(crlDir);
      writeFileSync(join(crlDir, 'other.pem'), await other.crl([revoked]));
      const foreign = await call(r, { path: '/v1/enroll', body: enrolBody(newDevice(revoked)) });
      expect(foreign.status).toBe(201);

      // The issuer's CRL (DER here) dropped in while the relay runs: refused from now on, and
      // nothing recorded; an officer it does not list still enrols.
      const pem = await pki.crl([revoked]);
      const der = Buffer.from(pem.replace(/-----[A-Z0-9 ]+-----|\s/g, ''), 'base64');
      writeFileSync(join(crlDir, 'ministry.crl'), der);
      const d = newDevice(revoked);
      const refused = await call(r, { path: '/v1/enroll', body: enrolBody(d) });
      expect([refused.status, code(refused)]).toEqual([422, 'E_CERTIFICATE_INVALID']);
      expect(refused.json<RelayErrorBody>().error.message).toMatch(/revoked/);
      expect(await listed(r, d.id)).toBeUndefined();
      const ok = await call(r, { path: '/v1/enroll', body: enrolBody(newDevice(kept)) });
      expect([ok.status, ok.json<{ status: string }>().status]).toEqual([201, 'approved']);

      // A file there that is not a CRL: enrolment fails closed, and such a folder stops a start.
      writeFileSync(join(crlDir, 'broken.crl'), 'not a CRL');
      const closed = await call(r, { path: '/v1/enroll', body: enrolBody(newDevice(kept)) });
      expect([closed.status, code(closed)]).toEqual([500, 'E_INTERNAL']);
      expect(r.logs.some((l) => /CRL folder cannot be read: .*broken\.crl: not a CRL/.test(l))).toBe(true);
    } finally {
      r.agent.destroy();
      await r.relay.close();
    }
    await expect(
      startRelay({ dataDir: r.dataDir, host: '127.0.0.1', port: 0, log: () => {} }),
    ).rejects.toThrow(/broken\.crl: not a CRL/);
    rmSync(r.dataDir, { recursive: true, force: true });
  });

  it('hq serve refuses a trusted CA whose key usage does not allow signing certificates', async () => {
    // CA:TRUE in basicConstraints, but keyUsage digitalSignature only (openssl). OpenSSL's CA
    // check, behind X509Certificate.ca, counts keyCertSign: the relay relies on it here and for
    // every issuer in an enrolment chain.
    const key = join(pki.dir, 'no-certsign.key');
    const cert = join(pki.dir, 'no-certsign.pem');
    await run('openssl', ['genpkey', '-algorithm', 'EC', '-pkeyopt', 'ec_paramgen_curve:P-256', '-out', key]);
    await run('openssl', [
      'req', '-x509', '-new', '-key', key, '-subj', '/CN=No CertSign CA', '-days', '30',
      '-addext', 'basicConstraints=critical,CA:TRUE', '-addext', 'keyUsage=critical,digitalSignature', '-out', cert,
    ]); // prettier-ignore
    expect(new X509Certificate(readFileSync(cert)).ca).toBe(false);
    await expect(startTestRelay({}, { trustCaFiles: [cert] })).rejects.toThrow(/must be a CA/);
    // The same CA with keyCertSign is accepted: the refusal is the key usage's.
    const good = join(pki.dir, 'certsign.pem');
    await run('openssl', [
      'req', '-x509', '-new', '-key', key, '-subj', '/CN=CertSign CA', '-days', '30',
      '-addext', 'basicConstraints=critical,CA:TRUE', '-addext', 'keyUsage=critical,keyCertSign,cRLSign', '-out', good,
    ]); // prettier-ignore
    const r = await startTestRelay({}, { trustCaFiles: [good] });
    r.agent.destroy();
    await r.relay.close();
    rmSync(r.dataDir, { recursive: true, force: true });
  });

  it('hq serve refuses a --trust-ca file that is missing or not a CA certificate', async () => {
    const missing = await embassy(['hq', 'serve', ...t.admin, '--listen', '127.0.0.1:0', '--trust-ca', '/nonexistent.pem']); // prettier-ignore
    expect(missing.code).toBe(2);
    const leaf = join(pki.dir, 'leaf-as-ca.pem');
    writeFileSync(leaf, officer.certificate.toString());
    await expect(startTestRelay({}, { trustCaFiles: [leaf] })).rejects.toThrow(/must be a CA/);
  });
});
