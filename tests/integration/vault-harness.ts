import { createHash } from 'node:crypto';
import { mkdtempSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { PDFDocument, StandardFonts } from 'pdf-lib';
import { createCore, type Core } from '../../electron/core';
import type { CallName } from '../../shared/contract/call-names';
import type { CallInput, CallOutput } from '../../shared/contract/calls';
import type { Result } from '../../shared/contract/result';

/** A real core (real worker, real SQLCipher) on a fresh profile folder. */
export function vaultCore(prefix = 'embassy-vault-'): { core: Core; profileDir: string } {
  const profileDir = mkdtempSync(join(tmpdir(), prefix));
  return { core: createCore({ profileDir, version: 'test' }), profileDir };
}

/** A typed contract call through the dispatcher (schemas checked both ways, like every transport). */
export async function call<N extends CallName>(
  core: Core,
  name: N,
  input: CallInput<N>,
): Promise<Result<CallOutput<N>>> {
  return (await core.dispatch(name, input, { transport: 'direct' })) as Result<CallOutput<N>>;
}

/** The value of a call that must succeed. */
export async function must<N extends CallName>(
  core: Core,
  name: N,
  input: CallInput<N>,
): Promise<CallOutput<N>> {
  const r = await call(core, name, input);
  if (!r.ok) throw new Error(`${name}: ${r.error.code} ${r.error.message}`);
  return r.value;
}

export function sha256File(path: string): string {
  return createHash('sha256').update(readFileSync(path)).digest('hex');
}

/** A one-page PDF with these lines (Helvetica: Latin text only). */
export async function pdfWithText(lines: readonly string[]): Promise<Uint8Array> {
  const pdf = await PDFDocument.create();
  const font = await pdf.embedFont(StandardFonts.Helvetica);
  const page = pdf.addPage([595, 842]);
  lines.forEach((line, i) => page.drawText(line, { x: 50, y: 780 - 20 * i, size: 12, font }));
  return pdf.save();
}

export const PASSPHRASE = 'correct horse battery staple';

/** A signing job's final status (`sign.progress` until it is no longer running; 30 s at most). */
export async function signJobFinished(core: Core, jobId: string): Promise<CallOutput<'sign.progress'>> {
  for (let i = 0; i < 300; i++) {
    const s = await must(core, 'sign.progress', { jobId });
    if (s.state !== 'running') return s;
    await new Promise((r) => setTimeout(r, 100));
  }
  throw new Error('signing job did not finish');
}

/** An attachment's whole bytes, read through the contract in its chunks. */
export async function readAttachmentBytes(core: Core, id: string): Promise<Buffer> {
  const parts: Buffer[] = [];
  let offset = 0;
  for (;;) {
    const c = await must(core, 'attachments.read', { id, offset });
    const b = Buffer.from(c.base64, 'base64');
    parts.push(b);
    offset += b.length;
    if (c.eof) return Buffer.concat(parts);
  }
}
