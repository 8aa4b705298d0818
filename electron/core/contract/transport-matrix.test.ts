import { describe, expect, it, vi } from 'vitest';
import { z } from 'zod';
import { CALL_NAMES, contract, type CallName } from '../../../shared/contract';
import { ErrorCode } from '../../../shared/contract/errors';
import { createDispatcher, type HandlerTable, type Transport } from './dispatcher';

/**
 * Every call × every transport, through the real dispatcher with spy handlers. The expected
 * table is written out here, not read from `call-access.ts`: a call that names a filesystem
 * path or a library is for the command line only, and the test says which those are.
 */
const TRANSPORTS: readonly Transport[] = ['ipc', 'bridge', 'cli', 'direct'];
const RENDERER_SIDE = new Set<Transport>(['ipc', 'bridge']);

/** Calls closed to IPC and the bridge altogether. */
const CLI_ONLY_CALLS = new Set<CallName>([
  'sign.files',
  'verify.file',
  'cert.verify',
  'verify.addValidationData',
  'verify.report',
]);

/** Calls with a CLI-only form: that form's input, and the renderer's path-free form. */
const CLI_ONLY_FORMS: Partial<Record<CallName, { cli: unknown; renderer: unknown }>> = {
  'attachments.add': {
    cli: { documentId: 'd1', source: { kind: 'path', path: '/etc/passwd' } },
    renderer: { documentId: 'd1', source: { kind: 'bytes', base64: 'aGk=' }, name: 'hi.txt' },
  },
  'vault.create': {
    cli: { profile: 'token', modulePath: '/usr/lib/softhsm/libsofthsm2.so', tokenLabel: 't', pin: '1' },
    renderer: { profile: 'token', driver: 'softhsm2', tokenLabel: 't', pin: '1' },
  },
  'settings.update': {
    cli: { pkcs11Module: '/usr/lib/softhsm/libsofthsm2.so' },
    renderer: { pkcs11Driver: 'softhsm2' },
  },
};

/** Every string field of every call's input whose name says "file, folder or library". */
const PATH_FIELDS = [
  'settings.update.pkcs11Module',
  'vault.create.modulePath',
  'attachments.add.source.path',
  'sign.files.files[].path',
  'sign.files.files[].output',
  'sign.files.outDir',
  'verify.file.path',
  'verify.file.contentPath',
  'cert.verify.path',
  'verify.addValidationData.path',
  'verify.addValidationData.output',
  'verify.report.path',
  'verify.report.contentPath',
  'verify.report.output',
];

/** camelCase keys that end in, or are, a word for a filesystem object (not `profile`, `direction`). */
const NAMES_A_PATH =
  /(^|[a-z0-9])(Path|Dir|Module|Output|File|Library|Folder)$|^(path|dir|module|output|file|library|folder)$/;

function spies(): { table: HandlerTable; ran: () => string[] } {
  const ran: string[] = [];
  const table = Object.fromEntries(
    CALL_NAMES.map((name) => [
      name,
      vi.fn(async () => {
        ran.push(name);
        throw new Error('handler reached');
      }),
    ]),
  ) as unknown as HandlerTable;
  return { table, ran: () => ran };
}

describe('which transport may send which call', () => {
  it.each(CALL_NAMES.flatMap((name) => TRANSPORTS.map((t) => [name, t] as const)))(
    '%s over %s',
    async (name, transport) => {
      const { table, ran } = spies();
      const dispatch = createDispatcher(table);
      const forms = CLI_ONLY_FORMS[name];
      const inputs = forms ? [forms.cli, forms.renderer] : [{}];
      for (const input of inputs) {
        const r = await dispatch(name, input, { transport });
        const closed = RENDERER_SIDE.has(transport) && (CLI_ONLY_CALLS.has(name) || input === forms?.cli);
        expect(r.ok).toBe(false);
        if (r.ok) continue;
        if (closed) {
          expect(r.error.code).toBe(ErrorCode.ForbiddenTransport);
        } else {
          expect(r.error.code).not.toBe(ErrorCode.ForbiddenTransport);
        }
      }
      // A refused call never reaches its handler; an open form with valid input does.
      if (RENDERER_SIDE.has(transport) && CLI_ONLY_CALLS.has(name)) expect(ran()).toEqual([]);
      if (forms) {
        expect(ran()).toEqual(RENDERER_SIDE.has(transport) ? [name] : [name, name]);
      }
    },
  );

  it('every input field that names a file, folder or library belongs to a CLI-only call or form', () => {
    const found: string[] = [];
    const walk = (s: unknown, at: string): void => {
      if (typeof s !== 'object' || s === null) return;
      const node = s as Record<string, unknown>;
      for (const [k, v] of Object.entries((node.properties ?? {}) as Record<string, unknown>)) {
        const type = (v as { type?: unknown }).type;
        if (type === 'string' && NAMES_A_PATH.test(k)) found.push(`${at}.${k}`);
        walk(v, `${at}.${k}`);
      }
      for (const key of ['anyOf', 'oneOf', 'allOf']) {
        if (Array.isArray(node[key])) for (const x of node[key] as unknown[]) walk(x, at);
      }
      if (node.items) walk(node.items, `${at}[]`);
    };
    for (const name of CALL_NAMES) {
      walk(z.toJSONSchema(contract[name].input, { unrepresentable: 'any', io: 'input' }), name);
    }
    expect([...new Set(found)].sort()).toEqual([...PATH_FIELDS].sort());
    for (const f of PATH_FIELDS) {
      const call = CALL_NAMES.find((n) => f.startsWith(`${n}.`));
      expect(call && (CLI_ONLY_CALLS.has(call) || CLI_ONLY_FORMS[call] !== undefined), f).toBe(true);
    }
  });

  it('a hostile input object that throws while inspected is refused, not crashed on', async () => {
    const { table, ran } = spies();
    const dispatch = createDispatcher(table);
    const trap = new Proxy(
      {},
      {
        has: () => {
          throw new Error('trap');
        },
      },
    );
    const r = await dispatch('attachments.add', trap, { transport: 'ipc' });
    expect(r).toMatchObject({ ok: false, error: { code: ErrorCode.ForbiddenTransport } });
    expect(ran()).toEqual([]);
  });
});
