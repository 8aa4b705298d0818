import { describe, expect, it, vi } from 'vitest';
import { CoreError, ErrorCode } from '../../../shared/contract/errors';
import { CONTACT_CALL_NAMES } from '../../../shared/contract/contact-call-names';
import { POLICY_CALL_NAMES } from '../../../shared/contract/policy-call-names';
import { SYNC_CALL_NAMES } from '../../../shared/contract/sync-call-names';
import { UPDATE_CALL_NAMES } from '../../../shared/contract/update-call-names';
import { EXPORT_CALL_NAMES } from '../../../shared/contract/export-call-names';
import { VAULT_CALL_NAMES } from '../../../shared/contract/vault-call-names';
import { createDispatcher, type HandlerTable } from './dispatcher';

function table(overrides: Partial<HandlerTable> = {}): HandlerTable {
  // The vault's, sync and policy calls are not what these tests are about: each one fails if ever run.
  const vaultCalls = Object.fromEntries(
    [
      ...VAULT_CALL_NAMES,
      ...SYNC_CALL_NAMES,
      ...POLICY_CALL_NAMES,
      ...UPDATE_CALL_NAMES,
      ...CONTACT_CALL_NAMES,
      ...EXPORT_CALL_NAMES,
    ].map((name) => [
      name,
      vi.fn(async () => {
        throw new Error('not used');
      }),
    ]),
  ) as unknown as Pick<
    HandlerTable,
    | (typeof VAULT_CALL_NAMES)[number]
    | (typeof SYNC_CALL_NAMES)[number]
    | (typeof POLICY_CALL_NAMES)[number]
    | (typeof CONTACT_CALL_NAMES)[number]
    | (typeof UPDATE_CALL_NAMES)[number]
    | (typeof EXPORT_CALL_NAMES)[number]
  >;
  return {
    ...vaultCalls,
    'app.health': vi.fn(async () => {
      throw new Error('not used');
    }),
    'audit.list': vi.fn(async () => {
      throw new Error('not used');
    }),
    'settings.get': vi.fn(async () => ({ language: 'vi' as const })),
    'settings.update': vi.fn(async (change) => ({ language: change.language ?? 'vi' })),
    'token.list': vi.fn(async () => ({ tokens: [] })),
    'token.drivers': vi.fn(async () => ({ drivers: [] })),
    'trust.anchors': vi.fn(async () => ({ anchors: [] })),
    'sign.files': vi.fn(async () => ({ results: [] })),
    'verify.file': vi.fn(async () => {
      throw new Error('not used');
    }),
    'cert.verify': vi.fn(async () => {
      throw new Error('not used');
    }),
    'sign.documents': vi.fn(async () => {
      throw new Error('not used');
    }),
    'documents.approve': vi.fn(async () => {
      throw new Error('not used');
    }),
    'sign.progress': vi.fn(async () => {
      throw new Error('not used');
    }),
    'sign.cancel': vi.fn(async () => {
      throw new Error('not used');
    }),
    'sign.fields': vi.fn(async () => {
      throw new Error('not used');
    }),
    'verify.attachmentReport': vi.fn(async () => {
      throw new Error('not used');
    }),
    'verify.report': vi.fn(async () => {
      throw new Error('not used');
    }),
    'verify.addValidationData': vi.fn(async () => {
      throw new Error('not used');
    }),
    'verify.attachmentValidationData': vi.fn(async () => {
      throw new Error('not used');
    }),
    'sign.timestamps': vi.fn(async () => {
      throw new Error('not used');
    }),
    'verify.attachment': vi.fn(async () => {
      throw new Error('not used');
    }),
    'verify.bytes': vi.fn(async () => {
      throw new Error('not used');
    }),
    ...overrides,
  };
}
const ctx = { transport: 'direct' as const };

describe('dispatcher', () => {
  it('answers a valid call with the handler value', async () => {
    const d = createDispatcher(table());
    expect(await d('settings.update', { language: 'en' }, ctx)).toEqual({
      ok: true,
      value: { language: 'en' },
    });
  });

  it('refuses an unknown call without running any handler', async () => {
    const handlers = table();
    const d = createDispatcher(handlers);
    const r = await d('vault.dump', {}, ctx);
    expect(r).toMatchObject({ ok: false, error: { code: ErrorCode.UnknownCall } });
    for (const h of Object.values(handlers)) expect(h).not.toHaveBeenCalled();
  });

  it.each([
    ['wrong type', { language: 42 }],
    ['unknown enum value', { language: 'fr' }],
    ['extra field', { language: 'en', admin: true }],
    ['not an object', 'en'],
    ['null', null],
    ['array', ['en']],
  ])('refuses input with %s and never runs the handler', async (_label, input) => {
    const handlers = table();
    const d = createDispatcher(handlers);
    const r = await d('settings.update', input, ctx);
    expect(r).toMatchObject({ ok: false, error: { code: ErrorCode.InvalidInput } });
    expect(handlers['settings.update']).not.toHaveBeenCalled();
  });

  it('does not echo the offending value in the error message', async () => {
    const d = createDispatcher(table());
    const secret = 'S3CRET-'.repeat(10);
    const r = await d('settings.update', { language: secret }, ctx);
    expect(r.ok).toBe(false);
    expect(JSON.stringify(r)).not.toContain('S3CRET');
  });

  it('passes a CoreError code through', async () => {
    const d = createDispatcher(
      table({
        'settings.get': async () => {
          throw new CoreError(ErrorCode.NotSetUp, 'no vault');
        },
      }),
    );
    expect(await d('settings.get', {}, ctx)).toEqual({
      ok: false,
      error: { code: ErrorCode.NotSetUp, message: 'no vault' },
    });
  });

  it('turns any other exception into E_INTERNAL without its message, and reports it to the observer', async () => {
    const observe = vi.fn();
    const d = createDispatcher(
      table({
        'settings.get': async () => {
          throw new Error('/home/officer/secret/path');
        },
      }),
      observe,
    );
    const r = await d('settings.get', {}, ctx);
    expect(r).toMatchObject({ ok: false, error: { code: ErrorCode.Internal } });
    expect(JSON.stringify(r)).not.toContain('/home/officer');
    expect(observe).toHaveBeenCalledWith(
      expect.objectContaining({ call: 'settings.get', code: ErrorCode.Internal }),
    );
  });

  it('fails closed when a handler returns something outside its output schema', async () => {
    const d = createDispatcher(
      table({
        'settings.get': async () => ({ language: 'vi', leaked: 'key material' }) as never,
      }),
    );
    const r = await d('settings.get', {}, ctx);
    expect(r).toMatchObject({ ok: false, error: { code: ErrorCode.Internal } });
    expect(JSON.stringify(r)).not.toContain('key material');
  });
});
