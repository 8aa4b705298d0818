import type { MessagePort, Worker } from 'node:worker_threads';
import { z } from 'zod';
import { TEXT_FORMATS, type TextFormat } from '../../../shared/domain/document';

/**
 * How the vault worker gets an attachment's text (PDF, .txt, .docx, .odt) without parsing it:
 * it asks its parent (the core's thread) over its own port, and the parent has the PDF sandbox
 * read it. The worker holds the database key, so no parser of untrusted files runs in it; it
 * only stores the text it is given. Both halves are here, with the one message schema each
 * side checks.
 */

/**
 * Reads an attachment's text: a PDF's, or a .txt, .docx or .odt file's (the core passes its
 * PDF sandbox's `text`, which runs every one of those readers in the sandbox process).
 */
export type PdfTextSource = (bytes: Uint8Array, maxChars: number, format: TextFormat) => Promise<string>;

const Ask = z.object({
  pdfText: z.object({
    id: z.number().int().positive(),
    bytes: z.custom<Uint8Array>((v) => v instanceof Uint8Array),
    maxChars: z.number(),
    format: z.enum(TEXT_FORMATS),
  }),
});
const Reply = z.object({
  pdfTextReply: z.object({
    id: z.number().int().positive(),
    text: z.string().max(10_000_000).nullable(),
  }),
});

/** The parent's half: answers the worker's questions; null when the sandbox could not read it. */
export function answerPdfText(worker: Worker, source: PdfTextSource | undefined): (raw: unknown) => boolean {
  return (raw) => {
    const ask = Ask.safeParse(raw);
    if (!ask.success) return false;
    const { id, bytes, maxChars, format } = ask.data.pdfText;
    const reply = (text: string | null) => worker.postMessage({ pdfTextReply: { id, text } });
    if (!source) reply(null);
    else
      source(bytes, maxChars, format).then(
        (text) => reply(text.slice(0, maxChars)),
        () => reply(null),
      );
    return true;
  };
}

/** The worker's half: asks, and recognises the answers among the parent's messages. */
export function askPdfText(port: MessagePort): {
  text: (bytes: Uint8Array, maxChars: number, format: TextFormat) => Promise<string | null>;
  /** True when `raw` was an answer (and is consumed). */
  answered: (raw: unknown) => boolean;
} {
  let nextId = 1;
  const waiting = new Map<number, (text: string | null) => void>();
  return {
    text(bytes, maxChars, format) {
      const id = nextId++;
      return new Promise((resolve) => {
        waiting.set(id, resolve);
        port.postMessage({ pdfText: { id, bytes, maxChars, format } });
      });
    },
    answered(raw) {
      const reply = Reply.safeParse(raw);
      if (!reply.success) return false;
      const { id, text } = reply.data.pdfTextReply;
      waiting.get(id)?.(text);
      waiting.delete(id);
      return true;
    },
  };
}
