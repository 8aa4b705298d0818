import { describe, expect, it } from 'vitest';
import { z } from 'zod';
import { exchangeJson, relayRefusal, type RawReply, type RelayHttp } from './http-exchange';

const reply = (status: number, body: string, type = 'application/json'): RawReply => ({
  status,
  headers: { 'content-type': type },
  body: Buffer.from(body, 'utf8'),
});
const answering = (r: RawReply): RelayHttp => ({
  base: new URL('https://relay.test'),
  exchange: async () => r,
  open: async () => {
    throw new Error('not used');
  },
});
const Ok = z.object({ ok: z.boolean() }).strict();

describe('relay refusals', () => {
  it("carries the relay's code and message, and says whether trying again can help", () => {
    const busy = relayRefusal(
      reply(409, JSON.stringify({ error: { code: 'E_UPLOAD_BUSY', message: 'busy' } })),
    );
    expect(busy).toMatchObject({ code: 'E_UPLOAD_BUSY', message: 'busy', status: 409, retryable: true });
    const revoked = relayRefusal(
      reply(403, JSON.stringify({ error: { code: 'E_DEVICE_REVOKED', message: 'r' } })),
    );
    expect(revoked).toMatchObject({ code: 'E_DEVICE_REVOKED', retryable: false });
    for (const status of [408, 429, 500, 503]) {
      expect(
        relayRefusal(reply(status, JSON.stringify({ error: { code: 'E_X', message: '' } }))).retryable,
      ).toBe(true);
    }
  });

  it('reads the two statuses an empty HEAD answer can carry, and E_PROTOCOL for anything else', () => {
    expect(relayRefusal(reply(401, '')).code).toBe('E_UNAUTHENTICATED');
    expect(relayRefusal(reply(404, '')).code).toBe('E_NOT_FOUND');
    expect(relayRefusal(reply(400, '<html>')).code).toBe('E_PROTOCOL');
    // A code outside the relay's form is not taken over.
    expect(relayRefusal(reply(400, JSON.stringify({ error: { code: 'rm -rf', message: 'x' } }))).code).toBe(
      'E_PROTOCOL',
    );
  });

  it("reads a code outside the relay's closed list as E_PROTOCOL, keeping the status and the code in the message", () => {
    // A relay from the future, or one that would pass its answer off as the client's own
    // finding (a pinning failure, a cut link): neither code is taken over.
    for (const code of ['E_FROM_THE_FUTURE', 'E_PINNING', 'E_NETWORK', 'E_SYNC_REVOKED']) {
      const refusal = relayRefusal(reply(503, JSON.stringify({ error: { code, message: 'why' } })));
      expect(refusal).toMatchObject({ code: 'E_PROTOCOL', status: 503, retryable: true });
      expect(refusal.message).toBe(`the relay answered an unknown code ${code}: why`);
    }
    const unknown = relayRefusal(
      reply(409, JSON.stringify({ error: { code: 'E_FROM_THE_FUTURE', message: '' } })),
    );
    expect(unknown).toMatchObject({ code: 'E_PROTOCOL', status: 409, retryable: false });
  });
});

describe('JSON exchanges', () => {
  it('returns a body that matches the schema', async () => {
    await expect(
      exchangeJson(answering(reply(200, '{"ok":true}')), { method: 'GET', path: '/' }, Ok),
    ).resolves.toEqual({
      ok: true,
    });
  });

  it('refuses another content type, invalid UTF-8, bad JSON and extra fields (E_PROTOCOL)', async () => {
    const x = { method: 'GET', path: '/' };
    for (const r of [
      reply(200, '{"ok":true}', 'text/plain'),
      { ...reply(200, ''), body: Buffer.from([0x7b, 0xff, 0x7d]) },
      reply(200, '{"ok":'),
      reply(200, '{"ok":true,"more":1}'),
    ]) {
      await expect(exchangeJson(answering(r), x, Ok)).rejects.toMatchObject({ code: 'E_PROTOCOL' });
    }
  });

  it('treats a status outside the expected ones as a refusal', async () => {
    const r = reply(201, '{"ok":true}');
    await expect(exchangeJson(answering(r), { method: 'POST', path: '/' }, Ok)).rejects.toMatchObject({
      code: 'E_PROTOCOL',
      status: 201,
    });
    await expect(exchangeJson(answering(r), { method: 'POST', path: '/' }, Ok, [200, 201])).resolves.toEqual({
      ok: true,
    });
  });
});
