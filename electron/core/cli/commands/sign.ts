import { mkdirSync } from 'node:fs';
import { resolve } from 'node:path';
import { createCore } from '../../core';
import { defaultProfileDir } from '../../profile/profile-dir';
import { EXIT, reportError, UsageError, type CliCommand } from '../cli-command';

declare const __APP_VERSION__: string;

const str = (v: unknown) => (typeof v === 'string' ? v : undefined);
const list = (v: unknown) => (Array.isArray(v) ? v.filter((x): x is string => typeof x === 'string') : []);

/**
 * `embassy sign`: one file (`--out`) or many (`--batch … --out-dir`) with one PIN, read from
 * standard input only. A wrong PIN ends the run after one login attempt.
 */
export const signCommand: CliCommand = {
  name: 'sign',
  summary: 'sign files with the USB token (PAdES for PDF, CAdES detached .p7s)',
  usage:
    'embassy sign INPUT --out OUTPUT | --batch FILE... --out-dir DIR  [--format pades|cades] --module PATH --token LABEL [--key-id HEX] --pin-stdin [--reason TEXT] [--location TEXT] [--visible] [--rsa-pss] [--field NAME] [--certify 1|2|3] [--trust PEM...] [--json]',
  options: {
    out: { type: 'string' },
    'out-dir': { type: 'string' },
    batch: { type: 'boolean', default: false },
    format: { type: 'string' },
    module: { type: 'string' },
    token: { type: 'string' },
    'key-id': { type: 'string' },
    'pin-stdin': { type: 'boolean', default: false },
    reason: { type: 'string' },
    location: { type: 'string' },
    visible: { type: 'boolean', default: false },
    'rsa-pss': { type: 'boolean', default: false },
    // PAdES: fill an existing empty signature field; certify (DocMDP 1 no changes, 2 forms, 3 also comments).
    field: { type: 'string' },
    certify: { type: 'string' },
    trust: { type: 'string', multiple: true },
    json: { type: 'boolean', default: false },
    profile: { type: 'string' },
  },
  positionals: { min: 1, max: 1000 },
  async run({ values, positionals }, io) {
    const batch = values.batch === true;
    const format = str(values.format);
    if (format !== undefined && format !== 'pades' && format !== 'cades')
      throw new UsageError('--format is pades or cades');
    if (!batch && positionals.length !== 1) throw new UsageError('one INPUT, or --batch FILE...');
    if (!batch && !str(values.out)) throw new UsageError('--out OUTPUT is required');
    if (batch && !str(values['out-dir'])) throw new UsageError('--batch needs --out-dir DIR');
    const certifyText = str(values.certify);
    if (certifyText !== undefined && !['1', '2', '3'].includes(certifyText))
      throw new UsageError('--certify is 1 (no changes), 2 (form filling and signing) or 3 (also comments)');
    const certify = certifyText === undefined ? undefined : (Number(certifyText) as 1 | 2 | 3);
    const field = str(values.field);
    const token = str(values.token);
    if (!token) throw new UsageError('--token LABEL is required');
    // The PIN never comes from argv or the environment: both are visible to other processes.
    if (values['pin-stdin'] !== true)
      throw new UsageError('the PIN is read from standard input: use --pin-stdin');
    const pinBytes = await io.readStdin();
    const pin = pinBytes.toString('utf8');
    pinBytes.fill(0);
    if (!pin) throw new UsageError('no PIN on standard input');

    const profileDir = resolve(str(values.profile) ?? defaultProfileDir('app'));
    mkdirSync(profileDir, { recursive: true, mode: 0o700 });
    const module = str(values.module);
    const core = createCore({
      profileDir,
      version: __APP_VERSION__,
      signing: {
        ...(module ? { modulePath: module } : {}),
        trust: { anchorFiles: list(values.trust).map((p) => resolve(p)) },
      },
    });
    try {
      const outDir = str(values['out-dir']);
      const result = await core.dispatch(
        'sign.files',
        {
          files: positionals.map((p) => ({
            path: resolve(p),
            ...(!batch ? { output: resolve(str(values.out) as string) } : {}),
          })),
          ...(outDir ? { outDir: resolve(outDir) } : {}),
          format: format ?? 'auto',
          token: { label: token },
          ...(str(values['key-id']) ? { keyId: str(values['key-id']) } : {}),
          pin,
          ...(str(values.reason) ? { reason: str(values.reason) } : {}),
          ...(str(values.location) ? { location: str(values.location) } : {}),
          ...(values.visible === true ? { visible: true } : {}),
          ...(values['rsa-pss'] === true ? { rsaScheme: 'pss' } : {}),
          ...(field ? { field } : {}),
          ...(certify ? { certify } : {}),
        },
        { transport: 'cli' },
      );
      if (!result.ok) return reportError(result.error, values.json === true, io);
      const { results } = result.value as {
        results: { input: string; output: string; ok: boolean; error?: { code: string; message: string } }[];
      };
      if (values.json === true) io.stdout(`${JSON.stringify({ results })}\n`);
      for (const r of results) {
        if (r.ok) {
          if (values.json !== true) io.stdout(`signed ${r.input} -> ${r.output}\n`);
        } else {
          io.stderr(`embassy: ${r.input}: ${r.error?.code}: ${r.error?.message}\n`);
        }
      }
      return results.every((r) => r.ok) ? EXIT.ok : EXIT.callFailed;
    } finally {
      await core.close();
    }
  },
};
