import { createHash } from 'node:crypto';
import { mkdirSync } from 'node:fs';
import { readFile } from 'node:fs/promises';
import { resolve } from 'node:path';
import { createCore } from '../../core';
import { defaultProfileDir } from '../../profile/profile-dir';
import { writeFileAtomic } from '../../signing';
import { UsageError, type CliCommand, type CliIo } from '../cli-command';

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
    signedRevision?: { index: number; length: number; sha256: string };
    fieldName?: string;
    certification?: { permission: number };
  }[];
  reasons: { code: string; en: string }[];
}

/**
 * `embassy verify FILE [--content ORIGINAL] --trust PEM... [--crl FILE...] [--json]`, and
 * `--extract-signed-revision N OUT`: writes the bytes signature N covers (the signed version).
 */
export const verifyCommand: CliCommand = {
  name: 'verify',
  summary: 'verify a signed PDF or a detached .p7s; exit 0 valid, 1 invalid, 2 indeterminate, 3 error',
  usage:
    'embassy verify FILE [--content ORIGINAL] --trust PEM... [--crl FILE...] [--json] [--extract-signed-revision N OUT]',
  options: {
    content: { type: 'string' },
    trust: { type: 'string', multiple: true },
    crl: { type: 'string', multiple: true },
    'extract-signed-revision': { type: 'string' },
    json: { type: 'boolean', default: false },
    profile: { type: 'string' },
  },
  positionals: { min: 1, max: 2 },
  async run({ values, positionals }, io) {
    const extract =
      typeof values['extract-signed-revision'] === 'string' ? values['extract-signed-revision'] : undefined;
    if (extract !== undefined && (!/^[1-9]\d{0,3}$/.test(extract) || positionals.length !== 2))
      throw new UsageError(
        '--extract-signed-revision N OUT: N is the signature number, OUT the file to write',
      );
    if (extract === undefined && positionals.length !== 1) throw new UsageError('one FILE');
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
        ...(s.fieldName ? { fieldName: s.fieldName } : {}),
        ...(s.certification ? { certification: s.certification } : {}),
        ...(s.signedRevision ? { signedRevision: s.signedRevision } : {}),
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
      if (extract !== undefined) {
        const written = await extractSignedRevision(
          resolve(positionals[0] as string),
          report.signatures[Number(extract) - 1]?.signedRevision,
          resolve(positionals[1] as string),
          io,
        );
        if (!written) return VERIFY_EXIT.error;
        if (values.json !== true)
          io.stdout(`signature ${extract}: signed version (${written} bytes) -> ${positionals[1]}\n`);
      }
      return VERIFY_EXIT[report.verdict];
    } finally {
      await core.close();
    }
  },
};

/**
 * Writes the first `length` bytes of the file, once they are proven to be the bytes the
 * verification saw (their SHA-256 is in the report): the file may have changed since.
 */
async function extractSignedRevision(
  path: string,
  revision: { length: number; sha256: string } | undefined,
  out: string,
  io: CliIo,
): Promise<number | undefined> {
  if (!revision) {
    io.stderr(
      'embassy: no signed revision for that signature (no such signature, or its byte range is broken)\n',
    );
    return undefined;
  }
  const bytes = (await readFile(path)).subarray(0, revision.length);
  if (
    bytes.length !== revision.length ||
    createHash('sha256').update(bytes).digest('hex') !== revision.sha256
  ) {
    io.stderr('embassy: the file changed while it was verified; nothing written\n');
    return undefined;
  }
  await writeFileAtomic(out, bytes);
  return bytes.length;
}
