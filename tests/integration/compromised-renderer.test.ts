import { execFileSync } from 'node:child_process';
import {
  mkdtempSync,
  readdirSync,
  readFileSync,
  statSync,
  symlinkSync,
  utimesSync,
  writeFileSync,
} from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type WebSocket from 'ws';
import { createCore, type Core } from '../../electron/core';
import { startPreview, type Preview } from '../../electron/dev/preview-server';
import { BRIDGE_MAX_FRAME_BYTES } from '../../shared/bridge/protocol';
import { CALL_NAMES } from '../../shared/contract/call-names';
import { ERROR_CODES } from '../../shared/contract/errors';
import type { Result } from '../../shared/contract/result';
import { vaultPaths } from '../../electron/core/vault/vault-service';
import { buildEvilModule, type EvilModule } from '../fixtures/evil-module';
import { exchange, openBridge } from './preview-harness';
import { PASSPHRASE } from './vault-harness';

/**
 * A compromised renderer has one thing: `window.embassy.call(name, input)`. Here it is played
 * through the Electron IPC transport (`dispatch` with transport 'ipc', what main's handler
 * calls) and through the loopback bridge (the renderer's stand-in in the preview), against one
 * real core with an unlocked vault, so a call that reached its handler would really act.
 *
 * It tries every call with hostile input (paths to /etc/passwd, to a canary file, to a symlink
 * into the profile and to /dev/zero; writes outside the profile; libraries by path, relative
 * name and UNC name; oversize and deeply nested payloads; non-objects; prototype keys), and the
 * path-taking calls in their exact valid shape. Then: nothing read (the canary's access time is
 * untouched, no answer and no vault record holds its bytes or /etc/passwd's), nothing written
 * outside the profile, no library loaded (a real .so whose constructor leaves a marker), every
 * answer a typed error, and the core still serves.
 */
let core: Core;
let preview: Preview;
let ws: WebSocket;
let evil: EvilModule;
let outside: string;
let canary: string;
let targetDoc: string;
let profileDir: string;
const CANARY = `canary-${Math.random().toString(36).slice(2)}-root:x:0:0`;
const PASSWD = readFileSync('/etc/passwd', 'utf8').split('\n')[0] ?? 'root:x:0:0';
const answers: { via: string; call: string; result: Result<unknown> }[] = [];

type Via = 'ipc' | 'bridge';
let nextId = 1;

/** A payload `depth` levels deep: `{ a: { a: … } }`, as an object (IPC) or as JSON text (bridge). */
class Deep {
  constructor(readonly depth: number) {}
  object(): unknown {
    let v: unknown = 1;
    for (let i = 0; i < this.depth; i++) v = { a: v };
    return v;
  }
  json(): string {
    return `${'{"a":'.repeat(this.depth)}1${'}'.repeat(this.depth)}`;
  }
}
const nested = (depth: number) => new Deep(depth);

/** The input as IPC would carry it (structured clone of plain objects). */
function asObject(input: unknown): unknown {
  if (input instanceof Deep) return input.object();
  if (typeof input !== 'object' || input === null || Array.isArray(input)) return input;
  return Object.fromEntries(Object.entries(input).map(([k, v]) => [k, asObject(v)]));
}

/** The input as the bridge would carry it (JSON text; deep parts spliced in as text). */
function asJson(input: unknown): string {
  const deep: Deep[] = [];
  const text = JSON.stringify(input, (_k, v: unknown) => {
    if (v instanceof Deep) {
      deep.push(v);
      return `@@deep${deep.length - 1}@@`;
    }
    return v;
  });
  return text.replace(/"@@deep(\d+)@@"/g, (_m, i: string) => deep[Number(i)]?.json() ?? 'null');
}

async function send(via: Via, call: string, input: unknown, raw?: string): Promise<Result<unknown>> {
  let result: Result<unknown>;
  if (via === 'ipc') {
    result = await core.dispatch(call, asObject(input), { transport: 'ipc' });
  } else {
    const frame =
      raw ?? `{"id":${nextId++},"call":${JSON.stringify(call)},"input":${asJson(input) ?? 'null'}}`;
    const [response] = await exchange(ws, [frame]);
    result = response?.result as Result<unknown>;
  }
  answers.push({ via, call, result });
  return result;
}

beforeAll(async () => {
  evil = buildEvilModule();
  outside = mkdtempSync(join(tmpdir(), 'embassy-outside-'));
  canary = join(outside, 'canary.txt');
  writeFileSync(canary, `${CANARY}\n`);
  profileDir = mkdtempSync(join(tmpdir(), 'embassy-hostile-'));
  core = createCore({ profileDir, version: 'test' });
  const created = await core.dispatch(
    'vault.create',
    { profile: 'passphrase', passphrase: PASSPHRASE },
    { transport: 'ipc' },
  );
  expect(created.ok).toBe(true);
  const doc = await core.dispatch('documents.add', { subject: 'Target' }, { transport: 'ipc' });
  if (!doc.ok) throw new Error(doc.error.code);
  targetDoc = (doc.value as { id: string }).id;
  symlinkSync(vaultPaths(profileDir).keyFile, join(outside, 'looks-harmless.pdf'));
  execFileSync('mkfifo', [join(outside, 'pipe.pdf')]);
  // Access time before modification time: any read now moves it (relatime), and it cannot
  // move by itself. Checked last, after the detector is shown to work.
  utimesSync(canary, new Date(1_000_000), statSync(canary).mtime);
  preview = await startPreview({
    rendererDir: join(profileDir, 'no-renderer'),
    dispatch: core.dispatch,
    port: 0,
  });
  const r = await openBridge(preview);
  if (!('ws' in r)) throw new Error(`bridge refused: ${r.status}`);
  ws = r.ws;
}, 120_000);

afterAll(async () => {
  ws?.close();
  await preview?.close();
  await core?.close();
});

const READ_TARGETS = () => [
  '/etc/passwd',
  canary,
  join(outside, 'looks-harmless.pdf'),
  '/dev/zero',
  join(outside, 'pipe.pdf'),
];
const LIBRARIES = () => [
  evil.path,
  '\\\\host\\share\\x.dll',
  '//host/share/x.so',
  'evil.so',
  `${evil.path}/../evil.so`,
];

/** The path-taking calls in their exact, otherwise valid shape. */
function pathAttacks(): [string, unknown][] {
  const out: [string, unknown][] = [];
  for (const path of READ_TARGETS()) {
    out.push(['attachments.add', { documentId: targetDoc, source: { kind: 'path', path } }]);
    out.push(['attachments.add', { documentId: targetDoc, source: { kind: 'path', path }, name: 'x.pdf' }]);
    out.push(['verify.file', { path }]);
    out.push(['verify.file', { path: canary, contentPath: path }]);
    out.push([
      'sign.files',
      { files: [{ path, output: join(outside, 'written.pdf') }], token: { label: 'x' }, pin: '1234' },
    ]);
  }
  out.push([
    'sign.files',
    { files: [{ path: canary }], outDir: outside, token: { label: 'x' }, pin: '1234' },
  ]);
  out.push(['sign.files', { files: [{ path: canary }], outDir: '/etc', token: { label: 'x' }, pin: '1234' }]);
  for (const lib of LIBRARIES()) {
    out.push(['settings.update', { pkcs11Module: lib }]);
    out.push(['settings.update', { pkcs11Driver: lib }]);
    out.push(['vault.create', { profile: 'token', modulePath: lib, tokenLabel: 'x', pin: '1234' }]);
    out.push(['vault.create', { profile: 'token', driver: lib, tokenLabel: 'x', pin: '1234' }]);
  }
  out.push(['settings.update', { pkcs11Driver: '../../tmp/evil' }]);
  out.push(['settings.update', { pkcs11Driver: 'not-a-known-driver' }]);
  return out;
}

/** What every call gets: nothing any call takes, in shapes a fuzzer would try. */
function genericHostile(): unknown[] {
  return [
    { path: '/etc/passwd' },
    { id: '../../../../etc/passwd' },
    { jobId: '/etc/passwd', uploadId: '/dev/zero' },
    { source: { kind: 'path', path: '/etc/passwd' }, documentId: targetDoc },
    { pkcs11Module: evil.path, modulePath: evil.path },
    { x: 'A'.repeat(1024 * 1024) },
    nested(10_000),
    JSON.parse('{"__proto__": {"polluted": true}, "constructor": {"prototype": {"polluted": true}}}'),
    null,
    'x',
    12,
    [],
  ];
}

describe.each(['ipc', 'bridge'] as const)('a compromised renderer over %s', (via) => {
  it('every call with hostile input: a typed error each time', async () => {
    for (const call of CALL_NAMES) {
      for (const input of genericHostile()) {
        const r = await send(via, call, input);
        expect(r.ok, `${call} answered ok`).toBe(false);
      }
    }
  }, 300_000);

  it('every path-taking call in its valid shape: refused before it runs', async () => {
    for (const [call, input] of pathAttacks()) {
      const r = await send(via, call, input);
      expect(r.ok, call).toBe(false);
      if (!r.ok)
        expect(['E_FORBIDDEN_TRANSPORT', 'E_INVALID_INPUT'], `${call} ${r.error.code}`).toContain(
          r.error.code,
        );
    }
    // token.list after the settings attempts: whatever it answers, it loads no library of ours.
    await send(via, 'token.list', {});
  }, 120_000);

  it('oversize and deeply nested payloads in real fields', async () => {
    const big = Buffer.alloc(3 * 1024 * 1024, 1).toString('base64');
    const cases: [string, unknown][] = [
      ['attachments.add', { documentId: targetDoc, source: { kind: 'bytes', base64: big }, name: 'big.bin' }],
      ['attachments.upload.append', { uploadId: 'u', offset: 0, base64: big }],
      ['documents.add', { subject: 'x'.repeat(2_000_000) }],
      ['documents.add', { subject: nested(10_000) }],
      ['search', { query: nested(10_000) }],
      [
        'sync.send',
        { kind: 'message', to: Array.from({ length: 100_000 }, () => 'a@b'), title: 't', text: 'x' },
      ],
    ];
    for (const [call, input] of cases) {
      const r = await send(via, call, input);
      expect(r.ok, call).toBe(false);
    }
    if (via === 'bridge') {
      const huge = JSON.stringify({
        id: 9,
        call: 'documents.add',
        input: { subject: 'x'.repeat(BRIDGE_MAX_FRAME_BYTES) },
      });
      expect(await send(via, 'documents.add', null, huge)).toMatchObject({
        ok: false,
        error: { code: 'E_PAYLOAD_TOO_LARGE' },
      });
      const deepArrays = `{"id":10,"call":"search","input":${'['.repeat(200_000)}${']'.repeat(200_000)}}`;
      expect((await send(via, 'search', null, deepArrays)).ok).toBe(false);
    }
  }, 120_000);

  it('keeps serving: a normal call succeeds afterwards', async () => {
    const health = await send(via, 'app.health', {});
    expect(health).toMatchObject({ ok: true, value: { transport: via } });
    const list = await send(via, 'documents.list', {});
    expect(list.ok).toBe(true);
  });
});

describe('what the attacks achieved', () => {
  it('every answer was a typed error, and none carries a byte of what it pointed at', () => {
    expect(answers.length).toBeGreaterThan(1000);
    const failures = answers.filter((a) => !a.result.ok);
    for (const a of failures) {
      if (a.result.ok) continue;
      expect(ERROR_CODES, `${a.via} ${a.call}`).toContain(a.result.error.code);
      expect(typeof a.result.error.message).toBe('string');
    }
    const text = JSON.stringify(answers.map((a) => a.result));
    expect(text).not.toContain(CANARY);
    expect(text).not.toContain(PASSWD);
    const keyFile = readFileSync(vaultPaths(profileDir).keyFile, 'utf8');
    const vaultId = (JSON.parse(keyFile) as { vaultId?: string }).vaultId ?? 'no-vault-id';
    expect(text).not.toContain(vaultId);
    console.log(
      `compromised-renderer: ${answers.length} answers, ${failures.length} errors, codes ${[...new Set(failures.map((a) => (a.result.ok ? '' : a.result.error.code)))].join(' ')}`,
    );
  });

  it('nothing was read into the vault, written outside the profile or loaded', async () => {
    const doc = await core.dispatch('documents.get', { id: targetDoc }, { transport: 'ipc' });
    expect(doc).toMatchObject({ ok: true, value: { attachments: [] } });
    const hits = await core.dispatch('search', { query: 'root' }, { transport: 'ipc' });
    expect(hits).toMatchObject({ ok: true, value: { hits: [] } });
    expect(readdirSync(outside).sort()).toEqual(['canary.txt', 'looks-harmless.pdf', 'pipe.pdf']);
    expect(evil.loaded(), 'the library constructor ran').toBe(false);
    const settings = await core.dispatch('settings.get', {}, { transport: 'ipc' });
    expect(JSON.stringify(settings)).not.toContain(evil.path);
    // The canary was never opened: its access time is where the test put it...
    expect(statSync(canary).atimeMs).toBe(1_000_000);
    // ...and the detector works: one read moves it.
    readFileSync(canary);
    expect(statSync(canary).atimeMs).not.toBe(1_000_000);
  });
});
