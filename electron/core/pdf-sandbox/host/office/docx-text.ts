import { zipSync } from 'fflate';
import { readZipEntries } from './bounded-zip';
import { declaresDtd } from './xml-guard';

/** The XML parts mammoth reads; media and embedded objects are never inflated. */
const wantedPart = (name: string) => /\.(xml|rels)$/i.test(name);

/**
 * The raw text of a .docx (Office Open XML), with mammoth. The parts are read by our bounded
 * zip reader first (zip bombs stop there), any part declaring a DTD refuses the whole file,
 * and mammoth gets a new zip built from those parts only. Macros, media and embedded objects
 * are never read. Null when the file is not a readable .docx.
 */
export async function extractDocxText(bytes: Uint8Array, maxChars: number): Promise<string | null> {
  const parts = readZipEntries(bytes, wantedPart);
  if (!parts.has('word/document.xml') || !parts.has('[Content_Types].xml')) return null;
  for (const data of parts.values()) if (declaresDtd(data)) return null;
  const rebuilt = zipSync(Object.fromEntries(parts), { level: 0 });
  // A CJS package: loaded when first needed, bundled into the sandbox only.
  const mammoth = await import('mammoth');
  const result = await mammoth.extractRawText({ buffer: Buffer.from(rebuilt) });
  return result.value.slice(0, maxChars);
}
