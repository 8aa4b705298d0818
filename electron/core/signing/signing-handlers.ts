import { basename, dirname, extname, join } from 'node:path';
import { readFile } from 'node:fs/promises';
import { CoreError, ErrorCode } from '../../../shared/contract/errors';
import { writeFileAtomic } from './write-file-atomic';
import type { HandlerTable } from '../contract';
import { signOptions, type SigningService, type SignJob } from './signing-service';

/** The contract calls this module answers. */
export type SigningHandlers = Pick<
  HandlerTable,
  'token.list' | 'sign.files' | 'verify.file' | 'cert.verify' | 'verify.addValidationData' | 'verify.report'
>;

/**
 * Where a signed file goes when the caller names no output: PAdES next to the input as
 * `name.signed.pdf`, CAdES as `name.ext.p7s`; with `outDir`, the same names in that folder
 * (PAdES keeps the input's name there).
 */
export function defaultOutput(input: string, format: 'pades' | 'cades', outDir?: string): string {
  if (format === 'cades') return join(outDir ?? dirname(input), `${basename(input)}.p7s`);
  if (outDir) return join(outDir, basename(input));
  return join(dirname(input), `${basename(input, extname(input))}.signed.pdf`);
}

function isPdfName(path: string): boolean {
  return extname(path).toLowerCase() === '.pdf';
}

/** Handlers for token listing, signing and verification, over one signing service. */
export function createSigningHandlers(service: SigningService): SigningHandlers {
  return {
    'token.list': async () => ({ tokens: await service.listTokens() }),
    'sign.files': async (input) => {
      const jobs: SignJob[] = input.files.map((f) => {
        const format = input.format === 'auto' ? (isPdfName(f.path) ? 'pades' : 'cades') : input.format;
        return { input: f.path, output: f.output ?? defaultOutput(f.path, format, input.outDir), format };
      });
      const results = await service.signFiles({
        jobs,
        ...signOptions(input),
      });
      return {
        results: results.map((r) => ({
          input: r.input,
          output: r.output,
          ok: r.ok,
          ...(r.ok
            ? { level: r.level }
            : { error: { code: r.error.code, message: r.error.message.slice(0, 512) } }),
        })),
      };
    },
    'verify.file': async (input) => service.verifyFile(input.path, input.contentPath),
    'verify.addValidationData': async (input) =>
      service.addValidationDataToFile(input.path, input.output, input.tsaUrl),
    'verify.report': async (input) => {
      const report = await service.verifyFile(input.path, input.contentPath);
      let bytes: Buffer;
      try {
        bytes = await readFile(input.path);
      } catch {
        throw new CoreError(ErrorCode.FileAccess, 'the file cannot be read');
      }
      const pdf = await service.reportPdf(report, { name: basename(input.path), bytes }, input.language);
      await writeFileAtomic(input.output, pdf);
      return report;
    },
    'cert.verify': async (input) =>
      service.verifyCertificate(input.path, {
        ...(input.at ? { at: new Date(input.at) } : {}),
        purpose: input.purpose,
      }),
  };
}
