import type { CallName } from './call-names';

/**
 * Which transports may use each call: the one declaration the preload, main's dispatcher and
 * the bridge all read (zod-free, so the sandboxed preload bundles it).
 *
 * The rule: the renderer never names a file, a folder or a library. A call that takes a
 * filesystem path is for the `embassy` command line only, where the officer or IT typed the
 * path themselves; over Electron IPC and the loopback bridge (the renderer's stand-ins) it
 * answers E_FORBIDDEN_TRANSPORT before its schema or handler runs. A call with a path variant
 * (`attachments.add` from a path, `vault.create` and `settings.update` naming a module file)
 * declares that variant CLI-only; the renderer has a path-free form of the same call (bytes or
 * upload pieces, a driver id from `resources/pkcs11-modules.json`).
 */
export const CALL_TRANSPORTS = ['ipc', 'bridge', 'cli'] as const;
export type CallTransport = (typeof CALL_TRANSPORTS)[number];

export interface CallAccess {
  /** The transports that may send this call at all. */
  readonly transports: readonly CallTransport[];
  /**
   * A form of the input only the CLI may send (it names a filesystem path), recognised on the
   * raw input before any schema runs. Must not throw on any value.
   */
  readonly cliOnlyWhen?: (input: unknown) => boolean;
  /** Why the CLI-only part is CLI-only (for the error message and the docs). */
  readonly cliOnlyWhat?: string;
}

const EVERY: CallAccess = { transports: CALL_TRANSPORTS };
const CLI_ONLY: CallAccess = { transports: ['cli'], cliOnlyWhat: 'it reads or writes files by path' };

function field(input: unknown, key: string): unknown {
  return typeof input === 'object' && input !== null && key in input
    ? (input as Record<string, unknown>)[key]
    : undefined;
}

function has(input: unknown, key: string): boolean {
  return typeof input === 'object' && input !== null && key in input;
}

export const CALL_ACCESS: { readonly [N in CallName]: CallAccess } = {
  'app.health': EVERY,
  'settings.get': EVERY,
  'settings.update': {
    transports: CALL_TRANSPORTS,
    cliOnlyWhen: (input) => has(input, 'pkcs11Module'),
    cliOnlyWhat: 'pkcs11Module names a library file (choose pkcs11Driver instead)',
  },
  'vault.status': EVERY,
  'vault.create': {
    transports: CALL_TRANSPORTS,
    cliOnlyWhen: (input) => has(input, 'modulePath'),
    cliOnlyWhat: 'modulePath names a library file (choose driver instead)',
  },
  'vault.unlock': EVERY,
  'vault.lock': EVERY,
  'vault.touch': EVERY,
  'vault.configure': EVERY,
  'vault.wipe': EVERY,
  'vault.loadSampleData': EVERY,
  'documents.list': EVERY,
  'documents.update': EVERY,
  'documents.transition': EVERY,
  'documents.archive': EVERY,
  'documents.get': EVERY,
  'documents.add': EVERY,
  'documents.markRead': EVERY,
  'documents.register': EVERY,
  'documents.receipts': EVERY,
  'attachments.add': {
    transports: CALL_TRANSPORTS,
    cliOnlyWhen: (input) => has(input, 'source') && field(field(input, 'source'), 'kind') !== 'bytes',
    cliOnlyWhat: 'source.kind "path" reads a file by path (send bytes or upload pieces instead)',
  },
  'attachments.read': EVERY,
  'attachments.upload.begin': EVERY,
  'attachments.upload.append': EVERY,
  'attachments.upload.finish': EVERY,
  'attachments.upload.cancel': EVERY,
  'messages.threads': EVERY,
  'messages.list': EVERY,
  'messages.add': EVERY,
  'messages.markRead': EVERY,
  'messages.updateDraft': EVERY,
  'messages.deleteDraft': EVERY,
  'messages.files.add': EVERY,
  'messages.files.read': EVERY,
  search: EVERY,
  'token.list': EVERY,
  'token.drivers': EVERY,
  'trust.anchors': EVERY,
  'sign.files': CLI_ONLY,
  'verify.file': CLI_ONLY,
  'cert.verify': CLI_ONLY,
  'verify.addValidationData': CLI_ONLY,
  'verify.report': CLI_ONLY,
  'sign.documents': EVERY,
  'documents.approve': EVERY,
  'sign.progress': EVERY,
  'sign.cancel': EVERY,
  'sign.fields': EVERY,
  'sign.timestamps': EVERY,
  'verify.attachmentReport': EVERY,
  'verify.attachmentValidationData': EVERY,
  'verify.attachment': EVERY,
  'verify.bytes': EVERY,
  'policy.get': EVERY,
  // The renderer reads the file the officer picked and sends its text; no path crosses.
  'policy.import': EVERY,
  'updates.status': EVERY,
  'updates.check': EVERY,
  // The path is chosen in main's dialog, never sent by the caller.
  'updates.checkFolder': EVERY,
  'updates.download': EVERY,
  'updates.install': EVERY,
  // The path is chosen in main's save dialog (or the browser's download), never sent by the caller.
  'export.attachment': EVERY,
  'export.messageFile': EVERY,
  // The officer's own log, read-only: ids, kinds and times.
  'audit.list': EVERY,
  'sync.status': EVERY,
  'sync.enroll': EVERY,
  'sync.directory': EVERY,
  'sync.send': EVERY,
  'sync.now': EVERY,
  'sync.outbox': EVERY,
  'sync.outbox.retry': EVERY,
  'sync.outbox.cancel': EVERY,
  // Read-only, or a mark for a number the core recomputes: no path, nothing the renderer chooses.
  'contact.show': EVERY,
  'contact.verify': EVERY,
  'contact.unverify': EVERY,
};

/**
 * Null when `transport` may send this call with this input, else why not. In-process callers
 * ('direct': tests, benchmarks, the core calling itself) are trusted like the CLI. Fails closed:
 * a predicate that throws (a hostile getter) counts as the CLI-only form.
 */
export function transportRefusal(
  name: CallName,
  transport: CallTransport | 'direct',
  input: unknown,
): string | null {
  if (transport === 'direct' || transport === 'cli') return null;
  const access = CALL_ACCESS[name];
  if (!access.transports.includes(transport)) {
    return `${name} is for the command line only: ${access.cliOnlyWhat ?? 'not open to this transport'}`;
  }
  let cliOnly: boolean;
  try {
    cliOnly = access.cliOnlyWhen?.(input) ?? false;
  } catch {
    cliOnly = true;
  }
  return cliOnly ? `${name}: ${access.cliOnlyWhat ?? 'this form'} is for the command line only` : null;
}

/** The calls a transport may send at all (the preload's allow-list is this for 'ipc'). */
export function callsOpenTo(transport: CallTransport): CallName[] {
  return (Object.keys(CALL_ACCESS) as CallName[]).filter((n) =>
    CALL_ACCESS[n].transports.includes(transport),
  );
}
