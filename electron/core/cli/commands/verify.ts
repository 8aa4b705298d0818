import { mkdirSync } from 'node:fs';
import { resolve } from 'node:path';
import { createCore } from '../../core';
import { defaultProfileDir } from '../../profile/profile-dir';
import { type CliCommand } from '../cli-command';

declare const __APP_VERSION__: string;

/** Exit codes of `embassy verify`: the verdict itself, so scripts need not parse the output. */
export const VERIFY_EXIT = { valid: 0, invalid: 1, indeterminate: 2, error: 3 } as const;

const list = (v: unknown) => (Array.isArray(v) ? v.filter((x): x is string => typeof x === 'string') : []);

interface Report {
  verdict: 'valid' | 'invalid' | 'indeterminate';
  signatures: {
    signer: string | null;
    signingTime: string | null;
    verdict: string;
    reasons: { code: string; en: string }[];
  }[];
  reasons: { code: string; en: string }[];
}

/** `embassy verify FILE [--content ORIGINAL] --trust PEM... [--crl FILE...] [--json]`. */
export const verifyCommand: CliCommand = {
  name: 'verify',
  summary: 'verify a signed PDF or a detached .p7s; exit 0 valid, 1 invalid, 2 indeterminate, 3 error',
  usage: 'embassy verify FILE [--content ORIGINAL] --trust PEM... [--crl FILE...] [--json]',
  options: {
    content: { type: 'string' },
    trust: { type: 'string', multiple: true },
    crl: { type: 'string', multiple: true },
    json: { type: 'boolean', default: false },
    profile: { type: 'string' },
  },
  positionals: { min: 1, max: 1 },
  async run({ values, positionals }, io) {
    const profileDir = resolve(
      typeof values.profile === 'string' ? values.profile : defaultProfileDir('app'),
    );
    mkdirSync(profileDir, { recursive: true, mode: 0o700 });
    const core = createCore({
      profileDir,
      version: __APP_VERSION__,
      signing: {
        trust: {
          anchorFiles: list(values.trust).map((p) => resolve(p)),
          crlFiles: list(values.crl).map((p) => resolve(p)),
        },
      },
    });
    try {
      const content = typeof values.content === 'string' ? resolve(values.content) : undefined;
      const result = await core.dispatch(
        'verify.file',
        { path: resolve(positionals[0] as string), ...(content ? { contentPath: content } : {}) },
        { transport: 'cli' },
      );
      if (!result.ok) {
        if (values.json === true) io.stdout(`${JSON.stringify({ ok: false, error: result.error })}\n`);
        io.stderr(`embassy: ${result.error.code}: ${result.error.message}\n`);
        return VERIFY_EXIT.error;
      }
      const report = result.value as Report;
      const signatures = report.signatures.map((s) => ({
        signer: s.signer,
        signingTime: s.signingTime,
        verdict: s.verdict,
        reasons: s.reasons,
      }));
      if (values.json === true) {
        io.stdout(`${JSON.stringify({ verdict: report.verdict, signatures, reasons: report.reasons })}\n`);
      } else {
        io.stdout(`${report.verdict}\n`);
        for (const r of report.reasons) io.stdout(`  ${r.code}: ${r.en}\n`);
        report.signatures.forEach((s, i) => {
          io.stdout(
            `signature ${i + 1}: ${s.verdict} — ${s.signer ?? 'unknown signer'}, ${s.signingTime ?? 'no time'}\n`,
          );
          for (const r of s.reasons) io.stdout(`  ${r.code}: ${r.en}\n`);
        });
      }
      return VERIFY_EXIT[report.verdict];
    } finally {
      await core.close();
    }
  },
};
