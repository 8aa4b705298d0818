import { readFile } from 'node:fs/promises';
import { basename, resolve } from 'node:path';
import type { DocumentSummary, VaultStatus } from '../../../../shared/contract/vault-calls';
import type { SyncStatus } from '../../../../shared/contract/sync-calls';
import { EXIT, reportError, UsageError, type CliCommand, type CliIo } from '../cli-command';
import { call, readSecret, vaultCore, withUnlockedVault } from '../vault-session';
import type { Result } from '../../../../shared/contract/result';

/**
 * The officer's side of sync on the command line: enrol, read the directory, send, run one
 * round, list what arrived. Each unlocks the vault with the PIN from stdin, does its work and
 * locks again; none leaves anything running.
 */

const common = {
  profile: { type: 'string' },
  'pin-stdin': { type: 'boolean', default: false },
  json: { type: 'boolean', default: false },
} as const;

function finish(result: Result<unknown>, json: boolean, io: CliIo, text: (v: never) => string): number {
  if (!result.ok) return reportError(result.error, json, io);
  io.stdout(json ? `${JSON.stringify(result.value)}\n` : text(result.value as never));
  return EXIT.ok;
}

export const enrollCommand: CliCommand = {
  name: 'enroll',
  summary:
    "enrol this workstation with HQ (device keys in the vault, signed on the vault's token); prints the device id",
  usage:
    'embassy enroll --profile DIR --hq URL --hq-fingerprint FP --pin-stdin [--department D] [--key-id HEX] [--json]',
  options: {
    ...common,
    hq: { type: 'string' },
    'hq-fingerprint': { type: 'string' },
    department: { type: 'string' },
    'key-id': { type: 'string' },
  },
  async run({ values }, io) {
    if (typeof values.hq !== 'string') throw new UsageError('--hq is required (https://host:port)');
    if (typeof values['hq-fingerprint'] !== 'string') throw new UsageError('--hq-fingerprint is required');
    const pin = await readSecret(values, io);
    const core = vaultCore(values);
    const result = await withUnlockedVault(core, pin, async () => {
      const vault = (await core.vault.status()) as VaultStatus;
      if (!vault.token)
        throw new UsageError('enrolment needs a token profile (the token signs the device keys)');
      return call(core, 'sync.enroll', {
        hqUrl: values.hq,
        fingerprint: values['hq-fingerprint'],
        token: { serial: vault.token.serial },
        pin,
        ...(typeof values.department === 'string' ? { department: values.department } : {}),
        ...(typeof values['key-id'] === 'string' ? { keyId: values['key-id'] } : {}),
      });
    });
    return finish(result, values.json === true, io, (s: SyncStatus) => `${s.deviceId ?? ''}\n`);
  },
};

export const directoryCommand: CliCommand = {
  name: 'directory',
  summary: "HQ's signed directory of officers and their devices (refreshed first when HQ is reachable)",
  usage: 'embassy directory --profile DIR --pin-stdin [--json]',
  options: { ...common },
  async run({ values }, io) {
    const pin = await readSecret(values, io);
    const core = vaultCore(values);
    const result = await withUnlockedVault(core, pin, async () => {
      await call(core, 'sync.now', {}); // best effort: offline still lists the held copy
      const dir = await call(core, 'sync.directory', {});
      if (!dir.ok) return dir;
      return { ok: true as const, value: (dir.value as { officers: unknown[] }).officers };
    });
    return finish(result, values.json === true, io, (officers: { address: string; name: string }[]) =>
      officers.map((o) => `${o.address}\t${o.name}\n`).join(''),
    );
  },
};

export const sendCommand: CliCommand = {
  name: 'send',
  summary: 'seal a message or a file for recipients and queue it in the outbox (sent by the next sync)',
  usage:
    'embassy send --profile DIR --pin-stdin --to ADDRESS... (--message TEXT | --file PATH) [--title T] [--json]',
  options: {
    ...common,
    to: { type: 'string', multiple: true },
    message: { type: 'string' },
    file: { type: 'string', multiple: true },
    title: { type: 'string' },
    classification: { type: 'string', default: 'unclassified' },
  },
  async run({ values }, io) {
    const to = (values.to as string[] | undefined) ?? [];
    if (to.length === 0) throw new UsageError('--to is required');
    const files = ((values.file as string[] | undefined) ?? []).map((f) => resolve(f));
    if ((typeof values.message === 'string') === files.length > 0) {
      throw new UsageError('give either --message TEXT or --file PATH');
    }
    const title = typeof values.title === 'string' ? values.title : undefined;
    const pin = await readSecret(values, io);
    const core = vaultCore(values);
    const result = await withUnlockedVault(core, pin, async () => {
      if (typeof values.message === 'string') {
        return call(core, 'sync.send', { kind: 'message', to, title: title ?? '', text: values.message });
      }
      // A file travels as an outgoing document of the vault with the file attached.
      for (const f of files)
        await readFile(f).then(
          () => undefined,
          () => {
            throw new UsageError(`cannot read ${f}`);
          },
        );
      const added = await call(core, 'documents.add', {
        subject: title ?? basename(files[0] as string),
        direction: 'outgoing',
        classification: values.classification,
      });
      if (!added.ok) return added;
      const doc = added.value as DocumentSummary;
      for (const path of files) {
        const r = await call(core, 'attachments.add', { documentId: doc.id, source: { kind: 'path', path } });
        if (!r.ok) return r;
      }
      return call(core, 'sync.send', { kind: 'document', to, documentId: doc.id });
    });
    return finish(result, values.json === true, io, (v: { items: { id: string }[] }) =>
      v.items.map((i) => `${i.id}\n`).join(''),
    );
  },
};

export const syncCommand: CliCommand = {
  name: 'sync',
  summary: 'one sync round with HQ: prekeys, directory, outbox, inbox; prints counts',
  usage: 'embassy sync --profile DIR --pin-stdin --once [--json]',
  options: { ...common, once: { type: 'boolean', default: false } },
  async run({ values }, io) {
    if (values.once !== true) throw new UsageError('--once is required (background sync runs in the app)');
    const pin = await readSecret(values, io);
    const core = vaultCore(values);
    const result = await withUnlockedVault(core, pin, async () => {
      const status = await call(core, 'sync.now', {});
      if (!status.ok) return status;
      const round = core.sync.lastRound();
      const s = status.value as SyncStatus;
      return {
        ok: true as const,
        value: {
          sent: round?.sent ?? 0,
          received: round?.received ?? 0,
          rejected: round?.rejected ?? 0,
          duplicates: round?.duplicates ?? 0,
          pending: s.pending.count,
          failed: s.failed,
          enrolment: s.enrolment,
          connection: s.connection,
          errors: round?.errors ?? [],
        },
      };
    });
    if (result.ok && (result.value as { errors: unknown[] }).errors.length > 0 && values.json !== true) {
      const v = result.value as { errors: { code: string; message: string }[] };
      io.stderr(`${v.errors.map((e) => `${e.code}: ${e.message}`).join('\n')}\n`);
    }
    return finish(
      result,
      values.json === true,
      io,
      (v: { sent: number; received: number; pending: number }) =>
        `sent ${v.sent}, received ${v.received}, pending ${v.pending}\n`,
    );
  },
};

export const inboxCommand: CliCommand = {
  name: 'inbox',
  summary: 'what arrived from HQ and other missions, decrypted (newest first)',
  usage: 'embassy inbox --profile DIR --pin-stdin [--limit N] [--json]',
  options: { ...common, limit: { type: 'string', default: '1000' } },
  async run({ values }, io) {
    const limit = Number(values.limit);
    if (!Number.isInteger(limit) || limit < 1 || limit > 10_000)
      throw new UsageError('--limit must be 1..10000');
    const pin = await readSecret(values, io);
    const core = vaultCore(values);
    const result = await withUnlockedVault(core, pin, async () => ({
      ok: true as const,
      value: (await core.vault.run('sync.received', { limit })).items,
    }));
    return finish(result, values.json === true, io, (items: { sender: string; title: string }[]) =>
      items.map((i) => `${i.sender}\t${i.title}\n`).join(''),
    );
  },
};
