import { readFile } from 'node:fs/promises';
import { basename, resolve } from 'node:path';
import { ok, type Result } from '../../../shared/contract/result';
import {
  defineCommand,
  EXIT,
  JSON_OPTION,
  reportError,
  UsageError,
  type CliIo,
} from '../../../shared/cli/cli-command';
import { markingConfirmed } from '../../../shared/domain/marking-confirmation';
import { call } from '../cli-core';
import { CLASSIFICATION_OPTION, classificationOf, PIN_STDIN_OPTION, PROFILE_OPTION } from '../common-options';
import { readSecret, vaultCore, withUnlockedVault } from '../vault-session';

/**
 * The officer's side of sync on the command line: enrol, read the directory, send, run one
 * round, list what arrived. Each unlocks the vault with the PIN from stdin, does its work and
 * locks again; none leaves anything running.
 */

const common = {
  profile: PROFILE_OPTION,
  'pin-stdin': PIN_STDIN_OPTION,
  json: JSON_OPTION,
} as const;

function finish<T>(result: Result<T>, json: boolean, io: CliIo, text: (v: T) => string): number {
  if (!result.ok) return reportError(result.error, json, io);
  io.stdout(json ? `${JSON.stringify(result.value)}\n` : text(result.value));
  return EXIT.ok;
}

export const enrollCommand = defineCommand({
  name: 'enroll',
  summary:
    "enrol this workstation with HQ (device keys in the vault, signed on the vault's token); prints the device id",
  usage:
    'embassy enroll --profile DIR --hq URL --hq-fingerprint FP --pin-stdin [--department D] [--key-id HEX] [--trust PEM]... [--json]',
  options: {
    ...common,
    hq: { type: 'string', arg: 'URL', help: 'the HQ relay, https://host:port' },
    'hq-fingerprint': {
      type: 'string',
      arg: 'FP',
      help: "SHA-256 of the relay's certificate, as 'embassy hq serve' prints it",
    },
    department: { type: 'string', arg: 'D', help: "the officer's department, for the directory" },
    'key-id': { type: 'string', arg: 'HEX', help: 'the token key (CKA_ID) that signs the device keys' },
    trust: {
      type: 'string',
      multiple: true,
      arg: 'PEM',
      help: "ministry roots to pin for officers' identities, besides the shipped ones",
    },
  },
  async run({ values }, io) {
    const { hq, department } = values;
    const fingerprint = values['hq-fingerprint'];
    const keyId = values['key-id'];
    if (hq === undefined) throw new UsageError('--hq is required (https://host:port)');
    if (fingerprint === undefined) throw new UsageError('--hq-fingerprint is required');
    const pin = await readSecret(values['pin-stdin'], io);
    const core = vaultCore(
      values.profile,
      (values.trust ?? []).map((p) => resolve(p)),
    );
    const result = await withUnlockedVault(core, pin, async () => {
      const vault = await core.vault.status();
      if (!vault.token)
        throw new UsageError('enrolment needs a token profile (the token signs the device keys)');
      return call(core, 'sync.enroll', {
        hqUrl: hq,
        fingerprint,
        token: { serial: vault.token.serial },
        pin,
        ...(department !== undefined ? { department } : {}),
        ...(keyId !== undefined ? { keyId } : {}),
      });
    });
    return finish(result, values.json, io, (s) => `${s.deviceId ?? ''}\n`);
  },
});

export const directoryCommand = defineCommand({
  name: 'directory',
  summary: "HQ's signed directory of officers and their devices (refreshed first when HQ is reachable)",
  usage: 'embassy directory --profile DIR --pin-stdin [--json]',
  options: { ...common },
  async run({ values }, io) {
    const pin = await readSecret(values['pin-stdin'], io);
    const core = vaultCore(values.profile);
    const result = await withUnlockedVault(core, pin, async () => {
      await call(core, 'sync.now', {}); // best effort: offline still lists the held copy
      const dir = await call(core, 'sync.directory', {});
      if (!dir.ok) return dir;
      return ok(dir.value.officers);
    });
    return finish(result, values.json, io, (officers) =>
      officers.map((o) => `${o.address}\t${o.name}\n`).join(''),
    );
  },
});

export const sendCommand = defineCommand({
  name: 'send',
  summary: 'seal a message or a file for recipients and queue it in the outbox (sent by the next sync)',
  usage:
    'embassy send --profile DIR --pin-stdin --to ADDRESS... (--message TEXT | --file PATH...) [--title T] [--classification C] [--confirm-marking C] [--json]',
  options: {
    ...common,
    to: { type: 'string', multiple: true, arg: 'ADDRESS', help: "a recipient officer's address" },
    message: { type: 'string', arg: 'TEXT', help: 'send this text as a message' },
    file: {
      type: 'string',
      multiple: true,
      arg: 'PATH',
      help: 'send files, as one outgoing document of the vault with them attached',
    },
    title: { type: 'string', arg: 'T', help: "the message's title or the document's subject" },
    classification: { ...CLASSIFICATION_OPTION, help: "the message's or the document's marking" },
    'confirm-marking': {
      type: 'string',
      arg: 'C',
      help: 'repeat the marking to send it: required for secret and top-secret',
    },
  },
  async run({ values }, io) {
    const { message } = values;
    const to = values.to ?? [];
    if (to.length === 0) throw new UsageError('--to is required');
    const files = (values.file ?? []).map((f) => resolve(f));
    if ((message !== undefined) === files.length > 0) {
      throw new UsageError('give either --message TEXT or --file PATH');
    }
    const title = values.title;
    const classification = classificationOf(values.classification);
    const confirmed = values['confirm-marking'];
    const confirmedMarking = confirmed === undefined ? {} : { confirmedMarking: classificationOf(confirmed) };
    // Asked before anything is stored: a refused send of files would leave their document behind.
    if (!markingConfirmed(classification, confirmedMarking.confirmedMarking)) {
      throw new UsageError(`a ${classification} send needs --confirm-marking ${classification}`);
    }
    const pin = await readSecret(values['pin-stdin'], io);
    const core = vaultCore(values.profile);
    const result = await withUnlockedVault(core, pin, async () => {
      if (message !== undefined) {
        return call(core, 'sync.send', {
          kind: 'message',
          to,
          title: title ?? '',
          text: message,
          classification,
          ...confirmedMarking,
        });
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
        subject: title ?? basename(files[0] ?? ''),
        direction: 'outgoing',
        classification,
      });
      if (!added.ok) return added;
      const doc = added.value;
      for (const path of files) {
        const r = await call(core, 'attachments.add', { documentId: doc.id, source: { kind: 'path', path } });
        if (!r.ok) return r;
      }
      return call(core, 'sync.send', { kind: 'document', to, documentId: doc.id, ...confirmedMarking });
    });
    return finish(result, values.json, io, (v) => v.items.map((i) => `${i.id}\n`).join(''));
  },
});

export const syncCommand = defineCommand({
  name: 'sync',
  summary: 'one sync round with HQ: prekeys, directory, outbox, inbox; prints counts',
  usage: 'embassy sync --profile DIR --pin-stdin --once [--json]',
  options: {
    ...common,
    once: {
      type: 'boolean',
      default: false,
      help: 'run one round and exit (required: background sync runs in the app)',
    },
  },
  async run({ values }, io) {
    if (!values.once) throw new UsageError('--once is required (background sync runs in the app)');
    const pin = await readSecret(values['pin-stdin'], io);
    const core = vaultCore(values.profile);
    const result = await withUnlockedVault(core, pin, async () => {
      const status = await call(core, 'sync.now', {});
      if (!status.ok) return status;
      const round = core.sync.lastRound();
      const s = status.value;
      return ok({
        sent: round?.sent ?? 0,
        received: round?.received ?? 0,
        rejected: round?.rejected ?? 0,
        duplicates: round?.duplicates ?? 0,
        pending: s.pending.count,
        failed: s.failed,
        enrolment: s.enrolment,
        connection: s.connection,
        errors: round?.errors ?? [],
      });
    });
    if (result.ok && result.value.errors.length > 0 && !values.json) {
      io.stderr(`${result.value.errors.map((e) => `${e.code}: ${e.message}`).join('\n')}\n`);
    }
    return finish(
      result,
      values.json,
      io,
      (v) => `sent ${v.sent}, received ${v.received}, pending ${v.pending}\n`,
    );
  },
});

export const inboxCommand = defineCommand({
  name: 'inbox',
  summary: 'what arrived from HQ and other missions, decrypted (newest first)',
  usage: 'embassy inbox --profile DIR --pin-stdin [--limit N] [--json]',
  options: {
    ...common,
    limit: { type: 'string', arg: 'N', default: '1000', help: 'at most N items (1..10000)' },
  },
  async run({ values }, io) {
    const limit = Number(values.limit);
    if (!Number.isInteger(limit) || limit < 1 || limit > 10_000)
      throw new UsageError('--limit must be 1..10000');
    const pin = await readSecret(values['pin-stdin'], io);
    const core = vaultCore(values.profile);
    const result = await withUnlockedVault(core, pin, async () =>
      ok((await core.vault.run('sync.received', { limit })).items),
    );
    return finish(result, values.json, io, (items) => items.map((i) => `${i.sender}\t${i.title}\n`).join(''));
  },
});
