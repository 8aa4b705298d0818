import { existsSync } from 'node:fs';
import { readFile, writeFile } from 'node:fs/promises';
import { dirname, join, resolve } from 'node:path';
import { defineCommand, EXIT, JSON_OPTION, UsageError } from '../../../shared/cli/cli-command';
import { CoreError } from '../../../shared/contract/errors';
import {
  generateItKey,
  itSodium,
  defaultItRootPath,
  ItKeyFile,
  parseItDocument,
  publicOf,
  signItDocument,
  verifyItText,
} from '../../core/it-signing';
import { writeFileAtomic } from '../../core/signing';
import { itReleaseCommand } from './it-release';

/**
 * IT's commands (docs/protocols/it-signed-v1.md): each key holder makes a key on their own
 * machine, the root lists the public halves, and every signed document passes from holder to
 * holder, each adding a signature. Secret keys are written only outside a git work tree.
 */

/** True when `path` would land inside a git work tree (a key there could be committed). */
function insideGitTree(path: string): boolean {
  let dir = dirname(resolve(path));
  for (;;) {
    if (existsSync(join(dir, '.git'))) return true;
    const up = dirname(dir);
    if (up === dir) return false;
    dir = up;
  }
}

export const itKeygenCommand = defineCommand({
  name: 'it keygen',
  summary: 'make an IT signing key (Ed25519); KEYFILE.pub is its public half',
  usage: 'embassy it keygen KEYFILE [--json]',
  options: { json: JSON_OPTION },
  positionals: { min: 1, max: 1 },
  notes: ['KEYFILE is written once (mode 0600), never inside a git work tree.'],
  async run({ values, positionals }, io) {
    const path = resolve(positionals[0] ?? '');
    if (insideGitTree(path)) throw new UsageError('refusing to write a secret key inside a git work tree');
    const key = generateItKey(await itSodium());
    if (existsSync(path) || existsSync(`${path}.pub`))
      throw new UsageError(`${path} exists; not overwritten`);
    await writeFile(path, `${JSON.stringify(key)}\n`, { mode: 0o600, flag: 'wx' });
    await writeFile(`${path}.pub`, `${JSON.stringify(publicOf(key), null, 2)}\n`, { flag: 'wx' });
    io.stdout(values.json ? `${JSON.stringify(publicOf(key))}\n` : `${key.keyid}\n`);
    return EXIT.ok;
  },
});

const readJson = async (path: string): Promise<unknown> => {
  try {
    return JSON.parse(await readFile(resolve(path), 'utf8')) as unknown;
  } catch {
    throw new UsageError(`cannot read JSON from ${path}`);
  }
};

export const itRootCommand = defineCommand({
  name: 'it root',
  summary: 'write an unsigned root listing IT public keys, k of them to sign',
  usage: 'embassy it root OUT --pub FILE... --threshold K [--version N] [--expires TIME]',
  options: {
    pub: { type: 'string', multiple: true, arg: 'FILE', help: 'a public key (KEYFILE.pub)' },
    threshold: { type: 'string', arg: 'K', help: 'signatures needed, per role' },
    version: { type: 'string', arg: 'N', default: '1', help: 'root version (one more on rotation)' },
    expires: { type: 'string', arg: 'TIME', help: 'YYYY-MM-DDTHH:MM:SSZ (default: in one year)' },
    json: JSON_OPTION,
  },
  positionals: { min: 1, max: 1 },
  async run({ values, positionals }, io) {
    const keys = [];
    for (const p of values.pub ?? []) keys.push(await readJson(p));
    const threshold = Number(values.threshold);
    if (keys.length === 0 || !Number.isInteger(threshold) || threshold < 1 || threshold > keys.length)
      throw new UsageError('give --pub for each key and a --threshold between 1 and their number');
    const expires =
      values.expires ?? new Date(Date.now() + 365 * 86_400_000).toISOString().replace(/\.\d{3}Z$/, 'Z');
    const entries = keys.map((k) => {
      const pub = k as { keyid?: unknown; public?: unknown };
      if (typeof pub.keyid !== 'string' || typeof pub.public !== 'string')
        throw new UsageError('not a public key file');
      return [pub.keyid, { scheme: 'ed25519', public: pub.public }] as const;
    });
    const role = { keyids: entries.map(([id]) => id), threshold };
    const signed = {
      type: 'embassy.it.root',
      version: Number(values.version),
      expires,
      keys: Object.fromEntries(entries),
      roles: { root: role, policy: role, release: role },
    };
    await writeFileAtomic(
      resolve(positionals[0] ?? ''),
      Buffer.from(`${JSON.stringify({ signed, signatures: [] }, null, 2)}\n`),
    );
    if (values.json) io.stdout(`${JSON.stringify({ ok: true })}\n`);
    return EXIT.ok;
  },
});

export const itSignCommand = defineCommand({
  name: 'it sign',
  summary: 'add your signature to an IT document (signatures are merged)',
  usage: 'embassy it sign FILE --key KEYFILE [--out OUT] [--json]',
  options: {
    key: { type: 'string', arg: 'KEYFILE', help: 'your key, from embassy it keygen' },
    out: { type: 'string', arg: 'OUT', help: 'write here instead of replacing FILE' },
    json: JSON_OPTION,
  },
  positionals: { min: 1, max: 1 },
  notes: ['FILE is a signed document or a bare payload (type, version, expires).'],
  async run({ values, positionals }, io) {
    if (!values.key) throw new UsageError('--key KEYFILE is required');
    const key = ItKeyFile.safeParse(await readJson(values.key));
    if (!key.success) throw new UsageError(`${values.key} is not an IT key file`);
    const raw = await readJson(positionals[0] ?? '');
    const s = await itSodium();
    try {
      const input =
        typeof raw === 'object' && raw !== null && 'signatures' in raw ? parseItDocument(raw) : raw;
      const doc = signItDocument(s, input as Parameters<typeof signItDocument>[1], key.data);
      await writeFileAtomic(
        resolve(values.out ?? positionals[0] ?? ''),
        Buffer.from(`${JSON.stringify(doc, null, 2)}\n`),
      );
      io.stdout(
        values.json
          ? `${JSON.stringify({ ok: true, keyid: key.data.keyid, signatures: doc.signatures.length })}\n`
          : `signed by ${key.data.keyid}; ${doc.signatures.length} signature(s)\n`,
      );
      return EXIT.ok;
    } catch (e) {
      if (!(e instanceof CoreError)) throw e;
      if (values.json)
        io.stdout(`${JSON.stringify({ ok: false, error: { code: e.code, message: e.message } })}\n`);
      io.stderr(`embassy: ${e.code}: ${e.message}\n`);
      return EXIT.callFailed;
    }
  },
});

export const itVerifyCommand = defineCommand({
  name: 'it verify',
  summary: 'check an IT document against the pinned root (or --root ones)',
  usage: 'embassy it verify FILE [--root ROOT]... [--json]',
  options: {
    root: {
      type: 'string',
      multiple: true,
      arg: 'ROOT',
      help: 'the trusted root, then each rotation in order (default: the pinned root)',
    },
    json: JSON_OPTION,
  },
  positionals: { min: 1, max: 1 },
  exitCodes: [
    [EXIT.ok, 'the document verifies'],
    [EXIT.callFailed, 'refused (the reason code on stderr, or in the JSON)'],
    [EXIT.usage, 'bad command line'],
    [EXIT.internal, 'internal error'],
  ],
  async run({ values, positionals }, io) {
    const roots = [];
    const pinned = defaultItRootPath();
    const rootFiles = values.root ?? (pinned ? [pinned] : []);
    for (const r of rootFiles) roots.push(await readFile(resolve(r), 'utf8'));
    const text = await readFile(resolve(positionals[0] ?? ''), 'utf8');
    const report = verifyItText(await itSodium(), text, roots, new Date());
    if (values.json) io.stdout(`${JSON.stringify(report)}\n`);
    if (!report.ok) {
      io.stderr(`embassy: ${report.error.code}: ${report.error.message}\n`);
      return EXIT.callFailed;
    }
    if (!values.json)
      io.stdout(
        `${report.type} version ${report.version}: ${report.validSignatures} of ${report.threshold} needed signatures\n`,
      );
    return EXIT.ok;
  },
});

export const IT_COMMANDS = [itKeygenCommand, itRootCommand, itSignCommand, itVerifyCommand, itReleaseCommand];
