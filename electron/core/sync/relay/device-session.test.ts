import { describe, expect, it } from 'vitest';
import { fakeRelay, PIN, testDevice } from '../../../../tests/fixtures/fake-relay-http';
import { DeviceSession, SESSION_MARGIN_MS } from './device-session';
import { exchangeJson } from './http-exchange';
import { RelayClientError } from './relay-error';
import { z } from 'zod';

/** A call that needs the session: the fake relay answers 200 only to a live bearer token. */
const Probe = z.object({ ok: z.literal(true) }).strict();
const probe = (relay: ReturnType<typeof fakeRelay>, session: DeviceSession) =>
  session.authed((token) => exchangeJson(relay, { method: 'GET', path: '/v1/probe', token }, Probe));

function setup() {
  const device = testDevice();
  const relay = fakeRelay(device);
  let clock = 1_000_000;
  relay.now = () => clock;
  const session = new DeviceSession(relay, PIN, device, () => clock);
  return { device, relay, session, advance: (ms: number) => (clock += ms) };
}

describe('device session', () => {
  it('logs in by signed challenge (the relay verifies the signature over its nonce and the pin)', async () => {
    const { relay, session } = setup();
    await expect(probe(relay, session)).resolves.toEqual({ ok: true });
    expect(relay.logins).toBe(1);
    expect(relay.requests.map((r) => `${r.method} ${r.path}`)).toEqual([
      'POST /v1/auth/challenge',
      'POST /v1/auth/session',
      'GET /v1/probe',
    ]);
  });

  it('refuses to log in with a signature by another key', async () => {
    const { relay } = setup();
    const impostor = { ...testDevice(), deviceId: '11'.repeat(16) };
    const session = new DeviceSession(relay, PIN, impostor);
    await expect(probe(relay, session)).rejects.toMatchObject({ code: 'E_BAD_SIGNATURE' });
    expect(relay.logins).toBe(0);
  });

  it('reuses its session, and renews it within the margin before it expires', async () => {
    const { relay, session, advance } = setup();
    relay.sessionMs = SESSION_MARGIN_MS + 10_000;
    await probe(relay, session);
    advance(9_000);
    await probe(relay, session);
    expect(relay.logins).toBe(1);
    advance(2_000); // 29 s left: inside the margin
    await probe(relay, session);
    expect(relay.logins).toBe(2);
  });

  it('logs in again once when the relay forgot the session (401), and the call succeeds', async () => {
    const { relay, session } = setup();
    await probe(relay, session);
    relay.forgetSessions();
    await expect(probe(relay, session)).resolves.toEqual({ ok: true });
    expect(relay.logins).toBe(2);
    const probes = relay.requests.filter((r) => r.path === '/v1/probe');
    expect(probes).toHaveLength(3);
    expect(probes[1]?.token).toBe(probes[0]?.token);
    expect(probes[2]?.token).not.toBe(probes[1]?.token);
  });

  it('gives up after one re-login when the relay still answers 401', async () => {
    const { relay, session } = setup();
    relay.refuseAllTokens = true;
    const failure = await probe(relay, session).catch((e: unknown) => e);
    expect(failure).toBeInstanceOf(RelayClientError);
    expect(failure).toMatchObject({ code: 'E_UNAUTHENTICATED', status: 401 });
    expect(relay.logins).toBe(2);
    expect(relay.requests.filter((r) => r.path === '/v1/probe')).toHaveLength(2);
  });

  it('treats an empty 401 of a raw exchange (HEAD, PATCH) as a forgotten session too', async () => {
    const { relay, session } = setup();
    await probe(relay, session);
    relay.answerNext((x) => x.path === '/v1/raw', { status: 401, headers: {}, body: Buffer.alloc(0) });
    const tokens: string[] = [];
    const reply = await session.authedRaw(async (token) => {
      tokens.push(token);
      return relay.exchange({ method: 'HEAD', path: '/v1/raw', token });
    });
    expect(reply.status).toBe(404); // the second try reached the relay's routes with a live token
    expect(tokens).toHaveLength(2);
    expect(tokens[1]).not.toBe(tokens[0]);
    expect(relay.logins).toBe(2);
  });

  it('does not log in again for other refusals', async () => {
    const { relay, session } = setup();
    await expect(
      session.authed((token) => exchangeJson(relay, { method: 'GET', path: '/v1/nothing', token }, Probe)),
    ).rejects.toMatchObject({ code: 'E_NOT_FOUND' });
    expect(relay.logins).toBe(1);
  });

  it('shares one login between callers that need a token at once', async () => {
    const { relay, session } = setup();
    const tokens = await Promise.all([session.token(), session.token(), session.token()]);
    expect(new Set(tokens).size).toBe(1);
    expect(relay.logins).toBe(1);
  });

  it('forgets its session when told (the push channel saw it end)', async () => {
    const { relay, session } = setup();
    const first = await session.token();
    session.forget();
    expect(await session.token()).not.toBe(first);
    expect(relay.logins).toBe(2);
  });
});
