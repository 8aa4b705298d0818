import { resolve } from 'node:path';
import { defineCommand, EXIT, JSON_OPTION, reportError, UsageError } from '../../../shared/cli/cli-command';
import { call, profileCore } from '../cli-core';
import { PIN_STDIN_OPTION, PROFILE_OPTION } from '../common-options';
import { readSecret } from '../vault-session';

/**
 * `embassy sign`: one file (`--out`) or many (`--batch … --out-dir`) with one PIN, read from
 * standard input only. A wrong PIN ends the run after one login attempt.
 */
export const signCommand = defineCommand({
  name: 'sign',
  summary: 'sign files with the USB token (PAdES for PDF, CAdES detached .p7s)',
  usage:
    'embassy sign (INPUT --out OUTPUT | --batch FILE... --out-dir DIR) [--format pades|cades] --module PATH --token LABEL [--key-id HEX] --pin-stdin [--reason TEXT] [--location TEXT] [--visible] [--rsa-pss] [--field NAME] [--certify 1|2|3] [--trust PEM]... [--json]',
  options: {
    out: { type: 'string', arg: 'OUTPUT', help: 'where to write the signed copy of INPUT' },
    'out-dir': { type: 'string', arg: 'DIR', help: 'where --batch writes the signed copies' },
    batch: { type: 'boolean', default: false, help: 'sign every FILE given, with one PIN entry' },
    format: {
      type: 'string',
      arg: 'pades|cades',
      help: 'PAdES (inside the PDF) or CAdES (detached .p7s); default: PAdES for PDF files',
    },
    module: { type: 'string', arg: 'PATH', help: "the token's PKCS#11 driver (.so, .dll, .dylib)" },
    token: { type: 'string', arg: 'LABEL', help: 'the token, by its label' },
    'key-id': { type: 'string', arg: 'HEX', help: 'the signing key (CKA_ID) when the token holds several' },
    'pin-stdin': PIN_STDIN_OPTION,
    reason: { type: 'string', arg: 'TEXT', help: 'the reason recorded in the signature' },
    location: { type: 'string', arg: 'TEXT', help: 'the place recorded in the signature' },
    visible: { type: 'boolean', default: false, help: 'add a visible stamp to the PDF' },
    'rsa-pss': { type: 'boolean', default: false, help: 'RSA-PSS instead of PKCS#1 v1.5 for RSA keys' },
    field: { type: 'string', arg: 'NAME', help: "PAdES: sign into the PDF's empty signature field NAME" },
    certify: {
      type: 'string',
      arg: '1|2|3',
      help: 'PAdES: certify; later changes allowed: 1 none, 2 forms, 3 also comments',
    },
    trust: {
      type: 'string',
      multiple: true,
      arg: 'PEM',
      help: 'extra trust anchors for the certificate check; the shipped ones always apply',
    },
    json: JSON_OPTION,
    profile: PROFILE_OPTION,
  },
  positionals: { min: 1, max: 1000 },
  notes: ['The PIN is read from standard input, never from the command line or environment.'],
  async run({ values, positionals }, io) {
    const { batch, format, token } = values;
    if (format !== undefined && format !== 'pades' && format !== 'cades')
      throw new UsageError('--format is pades or cades');
    if (!batch && positionals.length !== 1) throw new UsageError('one INPUT, or --batch FILE...');
    const out = values.out;
    if (!batch && !out) throw new UsageError('--out OUTPUT is required');
    if (batch && !values['out-dir']) throw new UsageError('--batch needs --out-dir DIR');
    if (!token) throw new UsageError('--token LABEL is required');
    const certifyText = values.certify;
    if (certifyText !== undefined && !['1', '2', '3'].includes(certifyText))
      throw new UsageError('--certify is 1 (no changes), 2 (form filling and signing) or 3 (also comments)');
    const certify = certifyText === undefined ? undefined : (Number(certifyText) as 1 | 2 | 3);
    const field = values.field;
    // The PIN never comes from argv or the environment: both are visible to other processes.
    const pin = await readSecret(values['pin-stdin'], io);

    const module = values.module;
    const core = profileCore(values.profile, {
      signing: {
        // Relative to where the command runs; the core loads only absolute, local paths.
        ...(module ? { modulePath: resolve(module) } : {}),
        trust: { anchorFiles: (values.trust ?? []).map((p) => resolve(p)) },
      },
    });
    try {
      const outDir = values['out-dir'];
      const result = await call(core, 'sign.files', {
        files: positionals.map((p) => ({
          path: resolve(p),
          ...(!batch && out ? { output: resolve(out) } : {}),
        })),
        ...(outDir ? { outDir: resolve(outDir) } : {}),
        format: format ?? 'auto',
        token: { label: token },
        ...(values['key-id'] ? { keyId: values['key-id'] } : {}),
        pin,
        ...(values.reason ? { reason: values.reason } : {}),
        ...(values.location ? { location: values.location } : {}),
        ...(values.visible ? { visible: true } : {}),
        ...(values['rsa-pss'] ? { rsaScheme: 'pss' as const } : {}),
        ...(field ? { field } : {}),
        ...(certify ? { certify } : {}),
      });
      if (!result.ok) return reportError(result.error, values.json, io);
      const { results } = result.value;
      if (values.json) io.stdout(`${JSON.stringify({ results })}\n`);
      for (const r of results) {
        if (r.ok) {
          if (!values.json) io.stdout(`signed ${r.input} -> ${r.output}\n`);
        } else {
          io.stderr(`embassy: ${r.input}: ${r.error?.code}: ${r.error?.message}\n`);
        }
      }
      return results.every((r) => r.ok) ? EXIT.ok : EXIT.callFailed;
    } finally {
      await core.close();
    }
  },
});
